// `npm run bench:failover [-- --rounds N] [-- --book N] [-- --large N]`: how long trading stops
// when the sequencer's node dies (SIGKILL) or hangs (SIGSTOP) in a three-node cluster with a
// resting book, split into the lease running out and the takeover; how long recovery takes as
// the book grows; and, as the baseline, a node's start with an empty book. PostgreSQL and Redis
// on loopback (DATABASE_URL / REDIS_URL, else the local defaults), fresh schema, dropped after.

import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { AuditLog } from '../../src/audit/log.ts';
import { recoverExchange } from '../../src/exchange/recovery.ts';
import { initialListings } from '../../src/market/listings.ts';
import { AuditRepo } from '../../src/store/audit.repo.ts';
import { openStore } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';
import { TradingRepo } from '../../src/store/trading.repo.ts';
import { UsersRepo } from '../../src/store/users.repo.ts';
import {
  ADMIN_PASSWORD,
  startCluster,
  type Node,
  type TestCluster,
} from '../../test/support/cluster.ts';
import { postJson, takeOverAdmin } from '../exchange-process.ts';
import { seedRestingOrders } from './resting-orders.ts';
import { benchExchangeOptions } from './sequencer-fixture.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number =>
  Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const ROUNDS = args.includes('--rounds') ? option('rounds', 3) : 3;
const BOOK = args.includes('--book') ? option('book', 100_000) : 100_000;
const LARGE = args.includes('--large') ? option('large', 1_000_000) : 1_000_000;
const LEASE_MS = 3000;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NEW_ADMIN_PASSWORD = 'benchmark operator passphrase';
const PROBE_PASSWORD = 'a long enough passphrase';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ms = (n: number): string => `${Math.round(n)} ms`;
const log = (text: string): void => void process.stdout.write(text + '\n');

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
  return `min ${ms(sorted[0] ?? NaN)}, median ${ms(median)}, max ${ms(sorted.at(-1) ?? NaN)}`;
}

/** When the node's last takeover started, recovered the exchange, and served it (its log). */
interface Takeover {
  leadAt: number;
  recoveredAt: number;
  servingAt: number;
}

function lastTakeover(node: Node): Takeover | undefined {
  let recoveredAt: number | undefined;
  let found: Takeover | undefined;
  for (const line of (node.running?.output() ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: unknown; time?: unknown; recoveryMs?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (typeof entry.time !== 'number') continue;
    if (entry.msg === 'exchange recovered') recoveredAt = entry.time;
    if (entry.msg === 'serving as the leader' && typeof entry.recoveryMs === 'number') {
      found = {
        leadAt: entry.time - entry.recoveryMs,
        recoveredAt: recoveredAt ?? entry.time,
        servingAt: entry.time,
      };
    }
  }
  return found;
}

async function waitForRole(cluster: TestCluster, node: Node, role: string, limitMs: number) {
  const end = Date.now() + limitMs;
  for (;;) {
    const health = await cluster.health(node);
    if (health?.cluster?.role === role) return Date.now();
    if (Date.now() > end) {
      const tail = node.running?.output().slice(-3000) ?? '';
      throw new Error(
        `${node.id} is not ${role} within ${limitMs} ms: ${JSON.stringify(health)}\n${tail}`,
      );
    }
    await sleep(25);
  }
}

/** Tries an order on each node in turn until one accepts it: the time and the node. */
async function firstAccepted(nodes: readonly Node[], token: string, tag: string) {
  const end = Date.now() + 30_000;
  for (let n = 0; Date.now() < end; n += 1) {
    for (const node of nodes) {
      const reply = await fetch(`${node.base}/api/trading/order`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          symbol: 'TCS',
          order_type: 'SELL',
          order_mode: 'LIMIT',
          quantity: 1,
          price: '4115.35',
          client_order_id: `${tag}-${n}-${node.id}`,
        }),
        signal: AbortSignal.timeout(1000),
      }).catch(() => undefined);
      if (reply?.status === 201) return { at: Date.now(), node };
      await reply?.body?.cancel();
    }
    await sleep(10);
  }
  throw new Error('no node accepted an order within 30 s');
}

/** A cluster on a fresh schema holding `orders` resting orders; when its nodes were spawned. */
async function seededCluster(nodes: number, orders: number) {
  let spawnedAt = 0;
  let seedMs = 0;
  const cluster = await startCluster({
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    nodes,
    leaseMs: LEASE_MS,
    seed: async (schema) => {
      if (orders > 0) seedMs = (await seedRestingOrders(DATABASE_URL, schema, orders)).ms;
      spawnedAt = Date.now();
    },
  });
  return { cluster, spawnedAt, seedMs };
}

/** Spawn to a leader that trades, for one node on a fresh schema holding `orders`. */
async function coldStart(orders: number) {
  const { cluster, spawnedAt, seedMs } = await seededCluster(1, orders);
  try {
    const node = await cluster.leader(180_000);
    const readyMs = Date.now() - spawnedAt;
    const health = await cluster.health(node);
    if (health?.trading.available !== true) {
      throw new Error(`trading is not available: ${JSON.stringify(health)}\n${cluster.logs()}`);
    }
    const t = lastTakeover(node);
    return {
      seedMs,
      readyMs,
      bootMs: t === undefined ? NaN : t.leadAt - spawnedAt,
      recoveryMs: t === undefined ? NaN : t.recoveredAt - t.leadAt,
      appMs: t === undefined ? NaN : t.servingAt - t.recoveredAt,
    };
  } finally {
    await cluster.stop();
  }
}

function printColdStart(label: string, c: Awaited<ReturnType<typeof coldStart>>): void {
  log(
    `${label}: spawn to trading ${ms(c.readyMs)} = process start and lease ${ms(c.bootMs)}` +
      ` + recovery ${ms(c.recoveryMs)} + app build and listen ${ms(c.appMs)}` +
      ` (+ health poll)${c.seedMs > 0 ? `; seeded in ${ms(c.seedMs)}` : ''}`,
  );
}

async function failovers(): Promise<void> {
  const { cluster, spawnedAt, seedMs } = await seededCluster(3, BOOK);
  log(`seeded ${BOOK} resting orders in ${ms(seedMs)}`);
  try {
    const first = await cluster.leader(180_000);
    const health = await cluster.health(first);
    if (health?.trading.available !== true) {
      throw new Error(`trading is not available: ${JSON.stringify(health)}\n${cluster.logs()}`);
    }
    log(`3 nodes, ${BOOK} orders: first leader trading ${ms(Date.now() - spawnedAt)} after spawn`);
    const admin = await takeOverAdmin(first.base, ADMIN_PASSWORD, NEW_ADMIN_PASSWORD);
    const reg = await postJson(first.base, '/api/auth/register', {
      username: 'probe',
      email: 'probe@example.com',
      password: PROBE_PASSWORD,
      full_name: 'probe',
    });
    if (reg.status !== 201) throw new Error(`register: ${JSON.stringify(reg.body)}`);
    const given = await postJson(
      first.base,
      `/api/admin/users/${reg.body.user_id as number}/adjust`,
      { asset: 'TCS', amount: '1000000', reason: 'failover benchmark' },
      admin,
    );
    if (given.status !== 200) throw new Error(`adjust: ${JSON.stringify(given.body)}`);
    const login = await postJson(first.base, '/api/auth/login', {
      username: 'probe',
      password: PROBE_PASSWORD,
    });
    const token = login.body.access_token as string;
    const store = await cluster.store();
    const leaseExpiry = async (): Promise<number> => {
      const row = await store.db.selectFrom('cluster_lease').selectAll().executeTakeFirst();
      return row?.expires_at ?? NaN;
    };

    const kill = { total: [] as number[], afterExpiry: [] as number[], ttl: [] as number[] };
    const phases = {
      detect: [] as number[],
      recovery: [] as number[],
      app: [] as number[],
      client: [] as number[],
    };
    const paused = { total: [] as number[], fenced: [] as number[] };
    let restarts = 0;
    for (let round = 0; round < ROUNDS * 2; round += 1) {
      const leader = await cluster.leader(60_000);
      const others = cluster.nodes.filter((n) => n !== leader);
      for (const n of others) {
        // A node that lost the lease stays fenced until restarted (a cold start of three nodes
        // on two busy cores can fence the first taker): restart it, as an operator would.
        if ((await cluster.health(n))?.cluster?.role === 'fenced') {
          restarts += 1;
          await n.running?.stop('SIGKILL');
          cluster.start(n);
        }
        await waitForRole(cluster, n, 'standby', 90_000);
      }
      // The leader is warm: one order through it before the fault.
      await firstAccepted([leader], token, `warm${round}`);
      const pid = leader.pid ?? 0;
      const sigkill = round % 2 === 0;
      const faultAt = Date.now();
      process.kill(pid, sigkill ? 'SIGKILL' : 'SIGSTOP');
      // The dead leader renews nothing more: the row's expiry is when the lease runs out.
      const expiresAt = await leaseExpiry();
      const accepted = await firstAccepted(others, token, `r${round}`);
      const total = accepted.at - faultAt;
      const t = lastTakeover(accepted.node);
      if (sigkill) {
        kill.total.push(total);
        kill.ttl.push(expiresAt - faultAt);
        kill.afterExpiry.push(accepted.at - expiresAt);
        if (t !== undefined) {
          phases.detect.push(t.leadAt - expiresAt);
          phases.recovery.push(t.recoveredAt - t.leadAt);
          phases.app.push(t.servingAt - t.recoveredAt);
          phases.client.push(accepted.at - t.servingAt);
        }
        log(
          `SIGKILL ${leader.id}: first order on ${accepted.node.id} after ${ms(total)}` +
            ` (lease ran out after ${ms(expiresAt - faultAt)}, then ${ms(accepted.at - expiresAt)})`,
        );
        cluster.start(leader);
      } else {
        paused.total.push(total);
        const resumedAt = Date.now();
        process.kill(pid, 'SIGCONT');
        const fencedAt = await waitForRole(cluster, leader, 'fenced', 15_000);
        paused.fenced.push(fencedAt - resumedAt);
        log(
          `SIGSTOP ${leader.id}: first order on ${accepted.node.id} after ${ms(total)};` +
            ` after SIGCONT it says fenced within ${ms(fencedAt - resumedAt)}`,
        );
        await leader.running?.stop('SIGKILL');
        cluster.start(leader);
      }
    }
    log('');
    log(`failover after SIGKILL (${ROUNDS}×, TTL ${LEASE_MS} ms, ${BOOK} resting orders):`);
    log(`  kill to first accepted order   ${spread(kill.total)}`);
    log(`  of which the lease running out ${spread(kill.ttl)}`);
    log(`  lease expiry to first order    ${spread(kill.afterExpiry)}   (target ≤ 2000 ms)`);
    log(`    standby taking the lease     ${spread(phases.detect)}`);
    log(`    recovery (exchange recovered) ${spread(phases.recovery)}`);
    log(`    app build and listen         ${spread(phases.app)}`);
    log(`    serving to the first 201     ${spread(phases.client)}`);
    log(`failover after SIGSTOP (${ROUNDS}×):`);
    log(
      `  stop to first accepted order   ${spread(paused.total)}   (target ≤ ${LEASE_MS + 2000} ms)`,
    );
    log(`  SIGCONT to health 'fenced'     ${spread(paused.fenced)}`);
    log(`  fenced standbys found and restarted between rounds: ${restarts}`);
  } finally {
    await cluster.stop();
  }
}

/** recoverExchange in this process, on one schema grown to each size in turn. */
async function recoveries(sizes: readonly number[]): Promise<void> {
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const store = await openStore(DATABASE_URL, { schema, poolSize: 2 });
  try {
    await migrateToLatest(store);
    const now = Date.now;
    const symbols = new SymbolsRepo(store.db);
    await symbols.insertMissing(initialListings(now()));
    const feeAccount = await new UsersRepo(store.db).ensureSystemUser('exchange', now());
    const audit = await AuditLog.open({
      repo: new AuditRepo(store.db),
      key: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      now,
      headIntervalMs: 3_600_000,
      headEveryLeaves: Number.MAX_SAFE_INTEGER,
    });
    const trading = new TradingRepo(store);
    let held = 0;
    for (const size of [0, ...sizes]) {
      if (size > held) {
        const seeded = await seedRestingOrders(DATABASE_URL, schema, size - held);
        log(`seeded ${size - held} more resting orders in ${ms(seeded.ms)}`);
        held = size;
      }
      let started = performance.now();
      const rows = (await trading.openOrders()).length;
      const readMs = performance.now() - started;
      started = performance.now();
      const recovered = await recoverExchange({
        trading,
        symbols,
        audit,
        options: benchExchangeOptions(feeAccount, now),
      });
      const recoverMs = performance.now() - started;
      if (recovered.problems.length > 0 || recovered.openOrders !== rows || rows !== size) {
        throw new Error(`recovery of ${size}: ${recovered.problems.slice(0, 3).join('; ')}`);
      }
      const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      log(
        `recoverExchange, ${size} open orders: ${ms(recoverMs)}` +
          ` (reading the rows alone ${ms(readMs)}; heap after ${heap} MiB)`,
      );
    }
  } finally {
    await store.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
}

log(`bench:failover on ${DATABASE_URL} and ${REDIS_URL}`);
const started = Date.now();
printColdStart('baseline, 1 node, empty book', await coldStart(0));
await failovers();
log('');
await recoveries([...new Set([BOOK, Math.min(300_000, LARGE), LARGE])].sort((a, b) => a - b));
printColdStart(`1 node, ${LARGE} resting orders`, await coldStart(LARGE));
log(`\nwall time ${ms(Date.now() - started)}`);
