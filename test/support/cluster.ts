// Runs a cluster as an operator would: `npm run init` once on a fresh PostgreSQL schema, the keys
// copied to every node's data directory, then `node src/main.ts` with CLUSTER=on per node, all on
// loopback, sharing one Redis under a fresh key prefix. Every process it starts is stopped by
// `stop`; every wait is bounded.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/db.ts';
import { ROOT, freePort, runServer, type Running } from './process.ts';

export const ADMIN_PASSWORD = 'initial operator passphrase';

export interface Health {
  status: 'ok' | 'degraded';
  trading: { available: boolean; reason?: string };
  cluster?: {
    node_id: string;
    role: 'leader' | 'standby' | 'fenced';
    leader: { node_id: string; address: string; epoch: number } | null;
    epoch: number;
    fenced_reason?: string;
  };
}

export interface Node {
  id: string;
  port: number;
  base: string;
  running: Running | undefined;
  /** The process id, for SIGSTOP and SIGCONT. */
  pid: number | undefined;
}

export interface TestCluster {
  nodes: Node[];
  schema: string;
  /** The environment every node shares (DATABASE_URL, DATABASE_SCHEMA, REDIS_URL…). */
  env: Record<string, string>;
  /** Starts the node's process (again), as a standby until it takes the lease. */
  start(node: Node): void;
  /** The node whose health says it leads, waiting up to `ms` for one. */
  leader(ms?: number): Promise<Node>;
  health(node: Node): Promise<Health | undefined>;
  /** The tail of every node's output, to explain a failure. */
  logs(): string;
  /** A store on the cluster's schema, for the checks; closed by `stop`. */
  store(): Promise<Store>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runToEnd(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/init.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`npm run init failed (${code}):\n${output}`);
  return output;
}

export async function startCluster(options: {
  databaseUrl: string;
  redisUrl: string;
  nodes: number;
  leaseMs: number;
  extra?: Record<string, string>;
  /** Runs on the initialised schema before any node starts (a benchmark's seeded book). */
  seed?: (schema: string) => Promise<void>;
}): Promise<TestCluster> {
  const schema = `c_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const dir = mkdtempSync(join(tmpdir(), 'sse-cluster-'));
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: schema,
    ADMIN_PASSWORD,
    LOG_FILE: 'off',
    SECURITY_LOG_FILE: 'off',
    API_RATE_LIMIT: '10000000',
    API_BURST_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '100000',
    SIMULATOR: 'off',
    ...options.extra,
  };
  await runToEnd({ ...env, DATA_DIR: join(dir, 'n1') });
  try {
    await options.seed?.(schema);
  } catch (error) {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const nodes: Node[] = [];
  for (let i = 1; i <= options.nodes; i += 1) {
    const port = await freePort();
    if (i > 1) {
      mkdirSync(join(dir, `n${i}`), { recursive: true, mode: 0o700 });
      cpSync(join(dir, 'n1', 'keys'), join(dir, `n${i}`, 'keys'), { recursive: true });
    }
    nodes.push({
      id: `n${i}`,
      port,
      base: `http://127.0.0.1:${port}`,
      running: undefined,
      pid: undefined,
    });
  }
  const stores: Store[] = [];
  const cluster: TestCluster = {
    nodes,
    schema,
    env,
    start(node) {
      node.running = runServer({
        ...env,
        CLUSTER: 'on',
        CLUSTER_LEASE_MS: String(options.leaseMs),
        NODE_ID: node.id,
        PORT: String(node.port),
        DATA_DIR: join(dir, node.id),
      });
      node.pid = node.running.pid;
    },
    async health(node) {
      try {
        const res = await fetch(`${node.base}/api/health`, { signal: AbortSignal.timeout(1000) });
        return (await res.json()) as Health;
      } catch {
        return undefined;
      }
    },
    async leader(ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        for (const node of nodes) {
          const health = await cluster.health(node);
          if (health?.cluster?.role === 'leader' && health.status === 'ok') return node;
        }
        if (Date.now() > end) throw new Error(`no leader within ${ms} ms\n${cluster.logs()}`);
        await sleep(50);
      }
    },
    logs() {
      return nodes.map((n) => `--- ${n.id}\n${n.running?.output().slice(-4000) ?? ''}`).join('\n');
    },
    async store() {
      const store = await openStore(options.databaseUrl, { schema, poolSize: 2 });
      stores.push(store);
      return store;
    },
    async stop() {
      await Promise.all(
        nodes.map(async (node) => {
          if (node.pid !== undefined) {
            try {
              process.kill(node.pid, 'SIGCONT');
            } catch {
              // already gone
            }
          }
          await node.running?.stop('SIGKILL');
        }),
      );
      for (const store of stores) await store.close();
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const node of nodes) cluster.start(node);
  return cluster;
}
