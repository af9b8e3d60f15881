// The realistic benign corpus: honest text combined, seeded, from the hand-written lists in
// realistic-seeds.json (names in many scripts, addresses, trading notes, admin reasons, key
// labels, JSON, code and markdown snippets, emoji). Deterministic: one seed, one corpus.

import { readFileSync } from 'node:fs';
import { mulberry32, type Rng } from '../../../market/fair-value.ts';

/** What an entry stands for, so false positives can be counted per kind of text. */
export type TextKind =
  | 'name'
  | 'address'
  | 'note'
  | 'reason'
  | 'label'
  | 'json'
  | 'code'
  | 'markdown'
  | 'emoji'
  | 'phrase';

export interface RealisticText {
  kind: TextKind;
  text: string;
}

interface Seeds {
  names: Record<string, { given: string[]; family: string[] }>;
  titles: string[];
  suffixes: string[];
  addresses: {
    units: string[];
    locales: { country: string; streets: string[]; cities: string[]; units?: string[] }[];
  };
  symbols: string[];
  notes: string[];
  reasons: string[];
  labels: string[];
  json: string[];
  code: string[];
  markdown: string[];
  emoji: string[];
  words: string[];
}

const seeds = JSON.parse(
  readFileSync(new URL('./realistic-seeds.json', import.meta.url), 'utf8'),
) as Seeds;

/** Scripts whose names are written family name first, without a space. */
const FAMILY_FIRST = new Set(['chinese', 'japanese', 'korean']);

function pick<T>(rng: Rng, list: readonly T[]): T {
  const item = list[Math.floor(rng() * list.length)];
  if (item === undefined) throw new Error('realistic-seeds.json: an empty list');
  return item;
}

const chance = (rng: Rng, p: number): boolean => rng() < p;
const between = (rng: Rng, low: number, high: number): number =>
  low + Math.floor(rng() * (high - low + 1));

/** Rupees as people write them: 1860, 1,860, 1,00,000 (Indian grouping) or 1860.50. */
function amount(rng: Rng, low: number, high: number): string {
  const value = between(rng, low, high);
  const style = rng();
  if (style < 0.3) return String(value);
  if (style < 0.5) return `${value}.${String(between(rng, 0, 99)).padStart(2, '0')}`;
  if (style < 0.8) return value.toLocaleString('en-IN');
  return value.toLocaleString('en-US');
}

function date(rng: Rng): string {
  const y = between(rng, 2019, 2027);
  const m = between(rng, 1, 12);
  const d = between(rng, 1, 28);
  const month = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const two = (n: number): string => String(n).padStart(2, '0');
  return pick(rng, [
    `${y}-${two(m)}-${two(d)}`,
    `${two(d)}/${two(m)}/${y}`,
    `${d} ${month[m - 1] ?? 'Jan'}`,
    `${month[m - 1] ?? 'Jan'} ${d}, ${y}`,
    `${d}.${m}.${y}`,
  ]);
}

function name(rng: Rng): string {
  const script = pick(rng, Object.keys(seeds.names));
  const list = seeds.names[script];
  if (list === undefined) throw new Error(`realistic-seeds.json: no names for ${script}`);
  const given = pick(rng, list.given);
  const family = pick(rng, list.family);
  if (FAMILY_FIRST.has(script)) {
    return chance(rng, 0.7) ? `${family}${given}` : `${family} ${given}`;
  }
  const style = rng();
  let full = `${given} ${family}`;
  if (style < 0.1) full = `${family}, ${given}`;
  else if (style < 0.2 && script === 'latin') full = `${given.charAt(0)}. ${family}`;
  else if (style < 0.3) full = `${given} ${pick(rng, list.given)} ${family}`;
  else if (style < 0.35 && script === 'latin') full = full.toUpperCase();
  if (chance(rng, 0.12)) full = `${pick(rng, seeds.titles)} ${full}`;
  if (chance(rng, 0.06)) full = `${full} ${pick(rng, seeds.suffixes)}`;
  if (chance(rng, 0.05)) full = `${full} (${name(rng)})`;
  return full;
}

/** An address of one country: its streets, its cities, its own unit words when it has them. */
function address(rng: Rng): string {
  const locale = pick(rng, seeds.addresses.locales);
  const number = pick(rng, [
    String(between(rng, 1, 999)),
    `${between(rng, 1, 99)}/${between(rng, 1, 20)}`,
    `${between(rng, 1, 300)}${pick(rng, ['A', 'B', 'a', '-C'])}`,
    `#${between(rng, 1, 60)}`,
  ]);
  const street = pick(rng, locale.streets);
  const parts = [chance(rng, 0.5) ? `${number} ${street}` : `${street} ${number}`];
  if (chance(rng, 0.4)) parts.unshift(pick(rng, locale.units ?? seeds.addresses.units));
  parts.push(pick(rng, locale.cities));
  if (chance(rng, 0.3)) parts.push(locale.country);
  return parts.join(chance(rng, 0.85) ? ', ' : '\n');
}

/** Fills a template's slots: {sym}, {price}, {qty}, {pct}, {date}, {name}, {city} and so on. */
function fill(rng: Rng, template: string): string {
  return template.replace(/\{(\w+)\}/g, (slot, key: string) => {
    switch (key) {
      case 'sym':
      case 'sym2':
        return pick(rng, seeds.symbols);
      case 'price':
      case 'price2':
      case 'price3':
        return amount(rng, 10, 99_999);
      case 'small':
        return amount(rng, 1, 999);
      case 'big':
        return amount(rng, 10_000, 99_99_999);
      case 'qty':
        return String(between(rng, 1, 5_000));
      case 'pct':
        return String(between(rng, 1, 60));
      case 'q':
        return String(between(rng, 1, 4));
      case 'ref':
        return `${pick(rng, ['', 'TXN', 'NEFT', 'INC-'])}${between(rng, 1000, 9_999_999)}`;
      case 'date':
      case 'date2':
        return date(rng);
      case 'name':
        return name(rng);
      case 'city':
        return pick(rng, pick(rng, seeds.addresses.locales).cities);
      default:
        return slot;
    }
  });
}

function phrase(rng: Rng): string {
  const words = Array.from({ length: between(rng, 2, 6) }, () => pick(rng, seeds.words));
  return words.join(pick(rng, [' ', ' ', ' ', '-', '_', ', ', ' / ']));
}

function emoji(rng: Rng): string {
  return Array.from({ length: between(rng, 1, 4) }, () => pick(rng, seeds.emoji)).join(
    pick(rng, ['', ' ']),
  );
}

const BUILDERS: readonly { kind: TextKind; weight: number; build: (rng: Rng) => string }[] = [
  { kind: 'name', weight: 30, build: name },
  { kind: 'address', weight: 15, build: address },
  { kind: 'note', weight: 25, build: (rng) => fill(rng, pick(rng, seeds.notes)) },
  { kind: 'reason', weight: 4, build: (rng) => fill(rng, pick(rng, seeds.reasons)) },
  { kind: 'label', weight: 3, build: (rng) => fill(rng, pick(rng, seeds.labels)) },
  { kind: 'json', weight: 6, build: (rng) => fill(rng, pick(rng, seeds.json)) },
  { kind: 'code', weight: 6, build: (rng) => fill(rng, pick(rng, seeds.code)) },
  { kind: 'markdown', weight: 5, build: (rng) => fill(rng, pick(rng, seeds.markdown)) },
  { kind: 'emoji', weight: 2, build: emoji },
  { kind: 'phrase', weight: 4, build: phrase },
];
const TOTAL_WEIGHT = BUILDERS.reduce((sum, b) => sum + b.weight, 0);

function entry(rng: Rng): RealisticText {
  let roll = rng() * TOTAL_WEIGHT;
  const builder = BUILDERS.find((b) => (roll -= b.weight) < 0) ?? BUILDERS[0];
  if (builder === undefined) throw new Error('no builders');
  let text = builder.build(rng);
  // People decorate and join what they write: an emoji, a second line, a signature.
  if (chance(rng, 0.08)) text = `${text} ${emoji(rng)}`;
  if (chance(rng, 0.03)) text = `${emoji(rng)} ${text}`;
  if (chance(rng, 0.05)) text = `${text}\n${fill(rng, pick(rng, seeds.notes))}`;
  if (chance(rng, 0.02)) text = `${text}\n-- ${name(rng)}`;
  return { kind: builder.kind, text };
}

/** `count` distinct entries, the same ones for the same seed. */
export function realisticText(count: number, seed = 13): RealisticText[] {
  const rng = mulberry32(seed);
  const seen = new Set<string>();
  const entries: RealisticText[] = [];
  for (let attempt = 0; entries.length < count; attempt += 1) {
    if (attempt > count * 20) throw new Error(`only ${entries.length} distinct entries`);
    const next = entry(rng);
    if (seen.has(next.text)) continue;
    seen.add(next.text);
    entries.push(next);
  }
  return entries;
}
