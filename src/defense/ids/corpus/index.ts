// The IDS's corpora, the detectors' contract: the attacks every detector must catch, the short
// hand-picked benign list that must produce no finding anywhere, the realistic benign corpus that
// must never be refused in a free-text or opaque field, and the characters of the items users
// hash (the alphabet of issue 13's Merkle suite).

import { readFileSync } from 'node:fs';
import type { DetectorName } from '../types.ts';

export { realisticText, type RealisticText, type TextKind } from './realistic.ts';

export const DETECTOR_NAMES: readonly DetectorName[] = [
  'sqli',
  'xss',
  'path_traversal',
  'command_injection',
];

function readCorpus(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8'));
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function loadAttacks(): Record<DetectorName, string[]> {
  const raw = readCorpus('attacks.json') as Record<string, unknown>;
  const loaded = {} as Record<DetectorName, string[]>;
  for (const name of DETECTOR_NAMES) {
    const list = raw[name];
    if (!isStringList(list)) throw new Error(`attacks.json: ${name} must be a list of strings`);
    loaded[name] = list;
  }
  return loaded;
}

function loadBenign(): string[] {
  const raw = readCorpus('benign.json') as { entries?: unknown };
  if (!isStringList(raw.entries)) throw new Error('benign.json: entries must be a list of strings');
  return raw.entries;
}

/** Attack payloads by the detector that must catch them. */
export const attacks: Readonly<Record<DetectorName, readonly string[]>> = loadAttacks();

/** Short benign strings that must produce no finding in any field, query, path or header. */
export const benign: readonly string[] = loadBenign();

/**
 * The small alphabet of the items issue 13's outside suite puts in Merkle trees: letters, digits,
 * space, `-`, `_`, `"`, `\`, `/`, accented letters, CJK, emoji (one with a skin tone, and a ZWJ)
 * and astral-plane characters. Code points, so an emoji is one unit. Small on purpose: `-` and `"`
 * come up often, as in the suite, where 0.13% of short items tripped the old comment rules.
 */
export const ITEM_ALPHABET: readonly string[] = [
  ...'abxyzAZ019 -_"\\/',
  ...'éüßñØ',
  ...'中文字',
  ...'😀🚀👍🏽\u200d',
  ...'𝄞𠀋',
];
