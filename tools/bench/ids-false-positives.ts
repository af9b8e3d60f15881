// `npm run bench:ids-false-positives [-- --baseline REV] [-- --trees N] [-- --json]`: how often
// the IDS refuses honest text, per kind of field, and how much of the attack corpus it catches,
// with this tree's rules against the rules at REV (the baseline, loaded from git in the same run).
//
//   - the realistic benign corpus (12,000 names, addresses, notes, JSON, code, markdown, emoji);
//   - random Merkle trees as issue 13's outside suite builds them: up to 300 items of 1 to 16
//     characters over ITEM_ALPHABET, and the same of any Unicode code points, each tree one
//     POST /api/crypto/merkle/consistency body ({ data, encoding }) through the whole inspection;
//   - the attack corpus, per detector;
//   - the time one tree's inspection takes, before and now (the baseline's build route skipped
//     its items; its consistency route inspected them, as every Merkle route now does).
// The baseline has no field kinds: every field it inspects is refused on any finding, as the
// names, reasons, labels and Merkle consistency items were. "Reported" counts requests with any
// finding (a security event); "refused" those refused with IDS_ACTION=reject.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  attacks,
  DETECTOR_NAMES,
  ITEM_ALPHABET,
  realisticText,
} from '../../src/defense/ids/corpus/index.ts';
import {
  inspect,
  refusable,
  type FieldPolicy,
  type InspectedRequest,
} from '../../src/defense/ids/index.ts';
import { mulberry32, type Rng } from '../../src/market/fair-value.ts';

/** The last commit before issue 13's field kinds and tightened comment rules. */
const BEFORE_ISSUE_13 = '8b59bd6';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string', default: BEFORE_ISSUE_13 },
    trees: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const TREES = Math.max(1, Number(values.trees) || 1000);
const MAX_ITEMS = 300;

interface Screen {
  /** Any finding: the request is reported. */
  reported: boolean;
  /** The request is refused with IDS_ACTION=reject. */
  refused: boolean;
}
type Screener = (body: unknown, fields: FieldPolicy) => Screen;

/** This tree's IDS with its field kinds. */
const current: Screener = (body, fields) => {
  const findings = inspect({ path: '/api/bench', query: {}, body, headers: {}, fields });
  return { reported: findings.length > 0, refused: findings.some(refusable) };
};

/** The IDS at `rev`, copied out of git; every inspected field is refused on any finding. */
async function baselineAt(rev: string, dir: string): Promise<Screener> {
  const folder = 'src/defense/ids';
  const listing = execFileSync('git', ['ls-tree', '--name-only', `${rev}:${folder}`], {
    encoding: 'utf8',
  });
  mkdirSync(join(dir, 'ids'));
  for (const name of listing.split('\n')) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const text = execFileSync('git', ['show', `${rev}:${folder}/${name}`], { encoding: 'utf8' });
    writeFileSync(join(dir, 'ids', name), text);
  }
  const old = (await import(join(dir, 'ids', 'index.ts'))) as {
    inspect: (request: InspectedRequest) => unknown[];
  };
  return (body) => {
    const found = old.inspect({ path: '/api/bench', query: {}, body, headers: {} }).length > 0;
    return { reported: found, refused: found };
  };
}

function randomItem(rng: Rng, alphabet: readonly string[] | undefined): string {
  const length = 1 + Math.floor(rng() * 16);
  let item = '';
  for (let i = 0; i < length; i += 1) {
    if (alphabet !== undefined) {
      item += alphabet[Math.floor(rng() * alphabet.length)] ?? '';
      continue;
    }
    // Any code point but a lone surrogate, which JSON cannot carry as UTF-8.
    let point = Math.floor(rng() * 0x110000);
    if (point >= 0xd800 && point <= 0xdfff) point -= 0x800;
    item += String.fromCodePoint(point);
  }
  return item;
}

function randomTrees(seed: number, alphabet: readonly string[] | undefined): string[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: TREES }, () =>
    Array.from({ length: 1 + Math.floor(rng() * MAX_ITEMS) }, () => randomItem(rng, alphabet)),
  );
}

interface Row {
  what: string;
  field: string;
  n: number;
  /** Percent of n, before (baseline) and after (this tree). */
  reportedBefore: number;
  refusedBefore: number;
  reportedAfter: number;
  refusedAfter: number;
}

function rate(bodies: readonly unknown[], screen: Screener, fields: FieldPolicy): Screen[] {
  return bodies.map((body) => screen(body, fields));
}

function percent(screens: readonly Screen[], key: keyof Screen): number {
  return (100 * screens.filter((s) => s[key]).length) / Math.max(1, screens.length);
}

function row(
  what: string,
  field: string,
  bodies: readonly unknown[],
  before: Screener,
  fields: FieldPolicy,
): Row {
  const old = rate(bodies, before, fields);
  const now = rate(bodies, current, fields);
  return {
    what,
    field,
    n: bodies.length,
    reportedBefore: percent(old, 'reported'),
    refusedBefore: percent(old, 'refused'),
    reportedAfter: percent(now, 'reported'),
    refusedAfter: percent(now, 'refused'),
  };
}

/** Microseconds per tree body screened, the median of five passes over every tree. */
function microsPerTree(screen: Screener, bodies: readonly unknown[], fields: FieldPolicy): number {
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass += 1) {
    const started = performance.now();
    for (const body of bodies) screen(body, fields);
    passes.push(((performance.now() - started) * 1000) / bodies.length);
  }
  return passes.sort((a, b) => a - b)[2] ?? 0;
}

function timing(before: Screener): { before: number; now: number } {
  const bodies = randomTrees(15, ITEM_ALPHABET).map((data) => ({ data, encoding: 'utf8' }));
  return {
    before: microsPerTree(before, bodies, {}),
    now: microsPerTree(current, bodies, { opaque: ['data'] }),
  };
}

function measure(before: Screener): Row[] {
  const rows: Row[] = [];
  const corpus = realisticText(12_000);
  const notes = corpus.map(({ text }) => ({ note: text }));
  rows.push(row('realistic corpus', 'structured', notes, before, {}));
  rows.push(row('realistic corpus', 'free text', notes, before, { freeText: ['note'] }));
  rows.push(row('realistic corpus', 'opaque', notes, before, { opaque: ['note'] }));

  const merkle = { opaque: ['data'] };
  for (const [what, alphabet, seed] of [
    ['Merkle trees, issue alphabet', ITEM_ALPHABET, 13],
    ['Merkle trees, any Unicode', undefined, 14],
  ] as const) {
    const trees = randomTrees(seed, alphabet);
    const bodies = trees.map((data) => ({ data, encoding: 'utf8' }));
    rows.push(row(what, 'structured', bodies, before, {}));
    rows.push(row(what, 'opaque', bodies, before, merkle));
    const items = trees.flat().slice(0, 100_000);
    const single = items.map((item) => ({ data: [item], encoding: 'utf8' }));
    rows.push(row(`${what}: items`, 'structured', single, before, {}));
  }

  for (const detector of DETECTOR_NAMES) {
    const bodies = attacks[detector].map((payload) => ({ note: payload }));
    rows.push(row(`attacks: ${detector}`, 'structured', bodies, before, {}));
    rows.push(row(`attacks: ${detector}`, 'free text', bodies, before, { freeText: ['note'] }));
  }
  return rows;
}

function table(rows: readonly Row[], baseline: string): string {
  const pct = (n: number): string => `${n.toFixed(n > 0 && n < 1 ? 3 : 1)}%`;
  const head = [
    'what'.padEnd(40),
    'field'.padEnd(11),
    'n'.padStart(7),
    `reported ${baseline}`.padStart(18),
    `refused ${baseline}`.padStart(17),
    'reported now'.padStart(14),
    'refused now'.padStart(13),
  ].join('');
  const lines = rows.map((r) =>
    [
      r.what.padEnd(40),
      r.field.padEnd(11),
      String(r.n).padStart(7),
      pct(r.reportedBefore).padStart(18),
      pct(r.refusedBefore).padStart(17),
      pct(r.reportedAfter).padStart(14),
      pct(r.refusedAfter).padStart(13),
    ].join(''),
  );
  return [head, ...lines].join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'sse-bench-ids-fp-'));
try {
  const before = await baselineAt(values.baseline, dir);
  const rows = measure(before);
  const micros = timing(before);
  const summary = { node: process.version, baseline: values.baseline, trees: TREES, rows, micros };
  process.stdout.write(
    (values.json
      ? JSON.stringify(summary, null, 2)
      : `${table(rows, values.baseline)}\n\ninspection of one tree of 1-${MAX_ITEMS} items: ` +
        `${micros.before.toFixed(0)} µs at ${values.baseline}, ${micros.now.toFixed(0)} µs now`) +
      '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
