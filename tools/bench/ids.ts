// `npm run bench:ids [-- --requests N] [-- --json]`: what one hostile request costs the exchange.
//
// Starts the exchange as a child process on a fresh SQLite data directory (simulator off, request
// limits raised so nothing is answered 429), then sends each kind of request one at a time on
// loopback while a second client polls GET /api/health every 20 ms:
//   - GET /api/health, the baseline of what any request costs on this machine now;
//   - honest registrations, a second baseline (argon2id hashing is most of their cost);
//   - the review's amplification request (issue 12, finding 2): an anonymous register with 900
//     unknown fields, each holding `<script>' OR 1=1--;cat /etc/passwd ../../`;
//   - the same payload in both login fields: the IDS inspects the username (the password is a
//     secret field, never inspected).
// For each kind it prints latency (p50, p99, max), the security events, audit leaves and database
// bytes each request added, and the slowest health answer meanwhile.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { freePort, startExchange } from '../exchange-process.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const REQUESTS = Math.max(1, Number(values.requests) || 50);
const HONEST_REQUESTS = Math.max(1, Math.round(REQUESTS / 5));
const MIXED = "<script>' OR 1=1--;cat /etc/passwd ../../";
const EXTRA_FIELDS = 900;
const HEALTH_EVERY_MS = 20;

interface Sent {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

interface Kind {
  name: string;
  count: number;
  request: (i: number) => Sent;
}

interface Figures {
  name: string;
  requests: number;
  statuses: string;
  p50: number;
  p99: number;
  max: number;
  eventsPerRequest: number;
  leavesPerRequest: number;
  bytesPerRequest: number;
  healthMax: number;
}

const kinds: Kind[] = [
  {
    name: 'GET /api/health (baseline)',
    count: REQUESTS,
    request: () => ({ method: 'GET', path: '/api/health' }),
  },
  {
    name: 'honest register (baseline)',
    count: HONEST_REQUESTS,
    request: (i) => ({
      method: 'POST',
      path: '/api/auth/register',
      body: {
        username: `bench_${i}`,
        email: `bench_${i}@example.com`,
        password: 'a long enough passphrase',
        full_name: 'Bench Trader',
      },
    }),
  },
  {
    name: `register + ${EXTRA_FIELDS} attack fields`,
    count: REQUESTS,
    request: (i) => {
      const body: Record<string, string> = {
        username: `flood_${i}`,
        email: `flood_${i}@example.com`,
        password: 'a long enough passphrase',
        full_name: 'Flood',
      };
      for (let f = 0; f < EXTRA_FIELDS; f++) body[`f${f}`] = MIXED;
      return { method: 'POST', path: '/api/auth/register', body };
    },
  },
  {
    name: 'login, attack in both fields',
    count: REQUESTS,
    request: () => ({
      method: 'POST',
      path: '/api/auth/login',
      body: { username: MIXED, password: MIXED },
    }),
  },
];

function log(text: string): void {
  if (!values.json) process.stderr.write(text + '\n');
}

/** Sends the request, its body serialized before the clock starts. */
async function timed(base: string, sent: Sent): Promise<{ ms: number; status: number }> {
  const init: RequestInit =
    sent.body === undefined
      ? { method: sent.method }
      : {
          method: sent.method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(sent.body),
        };
  const started = performance.now();
  const res = await fetch(base + sent.path, init);
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Events, leaves and bytes the database holds now (read beside the running server, WAL). */
function stored(file: string): { events: number; leaves: number; bytes: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return {
      events: count('security_events'),
      leaves: count('audit_log'),
      bytes: pages * pageSize,
    };
  } finally {
    db.close();
  }
}

async function measure(base: string, file: string, kind: Kind): Promise<Figures> {
  const before = stored(file);
  let running = true;
  const health: number[] = [];
  const prober = (async () => {
    while (running) {
      health.push((await timed(base, { method: 'GET', path: '/api/health' })).ms);
      await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
    }
  })();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < kind.count; i++) {
    const { ms, status } = await timed(base, kind.request(i));
    latencies.push(ms);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  running = false;
  await prober;
  const after = stored(file);
  latencies.sort((a, b) => a - b);
  const per = (n: number) => Number((n / kind.count).toFixed(2));
  return {
    name: kind.name,
    requests: kind.count,
    statuses: [...statuses].map(([status, n]) => `${status} x${n}`).join(', '),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    eventsPerRequest: per(after.events - before.events),
    leavesPerRequest: per(after.leaves - before.leaves),
    bytesPerRequest: Math.round((after.bytes - before.bytes) / kind.count),
    healthMax: Math.max(0, ...health),
  };
}

function table(rows: readonly Figures[]): string {
  const columns: [string, (f: Figures) => string, number][] = [
    ['request', (f) => f.name, 34],
    ['n', (f) => String(f.requests), 5],
    ['p50 ms', (f) => f.p50.toFixed(1), 9],
    ['p99 ms', (f) => f.p99.toFixed(1), 9],
    ['max ms', (f) => f.max.toFixed(1), 9],
    ['events/req', (f) => String(f.eventsPerRequest), 12],
    ['leaves/req', (f) => String(f.leavesPerRequest), 12],
    ['bytes/req', (f) => String(f.bytesPerRequest), 11],
    ['health max ms', (f) => f.healthMax.toFixed(1), 15],
  ];
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(34) : cell.padStart(columns[i]?.[2] ?? 0)));
  return [
    line(columns.map(([title]) => title)).join(''),
    ...rows.map((f) => line(columns.map(([, cell]) => cell(f))).join('')),
    ...rows.map((f) => `  ${f.name}: ${f.statuses}`),
  ].join('\n');
}

/** Runs every kind of request against a fresh exchange whose data lives in `dir`. */
async function measureAll(dir: string): Promise<Figures[]> {
  const port = await freePort();
  log(`starting the exchange on 127.0.0.1:${port} (SQLite, ${dir})`);
  const child = await startExchange(port, {
    DATA_DIR: join(dir, 'data'),
    ADMIN_PASSWORD: 'benchmark operator passphrase',
    API_RATE_LIMIT: '100000000',
    API_BURST_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '1000000',
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const rows: Figures[] = [];
    for (const kind of kinds) {
      log(`${kind.name}: ${kind.count} requests`);
      rows.push(await measure(`http://127.0.0.1:${port}`, join(dir, 'data', 'exchange.db'), kind));
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sse-bench-ids-'));
try {
  const rows = await measureAll(dir);
  process.stdout.write(
    (values.json ? JSON.stringify({ node: process.version, rows }, null, 2) : table(rows)) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
