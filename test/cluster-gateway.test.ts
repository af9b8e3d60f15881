// Orders from any node: a gateway (B) forwards every trading command over real HTTP on 127.0.0.1
// to the leader (A), and answers with the leader's answer, given after its journal commit. The
// nodes share one database and one key directory, as a cluster's nodes do; B's own sequencer is
// never used, so what B's answers report can only have come from A.

import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExchange, type Exchange } from '../src/app.ts';
import type { ClusterView, LeaderInfo, NodeRole } from '../src/cluster/role.ts';
import { COMMANDS_PATH, clusterKey, sign, type Envelope, type Reply } from '../src/cluster/wire.ts';
import { loadConfig } from '../src/config.ts';
import { TRADING_RETRY_AFTER_SECONDS } from '../src/http/plugins/error-handler.ts';
import { initialListings } from '../src/market/listings.ts';
import { openKeyring } from '../src/store/data-keys.repo.ts';
import { ensureKeyMaterial } from '../src/store/key-files.ts';
import { SymbolsRepo } from '../src/store/symbols.repo.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { call, signUp, type Reply as HttpReply } from './support/api.ts';
import { FAST_HASHER, openTestApp, testEnvironment, type TestApp } from './support/app.ts';
import { storeFactories, type TestStore } from './support/stores.ts';

/** A lease as the test decides it: who leads, at which address and epoch. */
class TestView implements ClusterView {
  constructor(
    readonly nodeId: string,
    private current: NodeRole,
    private named: LeaderInfo | undefined = undefined,
  ) {}
  role(): NodeRole {
    return this.current;
  }
  leader(): LeaderInfo | undefined {
    return this.named;
  }
  epoch(): number {
    return this.current === 'leader' ? (this.named?.epoch ?? 0) : 0;
  }
  onChange(): () => void {
    return () => undefined;
  }
  set(role: NodeRole, leader: LeaderInfo | undefined): void {
    this.current = role;
    this.named = leader;
  }
}

interface Node {
  exchange: Exchange;
  view: TestView;
  /** As the API helpers take it. */
  t: TestApp;
  url: string | undefined;
  /** The cluster key this node signs with. */
  key: Buffer;
  close(): Promise<void>;
}

const GATEWAY_TTL_MS = 4_000;

describe.each(storeFactories())('orders from any node on $name', (factory) => {
  let dir: string;
  let db: TestStore;
  let a: Node;
  let b: Node;
  const opened: Node[] = [];

  async function node(
    id: string,
    role: NodeRole,
    env: Record<string, string> = {},
    listen = false,
  ): Promise<Node> {
    const config = loadConfig({ ...testEnvironment(dir), ...env }, dir);
    const { keys } = ensureKeyMaterial(config);
    const keyring = await openKeyring(db.store.db, keys.masterKey, Date.now());
    const view = new TestView(id, role);
    const exchange = await buildExchange({
      config,
      store: db.store,
      keys,
      keyring,
      hasher: FAST_HASHER,
      cluster: view,
    });
    let url: string | undefined;
    if (listen) {
      await exchange.app.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(exchange.app.server.address() as AddressInfo).port}`;
    } else {
      await exchange.app.ready();
    }
    const t = { app: exchange.app, exchange, store: db.store, config } as unknown as TestApp;
    const key = clusterKey(keyring);
    const made: Node = { exchange, view, t, url, key, close: () => exchange.app.close() };
    opened.push(made);
    return made;
  }

  /** A gateway: it must never sign tree heads, which are the leader's to sign. */
  const gatewayEnv = {
    CLUSTER_COMMAND_TTL_MS: String(GATEWAY_TTL_MS),
    AUDIT_TREE_HEAD_SECONDS: '86400',
    AUDIT_TREE_HEAD_LEAVES: '100000000',
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sse-cluster-'));
    db = await factory.open();
    await new SymbolsRepo(db.store.db).insertMissing(initialListings(Date.now()));
    a = await node('a', 'leader', {}, true);
    const leaderA = { nodeId: 'a', address: a.url ?? '', epoch: 1 };
    a.view.set('leader', leaderA);
    b = await node('b', 'standby', gatewayEnv);
    b.view.set('standby', leaderA);
  });

  afterEach(async () => {
    for (const n of opened.splice(0)) await n.close();
    await db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function place(at: Node, token: string, body: Record<string, unknown>): Promise<HttpReply> {
    return call(at.t, 'POST', '/api/trading/order', {
      token,
      body: { symbol: 'TCS', order_mode: 'LIMIT', order_type: 'BUY', quantity: 1, ...body },
    });
  }

  async function ordersWithClientId(userId: number, clientOrderId: string): Promise<number[]> {
    const rows = await a.exchange.venue.repo.ordersOfUser(userId, { limit: 100 });
    return rows.filter((r) => r.client_order_id === clientOrderId).map((r) => r.id);
  }

  /** A forwarded place of one TCS share at 4100.00, as gateway B would send it. */
  function placeEnvelope(
    requestId: string,
    userId: number,
    clientOrderId: string,
    deadline: number,
  ): Envelope {
    const order = {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    } as const;
    return {
      requestId,
      origin: 'b',
      deadline,
      command: { kind: 'place', userId, order: { ...order, clientOrderId } },
    };
  }

  /** Posts an internal command to `url` as a node holding `key` would, or as told otherwise. */
  async function postCommand(
    url: string,
    envelope: Envelope,
    signing: { key?: Uint8Array; tamper?: boolean; unsigned?: boolean } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = JSON.stringify(envelope);
    const key = signing.key ?? a.key;
    const headers = signing.unsigned === true ? {} : sign(key, 'command', body, Date.now());
    const sent = signing.tamper === true ? body.replace('"quantity":1', '"quantity":2') : body;
    const res = await fetch(new URL(COMMANDS_PATH, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: sent,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('places an order sent to the gateway once, on the leader, and answers after its commit', async () => {
    const alice = await signUp(a.t, 'alice');
    const res = await place(b, alice.token, { price: '4100.00', client_order_id: 'via-b' });
    expect(res.status).toBe(201);
    const id = res.body.order_id as number;
    expect(res.body).toMatchObject({ success: true, duplicate: false, status: 'OPEN' });
    // Committed before the answer: the row is in the database the moment B answers.
    expect(await ordersWithClientId(alice.id, 'via-b')).toEqual([id]);
    expect(a.exchange.venue.exchange.openOrders().map((o) => o.id)).toContain(id);
    expect(b.exchange.venue.exchange.openOrders()).toEqual([]);
    // The leader holds the cash for it; the gateway's own sequencer never saw the order.
    expect(a.exchange.venue.exchange.ledger.balance(alice.id, 'INR').held).toBe(410_000);

    const cancel = await call(b.t, 'DELETE', `/api/trading/order/${id}`, { token: alice.token });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ order_id: id, status: 'CANCELLED' });
    expect(a.exchange.venue.exchange.ledger.balance(alice.id, 'INR').held).toBe(0);
  });

  it('places one order for a client_order_id sent to two nodes at once; both answers name it', async () => {
    const alice = await signUp(a.t, 'alice');
    for (let round = 0; round < 5; round += 1) {
      const client_order_id = `twice-${round}`;
      const answers = await Promise.all([
        place(a, alice.token, { price: '4100.00', client_order_id }),
        place(b, alice.token, { price: '4100.00', client_order_id }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
      const [first, second] = answers.map((r) => r.body.order_id);
      expect(first).toEqual(expect.any(Number));
      expect(second).toBe(first);
      expect(answers.filter((r) => r.body.duplicate === true)).toHaveLength(1);
      expect(await ordersWithClientId(alice.id, client_order_id)).toEqual([first]);
    }
  });

  it('retried after a failover, a client_order_id still names one order', async () => {
    const alice = await signUp(a.t, 'alice');
    const before = await place(b, alice.token, { price: '4100.00', client_order_id: 'f-1' });
    expect(before.status).toBe(201);

    // A goes away. B, still told A leads, keeps trying until the deadline...
    await a.close();
    const during = place(b, alice.token, { price: '4100.00', client_order_id: 'f-2' });
    // ...while C, recovered from the shared database, takes the lease with a new epoch.
    const c = await node('c', 'leader', {}, true);
    const leaderC = { nodeId: 'c', address: c.url ?? '', epoch: 2 };
    c.view.set('leader', leaderC);
    b.view.set('standby', leaderC);
    const placed = await during;
    expect(placed.status).toBe(201);

    const retries = await Promise.all([
      place(b, alice.token, { price: '4100.00', client_order_id: 'f-1' }),
      place(b, alice.token, { price: '4100.00', client_order_id: 'f-2' }),
      place(c, alice.token, { price: '4100.00', client_order_id: 'f-2' }),
    ]);
    expect(retries.map((r) => [r.status, r.body.duplicate])).toEqual([
      [200, true],
      [200, true],
      [200, true],
    ]);
    expect(retries.map((r) => r.body.order_id)).toEqual([
      before.body.order_id,
      placed.body.order_id,
      placed.body.order_id,
    ]);
    const rows = await c.exchange.venue.repo.ordersOfUser(alice.id, { limit: 100 });
    expect(rows.map((r) => r.client_order_id).sort()).toEqual(['f-1', 'f-2']);
  });

  it('answers 503 TRADING_UNAVAILABLE with Retry-After within the TTL when no leader answers', async () => {
    const alice = await signUp(a.t, 'alice');
    await a.close();
    const started = Date.now();
    const res = await place(b, alice.token, { price: '4100.00', client_order_id: 'down' });
    const waited = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'TRADING_UNAVAILABLE' } });
    expect(res.headers['retry-after']).toBe(String(TRADING_RETRY_AFTER_SECONDS));
    expect(waited).toBeGreaterThanOrEqual(GATEWAY_TTL_MS - 50);
    expect(waited).toBeLessThan(GATEWAY_TTL_MS + 1_500);
  });

  it('keeps an account whose opening no leader confirmed until no command can open it', async () => {
    await a.close();
    const res = await call(b.t, 'POST', '/api/auth/register', {
      body: {
        username: 'carol',
        email: 'carol@example.com',
        password: 'a long enough passphrase',
        full_name: 'Carol',
      },
    });
    expect(res.status).toBe(503);
    // The leader might still be carrying the opening out: discarding the row now would make
    // its commit fail (regression: that stopped the leader's trading).
    const users = new UsersRepo(db.store.db);
    expect((await users.findByUsername('carol'))?.opened).toBe(0);
    const accounts = b.exchange.identity.accounts;
    expect(await accounts.discardUnopened(Date.now() - 2 * GATEWAY_TTL_MS)).toBe(0);
    expect(await accounts.discardUnopened(Date.now() + 1)).toBe(1);
    expect(await users.findByUsername('carol')).toBeUndefined();
  });

  it('refuses a command that arrives after its deadline, and places nothing', async () => {
    const alice = await signUp(a.t, 'alice');
    const envelope = placeEnvelope('late-000001', alice.id, 'late', Date.now() - 1);
    const res = await postCommand(a.url ?? '', envelope);
    expect(res.status).toBe(200);
    const reply = res.body as unknown as Reply;
    expect(reply).toMatchObject({
      status: 'done',
      answer: {
        ok: false,
        code: 'TRADING_UNAVAILABLE',
        message: expect.stringMatching(/not carried out/) as unknown,
      },
    });
    expect(await ordersWithClientId(alice.id, 'late')).toEqual([]);
  });

  it('refuses internal commands that are unsigned, forged or changed, and keeps them out of the docs', async () => {
    const alice = await signUp(a.t, 'alice');
    const envelope = placeEnvelope('forged-00001', alice.id, 'forged', Date.now() + 5_000);
    const url = a.url ?? '';
    for (const signing of [{ unsigned: true }, { key: Buffer.alloc(32, 7) }, { tamper: true }]) {
      const res = await postCommand(url, envelope, signing);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'SIGNATURE_INVALID' } });
    }
    expect(await ordersWithClientId(alice.id, 'forged')).toEqual([]);
    const docs = await call(a.t, 'GET', '/docs/json');
    expect(Object.keys(docs.body.paths as object).filter((p) => p.startsWith('/internal'))).toEqual(
      [],
    );

    // A node that does not lead runs nothing and says so, so the gateway asks the leader.
    const standby = await b.exchange.app.inject({
      method: 'POST',
      url: COMMANDS_PATH,
      headers: {
        'content-type': 'application/json',
        ...sign(a.key, 'command', JSON.stringify(envelope), Date.now()),
      },
      payload: JSON.stringify(envelope),
    });
    expect(standby.json()).toEqual({ status: 'not-leader', requestId: 'forged-00001' });
    expect(await ordersWithClientId(alice.id, 'forged')).toEqual([]);
  });

  it('passes refusals through with the status and code the leader gives', async () => {
    const alice = await signUp(a.t, 'alice');
    const tooBig = { price: '4100.00', quantity: 1_000_000 };
    const [onA, onB] = await Promise.all([
      place(a, alice.token, tooBig),
      place(b, alice.token, tooBig),
    ]);
    expect(onA.status).toBe(422);
    expect(onB.status).toBe(onA.status);
    expect(onB.body).toEqual(onA.body);
    expect(onB.body).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });

    const missing = await Promise.all(
      [a, b].map((n) => call(n.t, 'DELETE', '/api/trading/order/999999', { token: alice.token })),
    );
    expect(missing.map((r) => r.status)).toEqual([404, 404]);
    expect(missing[1]?.body).toEqual(missing[0]?.body);
  });

  it('carries an administrator adjustment and a halt to the leader', async () => {
    const admin = await signUp(a.t, 'root', { admin: true });
    const alice = await signUp(a.t, 'alice');
    const adjust = await call(b.t, 'POST', `/api/admin/users/${alice.id}/adjust`, {
      token: admin.token,
      body: { asset: 'TCS', amount: '25', reason: 'transfer in' },
    });
    expect(adjust.status).toBe(200);
    expect(adjust.body).toEqual({
      success: true,
      balance: { asset: 'TCS', available: '25', held: '0' },
    });
    expect(a.exchange.venue.exchange.ledger.balance(alice.id, 'TCS').available).toBe(25);

    const halt = await call(b.t, 'POST', '/api/admin/symbols/TCS/halt', { token: admin.token });
    expect(halt.status).toBe(200);
    expect(a.exchange.venue.exchange.market('TCS')?.status).toBe('HALTED');
    const refused = await place(b, alice.token, { price: '4100.00' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'MARKET_HALTED' } });
    const unknown = await call(b.t, 'POST', '/api/admin/symbols/NOPE/halt', { token: admin.token });
    expect(unknown.status).toBe(404);
  });
});

describe('a single node', () => {
  it('has no internal command endpoint', async () => {
    const [sqlite] = storeFactories();
    if (sqlite === undefined) throw new Error('no store factory');
    const t = await openTestApp(sqlite);
    try {
      const res = await call(t, 'POST', COMMANDS_PATH, { body: {} });
      expect(res.status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
