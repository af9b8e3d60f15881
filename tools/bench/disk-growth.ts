// `npm run bench:disk [-- --minutes N] [-- --sample-seconds S] [-- --set KEY=VALUE ...]
// [-- --no-baseline] [-- --json]`: how fast a default install fills its disk.
//
// Starts the exchange as a child process on a fresh temporary directory (SQLite, loopback, a free
// port), at default settings (simulator on, logs at info into files) unless --set changes one,
// and samples everything it writes there (database, WAL, key files, log files) for N minutes.
// The bench holds its own connection to the database and checkpoints the WAL before each
// sample, so the database file holds every committed page; the WAL file, reused once
// checkpointed, is shown apart. At each sample it also reads every symbol's best bid and ask over
// HTTP and checks they are two-sided and inside the market collar of the last price. At the end it
// reads from the database the orders, trades and audit leaves per minute and the longest gap
// between trades of each symbol, and extrapolates the growth to bytes a day.
//
// In the same run it first measures the same install with the simulator off, as the baseline
// (what the server writes with nobody trading; the bench sends it no requests). Every child process is stopped on the way out,
// on error and on SIGINT/SIGTERM too, and the whole run has a deadline.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.ts';
import { buyCollar, sellCollar } from '../../src/exchange/collar.ts';
import { parseRupees } from '../../src/money.ts';
import { freePort, startExchange } from '../exchange-process.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '30' },
    set: { type: 'string', multiple: true, default: [] },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const sampleSeconds = Number(values['sample-seconds']);
if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be in (0, 1440]');
if (!(sampleSeconds >= 1 && sampleSeconds <= 600))
  throw new Error('--sample-seconds must be in [1, 600]');
const overrides = Object.fromEntries(
  values.set.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set wants KEY=VALUE, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
/** Bots set up and the first quotes rest before the first sample. */
const WARM_UP_MS = 20_000;

function log(text: string): void {
  if (!values.json) process.stderr.write(text + '\n');
}

// --- the child processes, stopped whatever happens ------------------------------------------

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(forced);
  children.delete(child);
}

function cleanUpNow(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUpNow();
    process.exit(130);
  });
}
process.once('exit', cleanUpNow);

// --- sizes and market state -------------------------------------------------------------------

interface Sizes {
  /** Every file under the directory but the WAL and its index. */
  stored: number;
  /** Of `stored`, the log files. */
  logs: number;
  wal: number;
  byFile: Record<string, number>;
}

function sizes(root: string): Sizes {
  const byFile: Record<string, number> = {};
  let stored = 0;
  let logs = 0;
  let wal = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const size = statSync(path).size;
        byFile[path.slice(root.length + 1)] = size;
        if (entry.name.endsWith('-wal') || entry.name.endsWith('-shm')) wal += size;
        else stored += size;
        if (path.startsWith(join(root, 'logs'))) logs += size;
      }
    }
  };
  walk(root);
  return { stored, logs, wal, byFile };
}

interface Quote {
  symbol: string;
  tick: number;
  last: number;
  bid: number | null;
  ask: number | null;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

function paise(rupees: string): number {
  const value = parseRupees(rupees);
  if (value === undefined) throw new Error(`not a price: ${rupees}`);
  return value;
}

async function quotes(base: string): Promise<Quote[]> {
  const { stocks } = (await getJson(`${base}/api/market/stocks`)) as {
    stocks: { symbol: string }[];
  };
  return Promise.all(
    stocks.map(async ({ symbol }) => {
      const s = (await getJson(`${base}/api/market/stock/${symbol}`)) as {
        price: string;
        tick_size: string;
        best_bid: { price: string } | null;
        best_ask: { price: string } | null;
      };
      return {
        symbol,
        tick: paise(s.tick_size),
        last: paise(s.price),
        bid: s.best_bid === null ? null : paise(s.best_bid.price),
        ask: s.best_ask === null ? null : paise(s.best_ask.price),
      };
    }),
  );
}

/** Both sides present, not crossed, and a market order of either side fills inside its collar. */
function inCollar(q: Quote, collarBps: number): boolean {
  return (
    q.bid !== null &&
    q.ask !== null &&
    q.bid < q.ask &&
    q.ask <= buyCollar(q.last, collarBps, q.tick) &&
    q.bid >= sellCollar(q.last, collarBps, q.tick)
  );
}

// --- one measured run ---------------------------------------------------------------------------

interface RunFigures {
  name: string;
  settings: Record<string, string>;
  seconds: number;
  samples: number;
  startBytes: number;
  endBytes: number;
  /** After a clean stop: the server's last checkpoint folded the WAL into the database. */
  stoppedBytes: number;
  maxWalBytes: number;
  bytesPerDay: number;
  /** Of `bytesPerDay`, the log files: mostly the bench's own requests, logged at info. */
  logBytesPerDay: number;
  ordersPerMinute: number;
  tradesPerMinute: number;
  leavesPerMinute: number;
  bytesPerLeaf: number | null;
  /** Per symbol, the longest time without a trade in the window, edges included (seconds). */
  maxTradeGapSeconds: Record<string, number>;
  /** Samples at which some symbol was one-sided or quoted outside the collar, with which. */
  quoteFailures: { atSecond: number; symbols: string[] }[];
  files: Record<string, number>;
}

interface Counts {
  orders: number;
  trades: number;
  leaves: number;
}

function counts(db: Database.Database): Counts {
  const one = (sql: string) => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
  return {
    orders: one('select count(*) as n from orders'),
    trades: one('select count(*) as n from trades'),
    leaves: one('select max(seq) + 1 as n from audit_log'),
  };
}

function tradeGaps(
  db: Database.Database,
  symbols: readonly string[],
  from: number,
  to: number,
): Record<string, number> {
  const times = db.prepare(
    'select created_at as t from trades where symbol = ? and created_at >= ? and created_at <= ? order by created_at',
  );
  const gaps: Record<string, number> = {};
  for (const symbol of symbols) {
    let previous = from;
    let worst = 0;
    for (const { t } of times.all(symbol, from, to) as { t: number }[]) {
      worst = Math.max(worst, t - previous);
      previous = t;
    }
    gaps[symbol] = Math.round(Math.max(worst, to - previous) / 100) / 10;
  }
  return gaps;
}

async function measure(name: string, settings: Record<string, string>): Promise<RunFigures> {
  const root = mkdtempSync(join(tmpdir(), 'bench-disk-'));
  dirs.add(root);
  const env = {
    DATA_DIR: join(root, 'data'),
    // Defaults as an operator gets them, but inside the measured directory.
    LOG_FILE: join(root, 'logs', 'exchange.log'),
    SECURITY_LOG_FILE: join(root, 'logs', 'security_events.log'),
    LOG_LEVEL: 'info',
    SIMULATOR: 'on',
    ...settings,
  };
  const config = loadConfig(env, root);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  log(`${name}: starting the exchange on ${base} (${root})`);
  const child = await startExchange(port, env);
  children.add(child);
  const db = new Database(join(root, 'data', 'exchange.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const checkpointed = (): Sizes => {
      db.pragma('wal_checkpoint(PASSIVE)');
      return sizes(root);
    };
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const t0 = Date.now();
    const first = checkpointed();
    const before = counts(db);
    let last = first;
    let maxWal = first.wal;
    let samples = 0;
    const quoteFailures: RunFigures['quoteFailures'] = [];
    const end = t0 + minutes * 60_000;
    let symbols: string[] = [];
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(sampleSeconds * 1000, end - Date.now())));
      if (child.exitCode !== null) throw new Error(`${name}: the exchange exited`);
      last = checkpointed();
      maxWal = Math.max(maxWal, last.wal);
      samples += 1;
      // Nobody quotes with the simulator off, and its requests would be logged: it is left alone.
      const seen = config.simulator ? await quotes(base) : [];
      symbols = seen.map((q) => q.symbol);
      const failing = seen.filter((q) => !inCollar(q, config.marketCollarBps)).map((q) => q.symbol);
      const atSecond = Math.round((Date.now() - t0) / 1000);
      if (failing.length > 0) quoteFailures.push({ atSecond, symbols: failing });
      const grown = last.stored - first.stored;
      log(
        `${name}: ${String(atSecond).padStart(4)} s  +${(grown / 1e6).toFixed(2)} MB` +
          `  wal ${(last.wal / 1e6).toFixed(2)} MB` +
          (failing.length > 0 ? `  not quoted in collar: ${failing.join(' ')}` : ''),
      );
    }
    const t1 = Date.now();
    const after = counts(db);
    const gaps = config.simulator ? tradeGaps(db, symbols, t0, t1) : {};
    db.close();
    await stopChild(child);
    const stopped = sizes(root);
    const seconds = (t1 - t0) / 1000;
    const perMinute = (n: number) => Math.round((n * 600) / seconds) / 10;
    const leaves = after.leaves - before.leaves;
    const grown = last.stored - first.stored;
    return {
      name,
      settings,
      seconds: Math.round(seconds),
      samples,
      startBytes: first.stored,
      endBytes: last.stored,
      stoppedBytes: stopped.stored,
      maxWalBytes: maxWal,
      bytesPerDay: Math.round((grown * 86_400) / seconds),
      logBytesPerDay: Math.round(((last.logs - first.logs) * 86_400) / seconds),
      ordersPerMinute: perMinute(after.orders - before.orders),
      tradesPerMinute: perMinute(after.trades - before.trades),
      leavesPerMinute: perMinute(leaves),
      bytesPerLeaf: leaves > 0 ? Math.round(grown / leaves) : null,
      maxTradeGapSeconds: gaps,
      quoteFailures,
      files: stopped.byFile,
    };
  } finally {
    if (db.open) db.close();
    await stopChild(child);
    rmSync(root, { recursive: true, force: true });
    dirs.delete(root);
  }
}

function print(run: RunFigures): void {
  const mb = (b: number) => (b / 1e6).toFixed(2);
  const gaps = Object.entries(run.maxTradeGapSeconds);
  const worst = gaps.reduce((m, [, g]) => Math.max(m, g), 0);
  log(
    [
      ``,
      `== ${run.name} ${JSON.stringify(run.settings)}: ${run.seconds} s, ${run.samples} samples`,
      `   stored ${mb(run.startBytes)} -> ${mb(run.endBytes)} MB` +
        ` (after stop ${mb(run.stoppedBytes)} MB), WAL at most ${mb(run.maxWalBytes)} MB`,
      `   growth ${(run.bytesPerDay / 1e6).toFixed(1)} MB/day` +
        ` (of which logs ${(run.logBytesPerDay / 1e6).toFixed(1)} MB/day)` +
        (run.bytesPerLeaf === null ? '' : `, ${run.bytesPerLeaf} bytes per audit leaf`),
      `   per minute: ${run.ordersPerMinute} orders, ${run.tradesPerMinute} trades,` +
        ` ${run.leavesPerMinute} audit leaves`,
      gaps.length === 0
        ? `   no trades expected`
        : `   longest gap between trades: ${worst} s (` +
          gaps.map(([s, g]) => `${s} ${g}`).join(', ') +
          ')',
      `   samples with a symbol not two-sided inside the collar: ${run.quoteFailures.length}` +
        (run.quoteFailures.length > 0 ? ` ${JSON.stringify(run.quoteFailures.slice(0, 5))}` : ''),
      `   files after stop: ${JSON.stringify(run.files)}`,
    ].join('\n'),
  );
}

const runs: [string, Record<string, string>][] = [
  ...(values['no-baseline'] ? [] : [['baseline, simulator off', { SIMULATOR: 'off' }] as const]),
  [Object.keys(overrides).length === 0 ? 'defaults' : 'defaults with --set', overrides] as const,
].map(([n, s]) => [n, { ...s }]);
const deadline = setTimeout(
  () => {
    process.stderr.write('bench:disk ran past its deadline; stopping\n');
    cleanUpNow();
    process.exit(1);
  },
  runs.length * (minutes * 60_000 + WARM_UP_MS + 120_000),
);
deadline.unref();

try {
  const figures: RunFigures[] = [];
  for (const [name, settings] of runs) {
    const run = await measure(name, settings);
    figures.push(run);
    print(run);
  }
  if (values.json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
} catch (error) {
  process.stderr.write(`bench:disk failed: ${String(error)}\n`);
  process.exitCode = 1;
} finally {
  cleanUpNow();
  clearTimeout(deadline);
}
