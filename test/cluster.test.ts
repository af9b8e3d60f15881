// Three real node processes on loopback, on the local PostgreSQL and Redis (CI requires both).
// Under a bounded load of orders from several users, the leader is killed with SIGKILL ten times
// in a row; afterwards every acknowledged order exists exactly once, no order is filled beyond
// its quantity, the recovery checks and the audit log's integrity check pass, and the book
// equals a rebuild from the database. A leader stopped past its lease is fenced: it commits
// nothing when it wakes, and says so. A single process on the cluster's database refuses to
// start, naming the leader.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresTestUrl, redisTestUrl } from './support/stores.ts';
import {
  ADMIN_PASSWORD,
  startCluster,
  type Health,
  type Node,
  type TestCluster,
} from './support/cluster.ts';
import { postJson, runServer, takeOverAdmin } from './support/process.ts';

const PASSWORD = 'a long enough passphrase';
const NEW_ADMIN_PASSWORD = 'the real operator passphrase';
const USERS = ['ana', 'ben', 'chen', 'dev'];
const KILLS = 10;
const LEASE_MS = 3000;
const REQUEST_TIMEOUT_MS = 3000;

const databaseUrl = postgresTestUrl();
const redisUrl = redisTestUrl();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ack {
  user: string;
  clientOrderId: string;
  orderId: number;
}

/** Sends to whichever node leads, finding it again after a failover; bounded by `deadline`. */
class LeaderClient {
  private current: Node | undefined;

  constructor(private readonly cluster: TestCluster) {}

  async post(path: string, body: unknown, token?: string, deadlineMs = 30_000) {
    const end = Date.now() + deadlineMs;
    for (;;) {
      this.current ??= await this.cluster.leader(Math.max(1000, end - Date.now()));
      try {
        const res = await fetch(this.current.base + path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify(body),
          // A paused leader never answers: give up on it and look for the next.
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const reply = { status: res.status, body: (await res.json()) as Record<string, unknown> };
        if (reply.status !== 503) return reply;
      } catch {
        // the node is gone: find the new leader
      }
      this.current = undefined;
      if (Date.now() > end) throw new Error(`no answer for ${path} within ${deadlineMs} ms`);
      await sleep(50);
    }
  }
}

describe.runIf(databaseUrl !== undefined && redisUrl !== undefined)(
  'a cluster of three nodes',
  () => {
    let cluster: TestCluster | undefined;
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
    });

    async function setUp() {
      cluster = await startCluster({
        databaseUrl: databaseUrl ?? '',
        redisUrl: redisUrl ?? '',
        nodes: 3,
        leaseMs: LEASE_MS,
      });
      const leader = await cluster.leader(60_000);
      const admin = await takeOverAdmin(leader.base, ADMIN_PASSWORD, NEW_ADMIN_PASSWORD).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}\n${cluster?.logs() ?? ''}`);
        },
      );
      const client = new LeaderClient(cluster);
      const tokens: Record<string, string> = {};
      for (const name of USERS) {
        const reg = await client.post('/api/auth/register', {
          username: name,
          email: `${name}@example.com`,
          password: PASSWORD,
          full_name: name,
        });
        expect(reg.status, JSON.stringify(reg.body)).toBe(201);
        const given = await client.post(
          `/api/admin/users/${reg.body.user_id as number}/adjust`,
          { asset: 'TCS', amount: '100000', reason: 'cluster test' },
          admin,
        );
        expect(given.status).toBe(200);
        const login = await client.post('/api/auth/login', { username: name, password: PASSWORD });
        tokens[name] = login.body.access_token as string;
      }
      return { cluster, client, tokens, admin };
    }

    it('keeps every acknowledged order exactly once through ten SIGKILLs of the leader', async () => {
      const { cluster, client, tokens, admin } = await setUp();
      const acks: Ack[] = [];
      let sent = 0;
      let stop = false;
      const trader = async (worker: number): Promise<void> => {
        while (!stop) {
          const n = sent++;
          const user = USERS[(worker + n) % USERS.length] ?? 'ana';
          const clientOrderId = `w${worker}-${n}`;
          const reply = await client.post(
            '/api/trading/order',
            {
              symbol: 'TCS',
              order_type: n % 2 === 0 ? 'BUY' : 'SELL',
              order_mode: 'LIMIT',
              quantity: 1 + (n % 3),
              price: (4090 + (n % 5) * 5).toFixed(2),
              client_order_id: clientOrderId,
            },
            tokens[user],
          );
          // A retry after a failover answers with the order the first attempt placed.
          if (reply.status === 201 || reply.status === 200) {
            acks.push({ user, clientOrderId, orderId: reply.body.order_id as number });
          }
        }
      };
      const workers = Array.from({ length: 6 }, (_, i) => trader(i));
      const epochs: number[] = [];
      for (let round = 0; round < KILLS; round += 1) {
        const before = acks.length;
        const end = Date.now() + 20_000;
        while (acks.length < before + 30 && Date.now() < end) await sleep(20);
        const leader = await cluster.leader();
        epochs.push((await cluster.health(leader))?.cluster?.epoch ?? 0);
        const killed = await leader.running?.stop('SIGKILL');
        expect(killed?.signal).toBe('SIGKILL');
        cluster.start(leader); // back as a standby
      }
      stop = true;
      await Promise.all(workers);
      // Each failover was a takeover under a higher epoch.
      expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
      expect(new Set(epochs).size).toBe(KILLS);
      expect(acks.length).toBeGreaterThanOrEqual(KILLS * 30);

      const store = await cluster.store();
      const orders = await store.db
        .selectFrom('orders')
        .select(['id', 'user_id', 'client_order_id', 'quantity', 'filled_quantity', 'status'])
        .execute();
      const byClientId = new Map<string, number[]>();
      for (const o of orders) {
        if (o.client_order_id === null) continue;
        byClientId.set(o.client_order_id, [...(byClientId.get(o.client_order_id) ?? []), o.id]);
      }
      for (const ack of acks) {
        expect(byClientId.get(ack.clientOrderId), ack.clientOrderId).toEqual([ack.orderId]);
      }
      // Filled never beyond the quantity, and exactly what its trades add up to.
      const trades = await store.db
        .selectFrom('trades')
        .select(['id', 'quantity', 'buy_order_id', 'sell_order_id'])
        .execute();
      expect(new Set(trades.map((t) => t.id)).size).toBe(trades.length);
      const traded = new Map<number, number>();
      for (const t of trades) {
        traded.set(t.buy_order_id, (traded.get(t.buy_order_id) ?? 0) + t.quantity);
        traded.set(t.sell_order_id, (traded.get(t.sell_order_id) ?? 0) + t.quantity);
      }
      for (const o of orders) {
        expect(o.filled_quantity).toBeLessThanOrEqual(o.quantity);
        expect(traded.get(o.id) ?? 0, `order ${o.id}`).toBe(o.filled_quantity);
      }

      // The last leader recovered with every invariant intact (else it would not trade), and the
      // audit log checks out against the rows it records.
      const leader = await cluster.leader();
      const health = await cluster.health(leader);
      expect(health?.trading).toEqual({ available: true });
      const integrity = await fetch(`${leader.base}/api/crypto/merkle/integrity`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const report = (await integrity.json()) as { ok: boolean; failure: unknown };
      expect(report.failure).toBeNull();
      expect(report.ok).toBe(true);

      // The book equals a rebuild from the open orders in the database.
      const book = (await (
        await fetch(`${leader.base}/api/market/stock/TCS/orderbook?depth=500`)
      ).json()) as { bids: [string, number][]; asks: [string, number][] };
      const open = orders.filter((o) => o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED');
      const rows = await store.db
        .selectFrom('orders')
        .select(['id', 'side', 'price', 'quantity', 'filled_quantity'])
        .where('id', 'in', open.length === 0 ? [0] : open.map((o) => o.id))
        .execute();
      const levels = (side: 'BUY' | 'SELL'): [string, number][] => {
        const sum = new Map<number, number>();
        for (const r of rows.filter((x) => x.side === side && x.price !== null)) {
          const price = r.price ?? 0;
          sum.set(price, (sum.get(price) ?? 0) + r.quantity - r.filled_quantity);
        }
        return [...sum.entries()]
          .sort((a, b) => (side === 'BUY' ? b[0] - a[0] : a[0] - b[0]))
          .map(([p, q]) => [(p / 100).toFixed(2), q]);
      };
      expect(book.bids).toEqual(levels('BUY'));
      expect(book.asks).toEqual(levels('SELL'));
    }, 240_000);

    it('fences a leader stopped past its lease: it commits nothing when it wakes, and says so', async () => {
      const { cluster, client, tokens } = await setUp();
      const old = await cluster.leader();
      process.kill(old.pid ?? 0, 'SIGSTOP');
      // Sent while it sleeps: the request waits in its socket's queue.
      const late = postJson(
        old.base,
        '/api/trading/order',
        {
          symbol: 'TCS',
          order_type: 'BUY',
          order_mode: 'LIMIT',
          quantity: 1,
          price: '4000.00',
          client_order_id: 'sent-to-the-sleeper',
        },
        tokens.ana,
      ).catch(() => ({ status: 0, body: {} }));
      const stoppedAt = Date.now();
      const next = await cluster.leader(LEASE_MS + 10_000);
      const failoverMs = Date.now() - stoppedAt;
      expect(next.id).not.toBe(old.id);
      expect(failoverMs).toBeLessThan(LEASE_MS + 5_000);
      const placed = await client.post(
        '/api/trading/order',
        {
          symbol: 'TCS',
          order_type: 'SELL',
          order_mode: 'LIMIT',
          quantity: 1,
          price: '4150.00',
          client_order_id: 'sent-to-the-new-leader',
        },
        tokens.ben,
      );
      expect(placed.status).toBe(201);
      process.kill(old.pid ?? 0, 'SIGCONT');
      const reply = await late;
      expect(reply.status).not.toBe(201);
      // Within a round or two of waking, it has read the lease and knows it lost it.
      const end = Date.now() + 5000;
      let health: Health | undefined;
      while (Date.now() < end) {
        health = await cluster.health(old);
        if (health?.cluster?.role === 'fenced' && health.cluster.leader !== null) break;
        await sleep(50);
      }
      expect(health?.cluster?.role, cluster.logs()).toBe('fenced');
      expect(health?.cluster?.fenced_reason).toMatch(/another node holds the lease/);
      expect(health?.cluster?.leader?.node_id).toBe(next.id);
      expect(health?.trading.available).toBe(false);
      const store = await cluster.store();
      const rows = await store.db
        .selectFrom('orders')
        .select('client_order_id')
        .where('client_order_id', 'in', ['sent-to-the-sleeper', 'sent-to-the-new-leader'])
        .execute();
      expect(rows.map((r) => r.client_order_id)).toEqual(['sent-to-the-new-leader']);
    }, 120_000);

    it('lists every node in the system stats, and keeps a single process (CLUSTER off) off its database, naming the leader', async () => {
      const { cluster } = await setUp();
      const leader = await cluster.leader();
      const dir = mkdtempSync(join(tmpdir(), 'sse-single-'));
      const single = runServer({ ...cluster.env, PORT: '0', DATA_DIR: dir });
      const exit = await single.exited;
      rmSync(dir, { recursive: true, force: true });
      expect(exit.code).toBe(2);
      expect(exit.stderr).toMatch(
        new RegExp(
          `another process is writing schema ${cluster.schema} \\((cluster leader ${leader.id}|cluster node ${leader.id} leads it)`,
        ),
      );
    }, 120_000);
  },
);
