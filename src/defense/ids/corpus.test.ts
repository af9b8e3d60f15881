// The committed corpora are the detectors' contract: every attack is caught by its own detector
// wherever it is placed, and no benign entry produces any finding anywhere.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect, type DetectorName, type Finding, type InspectedRequest } from './index.ts';

const DETECTOR_NAMES: readonly DetectorName[] = [
  'sqli',
  'xss',
  'path_traversal',
  'command_injection',
];

function readCorpus(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8'));
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function loadAttacks(): Record<DetectorName, string[]> {
  const raw = readCorpus('attacks.json') as Record<string, unknown>;
  const attacks = {} as Record<DetectorName, string[]>;
  for (const name of DETECTOR_NAMES) {
    const list = raw[name];
    if (!isStringList(list)) throw new Error(`attacks.json: ${name} must be a list of strings`);
    attacks[name] = list;
  }
  return attacks;
}

function loadBenign(): string[] {
  const raw = readCorpus('benign.json') as { entries?: unknown };
  if (!isStringList(raw.entries)) throw new Error('benign.json: entries must be a list of strings');
  return raw.entries;
}

const attacks = loadAttacks();
const benign = loadBenign();

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
