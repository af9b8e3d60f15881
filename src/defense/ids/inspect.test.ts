import { describe, expect, it } from 'vitest';
import {
  inspect,
  inspectRequest,
  LIMITS,
  refusable,
  SEVERITY_WEIGHT,
  type InspectedRequest,
} from './index.ts';
import { sqli } from './sqli.ts';

function request(parts: Partial<InspectedRequest>): InspectedRequest {
  return { path: '/api/orders', query: {}, body: null, headers: {}, ...parts };
}

describe('inspect', () => {
  it('reports detector, severity, score, location, rule and sample', () => {
    const findings = inspect(request({ body: { symbol: "' UNION SELECT username FROM users--" } }));
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      detector: 'sqli',
      severity: 'CRITICAL',
      location: 'body.symbol',
      rule: 'sqli.union-select',
    });
    expect(finding?.sample.startsWith('union select username from users')).toBe(true);
    expect(finding?.score).toBeGreaterThanOrEqual(SEVERITY_WEIGHT.CRITICAL);
  });

  it('reports one finding per detector and location, summing every matched rule', () => {
    const findings = inspect(
      request({ query: { q: "1' AND SLEEP(5) AND 'a'='a", other: "' or 1=1--" } }),
    );
    const q = findings.filter((f) => f.location === 'query.q');
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ detector: 'sqli', severity: 'CRITICAL', rule: 'sqli.time-delay' });
    // time-delay (CRITICAL) + tautology (HIGH) + quote-logic (HIGH)
    expect(q[0]?.score).toBe(SEVERITY_WEIGHT.CRITICAL + 2 * SEVERITY_WEIGHT.HIGH);
    expect(findings.filter((f) => f.location === 'query.other')).toHaveLength(1);
  });

  it('sums scores over the strings at one location, such as repeated query values', () => {
    const once = inspect(request({ query: { q: ['<script>'] } }));
    const twice = inspect(request({ query: { q: ['<script>', '<script>'] } }));
    expect(twice).toHaveLength(1);
    expect(twice[0]?.score).toBe(2 * (once[0]?.score ?? 0));
  });

  it('reports several detectors for one string when it is several attacks', () => {
    const findings = inspect(request({ body: { file: '; cat ../../etc/passwd' } }));
    expect(new Set(findings.map((f) => f.detector))).toEqual(
      new Set(['command_injection', 'path_traversal']),
    );
  });

  it('inspects object keys as well as values', () => {
    const findings = inspect(request({ body: { "x' or '1'='1": 1 } }));
    expect(findings.map((f) => f.detector)).toEqual(['sqli']);
    expect(findings[0]?.location).toBe(`body["x' or '1'='1"]`);
  });

  it('inspects the path and the four free-text headers', () => {
    const findings = inspect(
      request({
        path: '/static/../../etc/passwd',
        headers: {
          'User-Agent': '<script>alert(1)</script>',
          referer: 'https://example.com/?q=%27%20or%201%3D1--',
          'x-forwarded-for': '127.0.0.1; cat /etc/passwd',
          cookie: ['theme=dark', 'sid=1 UNION SELECT NULL,NULL--'],
        },
      }),
    );
    const where = findings.map((f) => `${f.detector}@${f.location}`).sort();
    expect(where).toEqual([
      'command_injection@header.x-forwarded-for',
      'path_traversal@header.x-forwarded-for',
      'path_traversal@path',
      'sqli@header.cookie',
      'sqli@header.referer',
      'xss@header.user-agent',
    ]);
  });

  it('ignores the authorization header and headers outside the list', () => {
    const attack = "' or 1=1-- <script>alert(1)</script> ; cat /etc/passwd";
    const findings = inspect(
      request({ headers: { authorization: attack, 'x-api-key': attack, accept: attack } }),
    );
    expect(findings).toEqual([]);
  });

  it('ignores numbers, booleans and null in bodies and queries', () => {
    const findings = inspect(
      request({
        body: { price: 15234.5, quantity: 10, post_only: true, stop_price: null, n: [1, false] },
        query: { limit: 50, active: false },
      }),
    );
    expect(findings).toEqual([]);
  });

  it('locates values inside a raw query string by their decoded name', () => {
    const findings = inspect(request({ query: '?page=1&sort%20by=%3Cscript%3E&q' }));
    expect(findings).toEqual([
      expect.objectContaining({ detector: 'xss', location: 'query["sort by"]' }),
    ]);
  });

  it('treats a string body as one field', () => {
    expect(inspect(request({ body: '<svg/onload=alert(1)>' }))).toEqual([
      expect.objectContaining({ detector: 'xss', location: 'body', rule: 'xss.svg-onload' }),
    ]);
  });
});

describe('field kinds (issue 13)', () => {
  const attack = "<script>' OR 1=1--";

  it('inspects an opaque field and reports what it finds, but never as grounds to refuse', () => {
    const opaque = inspect(request({ body: { data: attack }, fields: { opaque: ['data'] } }));
    const structured = inspect(request({ body: { data: attack } }));
    expect(opaque.map((f) => f.detector)).toEqual(structured.map((f) => f.detector));
    expect(opaque.every((f) => f.field === 'opaque' && !refusable(f))).toBe(true);
    expect(structured.every((f) => f.field === 'structured' && refusable(f))).toBe(true);
  });

  it('gives the kind to everything nested in the field: array items, keys and values', () => {
    const findings = inspect(
      request({
        body: { data: ['ok', [attack], { [attack]: attack }], other: 'fine' },
        fields: { opaque: ['data'] },
      }),
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.field))).toEqual(new Set(['opaque']));
    expect(findings.some((f) => f.location === 'body.data[1][0]')).toBe(true);
  });

  it('never inspects a secret field, so nothing of it reaches a log', () => {
    const body = { password: attack, code: [attack] };
    expect(inspect(request({ body, fields: { secret: ['password', 'code'] } }))).toEqual([]);
    expect(inspect(request({ body })).length).toBeGreaterThan(0);
  });

  it('refuses free text only on a high-confidence rule', () => {
    const fields = { freeText: ['note'] };
    const low = inspect(request({ body: { note: "it's 'cheap' or not" }, fields }));
    expect(low).toEqual([
      expect.objectContaining({ rule: 'sqli.quote-logic', field: 'free-text', confidence: 'low' }),
    ]);
    expect(low.some(refusable)).toBe(false);
    const high = inspect(request({ body: { note: '<script>alert(1)</script>' }, fields }));
    expect(high).toEqual([expect.objectContaining({ field: 'free-text', confidence: 'high' })]);
    expect(high.every(refusable)).toBe(true);
  });

  it('is high-confidence when any rule that matched is, even if the worst one is not', () => {
    // time-delay (CRITICAL, low) is the worst rule; tautology (HIGH, high) also matched.
    const [finding] = inspect(request({ body: { note: "1' AND SLEEP(5) AND 'a'='a" } }));
    expect(finding).toMatchObject({ rule: 'sqli.time-delay', confidence: 'high' });
  });

  it('leaves the top-level field names structured: a route declares them', () => {
    const findings = inspect(request({ body: { [attack]: 'x' }, fields: { opaque: [attack] } }));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.field === 'structured')).toBe(true);
  });

  it('inspects opaque strings after every other, so many short items cannot crowd out a field', () => {
    const data = Array.from({ length: 1_000 }, (_, i) => `item ${i}`);
    const { findings, skipped } = inspectRequest(
      request({ body: { data, name: "x' OR '1'='1" }, fields: { opaque: ['data'] } }),
    );
    expect(findings.map((f) => f.location)).toEqual(['body.name']);
    // The two keys, the name and the items.
    expect(skipped.body).toBe(2 + 1 + 1_000 - LIMITS.inspectedStrings);
  });
});

describe('comment rules need SQL around the comment (issue 13)', () => {
  it.each([
    '𝄞中ü-0ß9--',
    'well--done',
    'C# -- notes',
    '---',
    '# Title\n\nText\n\n---',
    'x-y-z--',
    'TCS--',
    'ab"c--',
    'sell half if it breaks 1,860 -- stop at 1,800',
    'select the best -- or the cheapest',
    'Buy on dips -- sell on rallies --',
    'and that is it --',
    '"quoted" -- and then more',
    'i-- ; j++',
  ])('%j is no finding', (text) => {
    expect(inspect(request({ body: { note: text } }))).toEqual([]);
  });

  it.each([
    ["admin'--", 'sqli.comment-after-quote'],
    ["admin' #", 'sqli.comment-after-quote'],
    ["admin')/*", 'sqli.comment-after-quote'],
    ['admin" -- -', 'sqli.comment-after-quote'],
    ['1 or 1=1--', 'sqli.comment-at-end'],
    ['x=1 #', 'sqli.comment-at-end'],
    ['1; DROP TABLE x --', 'sqli.comment-at-end'],
    ['1 order by 3--+', 'sqli.comment-at-end'],
    ['1 union select null,null--', 'sqli.comment-at-end'],
    ['1 and md5(1))--', 'sqli.comment-at-end'],
  ])('%j matches %s', (text, rule) => {
    const hits = sqli.scan(text.toLowerCase()).map((hit) => hit.rule);
    expect(hits).toContain(rule);
  });
});

describe('samples are safe to log', () => {
  it('escapes newlines and ANSI escapes instead of passing them through', () => {
    const payload = '; cat /etc/passwd\n\x1b[2K\x1b[32m[INFO] admin logged in\r\n';
    const findings = inspect(request({ body: { note: payload } }));
    const cmd = findings.find((f) => f.detector === 'command_injection');
    // Samples come from the lower-cased normalized text.
    expect(cmd?.sample).toContain('\\n\\u001b[2k');
    for (const finding of findings) {
      // eslint-disable-next-line no-control-regex -- control characters are what this matches
      expect(finding.sample).not.toMatch(/[\n\r\x1b]/);
    }
  });

  it('escapes a null byte in a traversal sample', () => {
    const [finding] = inspect(request({ body: { file: 'report.pdf\x00.exe' } }));
    expect(finding).toMatchObject({ rule: 'traversal.null-byte' });
    expect(finding?.sample).toContain('\\u0000');
    expect(finding?.sample).not.toContain('\x00');
  });

  it('truncates long samples to 80 characters', () => {
    const columns = Array.from({ length: 60 }, (_, i) => `column_${i}`).join(', ');
    const [finding] = inspect(request({ body: { q: `' UNION SELECT ${columns} FROM users--` } }));
    expect(finding?.sample.length).toBeLessThanOrEqual(80);
    expect(finding?.sample.endsWith('…')).toBe(true);
  });

  it('escapes control characters in locations built from hostile keys', () => {
    const findings = inspect(request({ body: { 'a\nb\x1b[31m': '<script>' } }));
    expect(findings).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(findings[0]?.location).not.toMatch(/[\n\x1b]/);
  });
});

describe('bounded walk', () => {
  function nest(depth: number, leaf: unknown): unknown {
    let value = leaf;
    for (let i = 0; i < depth; i += 1) value = [value];
    return value;
  }

  it(`inspects strings down to depth ${LIMITS.maxDepth} and no deeper`, () => {
    expect(inspect(request({ body: nest(LIMITS.maxDepth - 1, '<script>') }))).toHaveLength(1);
    expect(inspect(request({ body: nest(LIMITS.maxDepth + 1, '<script>') }))).toEqual([]);
  });

  it('survives very deep nesting without throwing', () => {
    expect(inspect(request({ body: nest(100_000, '<script>') }))).toEqual([]);
  });

  it(`collects at most ${LIMITS.maxStrings} strings per part`, () => {
    const early = Array.from({ length: 100_000 }, (_, i) => (i === 10 ? '<script>' : 'a long ok'));
    const late = Array.from({ length: 100_000 }, (_, i) =>
      i === 50_000 ? '<script>' : 'a long ok',
    );
    expect(inspect(request({ body: early }))).toHaveLength(1);
    expect(inspect(request({ body: late }))).toEqual([]);
  });

  it(`inspects at most ${LIMITS.inspectedStrings} strings per part, the shortest first, and says how many it left`, () => {
    const body = [...Array.from({ length: 500 }, () => 'ok'), '<script>'];
    expect(inspectRequest(request({ body }))).toEqual({
      findings: [],
      skipped: { head: 0, query: 0, body: 501 - LIMITS.inspectedStrings },
    });
  });

  it(`inspects at most ${LIMITS.inspectedChars} characters per part, so long text cannot crowd out a short field`, () => {
    const note = `${'x'.repeat(2 * LIMITS.inspectedChars)}<script>`;
    const { findings, skipped } = inspectRequest(request({ body: { note, name: '<script>' } }));
    expect(findings.map((f) => f.location)).toEqual(['body.name']);
    expect(skipped.body).toBe(0);
  });

  it('padding in one part cannot crowd out another', () => {
    const query = Array.from({ length: 3_000 }, (_, i) => `p${i}=1`).join('&');
    const { findings, skipped } = inspectRequest(
      request({ path: '/../../etc/passwd', query, body: { name: '<script>' } }),
    );
    expect(findings.map((f) => f.location).sort()).toEqual(['body.name', 'path']);
    expect(skipped.query).toBeGreaterThan(0);
  });

  it('stops walking huge arrays of numbers', () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => i);
    expect(inspect(request({ body: [numbers, '<script>'] }))).toEqual([]);
    expect(inspect(request({ body: ['<script>', numbers] }))).toHaveLength(1);
  });

  it('inspects the path and headers even when the body exhausts the budget', () => {
    const body = Array.from({ length: 10_000 }, () => 'ok');
    const findings = inspect(request({ path: '/../../etc/passwd', body }));
    expect(findings.map((f) => f.location)).toEqual(['path']);
  });
});

describe('pathological inputs', () => {
  // Each regex is linear (bounded gaps, no nested unbounded quantifiers). Measured on a 64 KiB
  // string of each seed, whole inspect(): at most ~30 ms on the development machine
  // (`' or '` and `<a on` are the slowest). Benchmarks are not timed tests, so these only check
  // that the answer is right.
  const N = 64 * 1024;
  const cases: [string, string[]][] = [
    ['<a', []],
    ['/*', []],
    ['%', []],
    ['&#', []],
    ['%25', []],
    ['\\u00', []],
    ['a,', []],
    ["' or '", []],
    ["' or 1=1 ", ['sqli']],
    ['<a on', []],
    ['<svg ', []],
    ['union select a,', []],
    ['..', []],
    ['../', ['path_traversal']],
    ["'--x", []],
    ['by 1,1,', []],
    ['=1 =1 ', []],
    ['a(b)c', []],
  ];
  it.each(cases)('a 64 KiB run of %j gives %j', (seed, detectors) => {
    const text = seed.repeat(Math.ceil(N / seed.length)).slice(0, N);
    const found = inspect(request({ body: text })).map((f) => f.detector);
    expect(found).toEqual(detectors);
  });
});
