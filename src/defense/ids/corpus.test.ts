// The committed corpora are the detectors' contract: every attack is caught by its own detector
// wherever it is placed and refused in a structured field; no hand-picked benign entry produces
// any finding anywhere; and no entry of the realistic corpus is refused in a free-text or an
// opaque field.

import { describe, expect, it } from 'vitest';
import { attacks, benign, DETECTOR_NAMES, realisticText, type TextKind } from './corpus/index.ts';
import {
  inspect,
  refusable,
  type DetectorName,
  type Finding,
  type InspectedRequest,
} from './index.ts';

function request(parts: Partial<InspectedRequest>): InspectedRequest {
  return { path: '/api/orders', query: {}, body: null, headers: {}, ...parts };
}

function found(findings: Finding[], detector: DetectorName, location: string): boolean {
  return findings.some((f) => f.detector === detector && f.location === location);
}

describe('corpus sizes', () => {
  it('has at least 120 attacks spread over every detector and at least 150 benign entries', () => {
    const total = DETECTOR_NAMES.reduce((sum, name) => sum + attacks[name].length, 0);
    expect(total).toBeGreaterThanOrEqual(120);
    for (const name of DETECTOR_NAMES) expect(attacks[name].length).toBeGreaterThanOrEqual(25);
    expect(benign.length).toBeGreaterThanOrEqual(150);
    expect(new Set(benign).size).toBe(benign.length);
  });
});

describe.each(DETECTOR_NAMES)('attack corpus: %s', (detector) => {
  const payloads = attacks[detector];

  it.each(payloads)('detects %j in a body field', (payload) => {
    expect(found(inspect(request({ body: { symbol: payload } })), detector, 'body.symbol')).toBe(
      true,
    );
  });

  it.each(payloads)('detects %j in a nested body array', (payload) => {
    const body = { orders: [{ notes: ['fine', payload] }] };
    expect(found(inspect(request({ body })), detector, 'body.orders[0].notes[1]')).toBe(true);
  });

  it.each(payloads)('refuses %j in a structured body field', (payload) => {
    const findings = inspect(request({ body: { symbol: payload } }));
    expect(findings.filter(refusable).map((f) => f.detector)).toContain(detector);
  });

  it.each(payloads)('detects %j in a query value', (payload) => {
    expect(found(inspect(request({ query: { q: payload } })), detector, 'query.q')).toBe(true);
  });

  it.each(payloads)('detects %j URL-encoded in a raw query string', (payload) => {
    const query = `page=2&q=${encodeURIComponent(payload)}`;
    expect(found(inspect(request({ query })), detector, 'query.q')).toBe(true);
  });

  it.each(payloads)('detects %j URL-encoded as the last path segment', (payload) => {
    const path = `/api/market/${encodeURIComponent(payload)}`;
    expect(found(inspect(request({ path })), detector, 'path')).toBe(true);
  });
});

describe('benign corpus', () => {
  it.each(benign)('%j produces no finding in body, query, path or headers', (text) => {
    const findings = inspect({
      path: `/api/search/${encodeURIComponent(text)}`,
      query: { q: text, list: [text] },
      body: { note: text, [text]: 'key', nested: [{ text }] },
      headers: {
        'user-agent': text,
        referer: text,
        'x-forwarded-for': text,
        cookie: text,
      },
    });
    expect(findings).toEqual([]);
  });

  it.each(benign)('%j produces no finding as a raw query string value', (text) => {
    expect(inspect(request({ query: `q=${encodeURIComponent(text)}`, path: text }))).toEqual([]);
  });
});

describe('realistic benign corpus', () => {
  const corpus = realisticText(12_000);
  const kinds: TextKind[] = [
    'name',
    'address',
    'note',
    'reason',
    'label',
    'json',
    'code',
    'markdown',
    'emoji',
    'phrase',
  ];

  it('holds at least 10,000 distinct entries of every kind', () => {
    expect(new Set(corpus.map((e) => e.text)).size).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    for (const kind of kinds) {
      expect(corpus.filter((e) => e.kind === kind).length, kind).toBeGreaterThanOrEqual(100);
    }
  });

  it('refuses none of it in a free-text field or an opaque one, even as an array item', () => {
    const refused = corpus.filter(({ text }) => {
      const findings = inspect(
        request({
          body: { note: text, data: [text, { text }] },
          fields: { freeText: ['note'], opaque: ['data'] },
        }),
      );
      return findings.some(refusable);
    });
    expect(refused).toEqual([]);
  });

  it('still inspects the opaque fields: their findings are those of the same text in structured fields', () => {
    const watched = corpus.filter(({ text }) => {
      const opaque = inspect(request({ body: { data: text }, fields: { opaque: ['data'] } }));
      const structured = inspect(request({ body: { data: text } }));
      expect(opaque.map((f) => ({ ...f, field: 'structured' }))).toEqual(structured);
      return opaque.length > 0;
    });
    // The corpus holds honest code and SQL-like prose that low-confidence rules report.
    expect(watched.length).toBeGreaterThan(0);
  });
});
