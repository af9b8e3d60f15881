// Kill -9 under order load: every order that got a 201 must be there after a restart, with
// the state it was acknowledged in or a later one, and recovery's invariant checks must pass.
// Kill -9 in the middle of a stop cascade: the stops still waiting their turn run after the
// restart, in the order they were triggered.

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  postJson,
  runServer,
  takeOverAdmin,
  waitForHealth,
  type Running,
} from './support/process.ts';

const ADMIN_PASSWORD = 'initial operator passphrase';
const PASSWORD = 'a long enough passphrase';

interface Ack {
  order_id: number;
  status: string;
  filled: number;
  quantity: number;
  token: string;
}

const LATER: Record<string, string[]> = {
  OPEN: ['OPEN', 'PARTIALLY_FILLED', 'FILLED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED'],
  FILLED: ['FILLED'],
  CANCELLED: ['CANCELLED'],
};

describe('crash safety', () => {
  let dir: string;
  let server: Running | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-crash-'));
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh exchange, its operator's token, and signed-up users by name. */
  async function start(names: string[], extra: Record<string, string> = {}) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: 'off',
      PORT: String(port),
      ADMIN_PASSWORD,
      API_RATE_LIMIT: '10000000',
      ...extra,
    };
    const post = (path: string, body: unknown, token?: string) => postJson(base, path, body, token);
    server = runServer(env);
    expect((await waitForHealth(port, server)).status).toBe(200);
    const admin = await takeOverAdmin(base, ADMIN_PASSWORD, 'the real operator passphrase');
    const ids: Record<string, number> = {};
    const tokens: Record<string, string> = {};
    for (const name of names) {
      const reg = await post('/api/auth/register', {
        username: name,
        email: `${name}@example.com`,
        password: PASSWORD,
        full_name: name,
      });
      ids[name] = reg.body.user_id as number;
      const login = await post('/api/auth/login', { username: name, password: PASSWORD });
      tokens[name] = login.body.access_token as string;
    }
    const restart = async (): Promise<Response> => {
      server = runServer(env);
      const health = await waitForHealth(port, server);
      const state = (await health.clone().json()) as {
        trading: { available: boolean; reason?: string };
      };
      expect(state.trading, state.trading.reason).toEqual({ available: true });
      return health;
    };
    return { port, base, env, post, admin, ids, tokens, restart };
  }

  it('keeps every acknowledged order through SIGKILL, with invariants intact', async () => {
    const { base, post, admin, ids, tokens, restart } = await start(['buyer', 'seller']);
    const shares = await post(
      `/api/admin/users/${ids.seller}/adjust`,
      { asset: 'TCS', amount: '5000', reason: 'crash test' },
      admin,
    );
    expect(shares.status).toBe(200);

    // Crossing buys and sells, fired without waiting; kill -9 once some are acknowledged.
    const acks: Ack[] = [];
    let sent = 0;
    const fire = async (): Promise<void> => {
      while (sent < 2000) {
        const n = sent++;
        const side = n % 2 === 0 ? 'BUY' : 'SELL';
        const token = side === 'BUY' ? tokens.buyer : tokens.seller;
        const price = (4090 + (n % 7) * 5).toFixed(2);
        try {
          const res = await post(
            '/api/trading/order',
            { symbol: 'TCS', order_type: side, order_mode: 'LIMIT', quantity: 1 + (n % 3), price },
            token,
          );
          if (res.status === 201) {
            acks.push({
              order_id: res.body.order_id as number,
              status: res.body.status as string,
              filled: (res.body.order as { filled_quantity: number }).filled_quantity,
              quantity: (res.body.order as { quantity: number }).quantity,
              token: token ?? '',
            });
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, fire);
    while (acks.length < 150) await new Promise((r) => setTimeout(r, 5));
    const killed = await server!.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await Promise.all(workers);
    expect(acks.length).toBeGreaterThanOrEqual(150);

    expect((await restart()).status).toBe(200);

    for (const ack of acks) {
      const res = await fetch(`${base}/api/trading/order/${ack.order_id}`, {
        headers: { authorization: `Bearer ${ack.token}` },
      });
      expect(res.status, `order ${ack.order_id}`).toBe(200);
      const order = (await res.json()) as {
        status: string;
        quantity: number;
        filled_quantity: number;
      };
      expect(order.quantity).toBe(ack.quantity);
      expect(order.filled_quantity).toBeGreaterThanOrEqual(ack.filled);
      expect(
        LATER[ack.status],
        `order ${ack.order_id} was ${ack.status}, now ${order.status}`,
      ).toContain(order.status);
    }
  }, 90_000);

  it('runs the stops still waiting after a SIGKILL mid-cascade, in trigger order', async () => {
    // One stop per command, so the cascade spans hundreds of commands and the kill lands inside.
    const { base, post, admin, ids, tokens, restart } = await start(
      ['stopper', 'bidder', 'trigger'],
      { STOPS_PER_COMMAND: '1' },
    );
    const STOPS = 300;
    for (const [name, asset, amount] of [
      ['stopper', 'TCS', String(STOPS)],
      ['trigger', 'TCS', '1'],
      ['bidder', 'INR', '2000000'],
    ] as const) {
      const given = await post(
        `/api/admin/users/${ids[name]}/adjust`,
        { asset, amount, reason: 'crash test' },
        admin,
      );
      expect(given.status).toBe(200);
    }
    const stopIds: number[] = [];
    let sent = 0;
    const placeStops = async (): Promise<void> => {
      while (sent++ < STOPS) {
        const res = await post(
          '/api/trading/order',
          {
            symbol: 'TCS',
            order_type: 'SELL',
            order_mode: 'STOP_LOSS',
            quantity: 1,
            stop_price: '4000.00',
          },
          tokens.stopper,
        );
        expect(res.status).toBe(201);
        stopIds.push(res.body.order_id as number);
      }
    };
    await Promise.all(Array.from({ length: 8 }, placeStops));
    stopIds.sort((a, b) => a - b);
    const bid = await post(
      '/api/trading/order',
      {
        symbol: 'TCS',
        order_type: 'BUY',
        order_mode: 'LIMIT',
        quantity: STOPS + 1,
        price: '3990.00',
      },
      tokens.bidder,
    );
    expect(bid.status).toBe(201);
    const trade = await post(
      '/api/trading/order',
      { symbol: 'TCS', order_type: 'SELL', order_mode: 'LIMIT', quantity: 1, price: '3990.00' },
      tokens.trigger,
    );
    expect(trade.status).toBe(201);
    expect((await server!.stop('SIGKILL')).signal).toBe('SIGKILL');

    const file = join(dir, 'data', 'exchange.db');
    /** Stops not yet run; every one was triggered, so the symbol must hold the trigger check. */
    const waiting = (): number => {
      const db = new Database(file);
      try {
        const row = db
          .prepare("select count(*) as n from orders where status = 'PENDING_TRIGGER'")
          .get() as { n: number };
        const symbol = db
          .prepare("select stop_triggers from symbols where symbol = 'TCS'")
          .get() as { stop_triggers: string };
        expect(JSON.parse(symbol.stop_triggers)).toHaveLength(row.n > 0 ? 1 : 0);
        return row.n;
      } finally {
        db.close();
      }
    };
    expect(waiting(), 'the kill came after the whole cascade').toBeGreaterThan(0);

    await restart();
    for (let polls = 0; polls < 300; polls++) {
      const res = await fetch(`${base}/api/trading/orders?status=PENDING_TRIGGER`, {
        headers: { authorization: `Bearer ${tokens.stopper}` },
      });
      const body = (await res.json()) as { orders: unknown[] };
      if (body.orders.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await server!.stop('SIGKILL')).signal).toBe('SIGKILL');
    server = undefined;
    expect(waiting()).toBe(0);
    const db = new Database(file, { readonly: true });
    try {
      const sold = db
        .prepare('select sell_order_id as id from trades where seller_id = ? order by id')
        .all(ids.stopper) as { id: number }[];
      // Every stop traded once, and they entered the book in the order they were triggered.
      expect(sold.map((r) => r.id)).toEqual(stopIds);
    } finally {
      db.close();
    }
  }, 120_000);
});
