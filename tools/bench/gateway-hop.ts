// `npm run bench:gateway [-- --orders N] [-- --postgres URL] [-- --json]`: the latency a gateway
// hop adds to an order. Two nodes in one process share one database and key directory: A leads,
// B forwards every command to A over HTTP on 127.0.0.1. One client places orders one at a time
// (so the figure is latency, not queueing), alternating A directly and B, over keep-alive HTTP:
// IOC buys below the market, so each is a journaled command and nothing rests. It prints p50 and
// p99 of both paths and the difference: the hop (B's API edge, the signed internal request, the
// leader's envelope check) measured against the direct baseline in the same run.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildExchange, type Exchange } from '../../src/app.ts';
import type { ClusterView, LeaderInfo, NodeRole } from '../../src/cluster/role.ts';
import { loadConfig } from '../../src/config.ts';
import { initialListings } from '../../src/market/listings.ts';
import { openKeyring } from '../../src/store/data-keys.repo.ts';
import { openStore } from '../../src/store/db.ts';
import { ensureKeyMaterial } from '../../src/store/key-files.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const asJson = args.includes('--json');
const orders = Number(option('--orders') ?? 2000) || 2000;
const postgres = option('--postgres');
const WARMUP = 200;

function log(text: string): void {
  if (!asJson) process.stderr.write(text + '\n');
}

function view(nodeId: string, role: NodeRole, leader: () => LeaderInfo | undefined): ClusterView {
  return {
    nodeId,
    role: () => role,
    leader,
    epoch: () => (role === 'leader' ? 1 : 0),
    onChange: () => () => undefined,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-gateway-'));
  // On PostgreSQL, a schema of its own, dropped at the end: the database is left as it was.
  const schema = `bench_gateway_${randomBytes(6).toString('hex')}`;
  const store =
    postgres === undefined
      ? await openStore(`sqlite:${join(dir, 'exchange.db')}`)
      : await openStore(postgres, { schema });
  await migrateToLatest(store);
  await new SymbolsRepo(store.db).insertMissing(initialListings(Date.now()));
  const nodes: Exchange[] = [];
  let leader: LeaderInfo | undefined;
  const node = async (id: string, role: NodeRole): Promise<{ node: Exchange; url: string }> => {
    const config = loadConfig(
      {
        DATA_DIR: dir,
        LOG_FILE: 'off',
        SIMULATOR: 'off',
        API_RATE_LIMIT: '100000000',
        API_BURST_LIMIT: '1000000',
        // Only the leader signs tree heads.
        ...(role === 'leader' ? {} : { AUDIT_TREE_HEAD_SECONDS: '86400' }),
      },
      dir,
    );
    const { keys } = ensureKeyMaterial(config);
    const keyring = await openKeyring(store.db, keys.masterKey, Date.now());
    const built = await buildExchange({
      config,
      store,
      keys,
      keyring,
      cluster: view(id, role, () => leader),
    });
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    nodes.push(built);
    return {
      node: built,
      url: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`,
    };
  };
  try {
    const a = await node('a', 'leader');
    leader = { nodeId: 'a', address: a.url, epoch: 1 };
    const b = await node('b', 'standby');

    const password = 'a long enough passphrase';
    const registered = await a.node.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: {
        username: 'hopper',
        email: 'hopper@example.com',
        password,
        full_name: 'Hop Trader',
      },
    });
    if (registered.statusCode !== 201) throw new Error(`register: ${registered.body}`);
    const userId = registered.json<{ user_id: number }>().user_id;
    const funded = await a.node.venue.exchange.adjust(userId, 'INR', 1e15, 'bench');
    if (!funded.ok) throw new Error(`funding failed: ${funded.code}`);
    const login = await a.node.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'hopper', password },
    });
    const token = login.json<{ access_token: string }>().access_token;

    const order = JSON.stringify({
      symbol: 'TCS',
      order_type: 'BUY',
      order_mode: 'LIMIT',
      time_in_force: 'IOC',
      quantity: 1,
      price: '3500.00',
    });
    const timed = async (base: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${base}/api/trading/order`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: order,
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`order through ${base}: ${res.status}`);
      return performance.now() - started;
    };

    log(`warming up (${WARMUP} orders on each path)`);
    for (let i = 0; i < WARMUP; i += 1) {
      await timed(a.url);
      await timed(b.url);
    }
    log(`placing ${orders} orders on each path, alternating`);
    const direct: number[] = [];
    const hop: number[] = [];
    for (let i = 0; i < orders; i += 1) {
      direct.push(await timed(a.url));
      hop.push(await timed(b.url));
    }
    direct.sort((x, y) => x - y);
    hop.sort((x, y) => x - y);
    const figures = {
      orders,
      database: store.dialect,
      direct: { p50: percentile(direct, 50), p99: percentile(direct, 99) },
      gateway: { p50: percentile(hop, 50), p99: percentile(hop, 99) },
      added: {
        p50: percentile(hop, 50) - percentile(direct, 50),
        p99: percentile(hop, 99) - percentile(direct, 99),
      },
    };
    if (asJson) {
      process.stdout.write(JSON.stringify(figures) + '\n');
    } else {
      const row = (name: string, f: { p50: number; p99: number }): string =>
        `${name.padEnd(26)}${f.p50.toFixed(2).padStart(10)}${f.p99.toFixed(2).padStart(10)}`;
      process.stdout.write(
        [
          `orders per path: ${orders}, database: ${store.dialect}`,
          `${'path'.padEnd(26)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
          row('direct to the leader', figures.direct),
          row('through a gateway', figures.gateway),
          row('added by the hop', figures.added),
        ].join('\n') + '\n',
      );
    }
  } finally {
    for (const n of nodes.reverse()) await n.app.close();
    await store.close();
    if (postgres !== undefined) {
      const client = new pg.Client({ connectionString: postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
