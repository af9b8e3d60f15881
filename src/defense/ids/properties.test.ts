import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITEM_ALPHABET } from './corpus/index.ts';
import { inspect, LIMITS, refusable, SEVERITY_WEIGHT, type Finding } from './index.ts';
import { requestFields } from './request-fields.ts';

// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNSAFE_IN_LOGS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const alphanumeric = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '),
  maxLength: 200,
});

/** Items as issue 13's Merkle suite makes them, and items of any Unicode code points. */
const items = fc.array(
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...ITEM_ALPHABET), maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  ),
  { minLength: 1, maxLength: 300 },
);

function expectWellFormed(findings: Finding[]): void {
  const keys = new Set<string>();
  for (const finding of findings) {
    const key = `${finding.detector}@${finding.location}`;
    expect(keys.has(key)).toBe(false);
    keys.add(key);
    expect(finding.score).toBeGreaterThanOrEqual(SEVERITY_WEIGHT[finding.severity]);
    expect(finding.sample.length).toBeLessThanOrEqual(80);
    expect(finding.sample).not.toMatch(UNSAFE_IN_LOGS);
    expect(finding.location).not.toMatch(UNSAFE_IN_LOGS);
  }
}

describe('inspect properties', () => {
  it('never reports letters, digits and spaces, wherever they are', () => {
    fc.assert(
      fc.property(alphanumeric, alphanumeric, (key, text) => {
        const findings = inspect({
          path: `/api/${text}`,
          query: { [key]: text },
          body: { [key]: [text, { [text]: key }] },
          headers: { 'user-agent': text, referer: text, 'x-forwarded-for': text, cookie: text },
        });
        expect(findings).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never refuses items in an opaque field, and reports on them what a structured field would', () => {
    fc.assert(
      fc.property(items, fc.constantFrom('utf8', 'hex'), (data, encoding) => {
        const body = { data, encoding };
        const opaque = inspect({
          path: '/',
          query: {},
          body,
          headers: {},
          fields: { opaque: ['data'] },
        });
        expect(opaque.filter(refusable)).toEqual([]);
        const structured = inspect({ path: '/', query: {}, body, headers: {} });
        expect(opaque).toEqual(structured.map((f) => ({ ...f, field: 'opaque' })));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any JSON body or query, and its findings are well formed', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 30 }), fc.jsonValue({ maxDepth: 5 }), (body, query) => {
        const findings = inspect({
          path: '/api/orders',
          query: typeof query === 'object' && query !== null && !Array.isArray(query) ? query : {},
          body,
          headers: {},
        });
        expectWellFormed(findings);
      }),
      { numRuns: 300 },
    );
  });

  it('produces log-safe samples and locations for arbitrary Unicode attacks', () => {
    const attackish = fc
      .tuple(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom("' or 1=1--", '<script>', '../../etc/passwd', '; cat /etc/passwd'),
        fc.string({ unit: 'binary', maxLength: 200 }),
      )
      .map(([before, attack, after]) => before + attack + after);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), attackish, (key, text) => {
        const findings = inspect({
          path: text,
          query: text,
          body: { [key]: text },
          headers: { 'user-agent': text, cookie: [text, key] },
        });
        expect(findings.length).toBeGreaterThan(0);
        expectWellFormed(findings);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on deep nesting or huge arrays of JSON values', () => {
    const deep = fc.integer({ min: 0, max: 5_000 }).chain((depth) =>
      fc.jsonValue({ maxDepth: 2 }).map((leaf) => {
        let value: unknown = leaf;
        for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { k: value };
        return value;
      }),
    );
    const wide = fc
      .tuple(fc.jsonValue({ maxDepth: 1 }), fc.integer({ min: 0, max: 50_000 }))
      .map(([item, length]) => Array.from({ length }, () => item));
    fc.assert(
      fc.property(fc.oneof(deep, wide), (body) => {
        expectWellFormed(inspect({ path: '/', query: {}, body, headers: {} }));
      }),
      { numRuns: 40 },
    );
  });

  it('inspects within the limits of a part, and leaves out no string shorter than one it inspects', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 300 }), { maxLength: 400 }), (strings) => {
        const { fields, skipped } = requestFields({
          path: '',
          query: {},
          body: strings,
          headers: {},
        });
        const inspected = new Map(fields.map((f) => [Number(/\d+/.exec(f.location)?.[0]), f.text]));
        const given = strings.flatMap((text, index) => (text === '' ? [] : [{ text, index }]));
        expect(inspected.size + skipped.body).toBe(given.length);
        expect(inspected.size).toBeLessThanOrEqual(LIMITS.inspectedStrings);
        const chars = [...inspected.values()].reduce((sum, text) => sum + text.length, 0);
        expect(chars).toBeLessThanOrEqual(LIMITS.inspectedChars);
        let longestInFull = 0;
        for (const { text, index } of given) {
          const seen = inspected.get(index);
          if (seen !== undefined) expect(text.startsWith(seen)).toBe(true);
          if (seen === text) longestInFull = Math.max(longestInFull, text.length);
        }
        for (const { text, index } of given) {
          if (!inspected.has(index)) expect(text.length).toBeGreaterThanOrEqual(longestInFull);
        }
      }),
      { numRuns: 200 },
    );
  });
});
