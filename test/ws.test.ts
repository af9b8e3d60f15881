// The WebSocket channels over a real listening server, on every test database: a book kept from
// snapshot plus updates equals the REST book, private streams carry only their user's events,
// and the limits (authentication, connections, message rate, slow readers) hold.

import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CASH } from '../src/exchange/exchange.ts';
import { Connection, type ClientSocket } from '../src/http/ws/connection.ts';
import { mulberry32 } from '../src/market/fair-value.ts';
import { call, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';
import { Client, until, type Message } from './support/ws-client.ts';

type Level = [string, number];

const REFERENCE = 410_535; // TCS, paise
const TICK = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A local copy of one book, kept from a snapshot and the updates after it. */
class LocalBook {
  sequence = -1;
  gaps = 0;
  applied = 0;
  private readonly sides = { BUY: new Map<string, number>(), SELL: new Map<string, number>() };

  snapshot(m: Message): void {
    this.sequence = m.sequence as number;
    this.sides.BUY = new Map(m.bids as Level[]);
    this.sides.SELL = new Map(m.asks as Level[]);
  }

  update(m: Message): void {
    const sequence = m.sequence as number;
    if (sequence <= this.sequence) return; // already in the snapshot
    if (m.prev_sequence !== this.sequence) this.gaps += 1;
    for (const c of m.changes as { side: 'BUY' | 'SELL'; price: string; quantity: number }[]) {
      if (c.quantity === 0) this.sides[c.side].delete(c.price);
      else this.sides[c.side].set(c.price, c.quantity);
    }
    this.sequence = sequence;
    this.applied += 1;
  }

  levels(side: 'BUY' | 'SELL', depth: number): Level[] {
    const sign = side === 'BUY' ? -1 : 1;
    return [...this.sides[side].entries()]
      .sort((a, b) => sign * (Number(a[0]) - Number(b[0])))
      .slice(0, depth);
  }
}

const rupees = (paise: number) =>
  `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;

describe.each(storeFactories())('websocket channels on $name', (factory) => {
  let t: TestApp;
  let base: string;
  const clients: Client[] = [];

  async function start(env: Record<string, string> = {}): Promise<void> {
    t = await openTestApp(factory, {
      SIMULATOR: 'off',
      WS_HEARTBEAT_INTERVAL: '1',
      API_RATE_LIMIT: '100000',
      ...env,
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }

  /** `from`: the loopback address to connect from (Linux routes all of 127/8 to `lo`). */
  async function connect(path: string, protocols?: string[], from?: string): Promise<Client> {
    const socket = new WebSocket(`${base}${path}`, protocols, {
      ...(from === undefined ? {} : { localAddress: from }),
    });
    const client = new Client(socket);
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return client;
  }

  /** Signs up a trader with plenty of cash and TCS shares; returns its id and access token. */
  async function trader(username: string): Promise<{ id: number; token: string }> {
    const account = await signUp(t, username);
    const { exchange } = t.exchange.venue;
    expect((await exchange.adjust(account.id, 'TCS', 1000, 'test')).ok).toBe(true);
    expect((await exchange.adjust(account.id, CASH, 100_000_000, 'test')).ok).toBe(true);
    return account;
  }

  async function order(
    token: string,
    side: 'BUY' | 'SELL',
    quantity: number,
    price: number,
  ): Promise<number> {
    const res = await call(t, 'POST', '/api/trading/order', {
      token,
      body: {
        symbol: 'TCS',
        order_type: side,
        order_mode: 'LIMIT',
        quantity,
        price: rupees(price),
      },
    });
    expect(res.status).toBe(201);
    return res.body.order_id as number;
  }

  beforeEach(() => {
    clients.length = 0;
  });

  afterEach(async () => {
    for (const c of clients) c.socket.terminate();
    await t.close();
  });

  it('keeps a book from snapshot and updates that equals the REST book', async () => {
    await start();
    const alice = await trader('alice');
    const bob = await trader('bob');
    // Some resting orders before the snapshot, so it is not empty.
    await order(alice.token, 'BUY', 3, REFERENCE - 10 * TICK);
    await order(bob.token, 'SELL', 4, REFERENCE + 10 * TICK);

    const client = await connect('/ws/market');
    client.send({ op: 'subscribe', symbols: ['TCS'], channels: ['book'], depth: 50 });
    const book = new LocalBook();
    book.snapshot(await client.next('book_snapshot'));
    expect(book.levels('BUY', 50).length).toBeGreaterThan(0);

    // A burst of limit orders and cancels from both users, several in flight at once; seeded,
    // so a failing burst can be replayed.
    const next = mulberry32(20_261_122);
    const open: { token: string; id: number }[] = [];
    for (let round = 0; round < 10; round += 1) {
      await Promise.all(
        Array.from({ length: 5 }, async () => {
          const who = next() < 0.5 ? alice : bob;
          if (open.length > 0 && next() < 0.25) {
            const [victim] = open.splice(Math.floor(next() * open.length), 1);
            if (victim !== undefined)
              await call(t, 'DELETE', `/api/trading/order/${victim.id}`, { token: victim.token });
            return;
          }
          const side = next() < 0.5 ? 'BUY' : 'SELL';
          const offset = Math.floor(next() * 21) - 10; // crosses now and then
          const id = await order(
            who.token,
            side,
            1 + Math.floor(next() * 5),
            REFERENCE + offset * TICK,
          );
          open.push({ token: who.token, id });
        }),
      );
    }

    const rest = (await call(t, 'GET', '/api/market/stock/TCS/orderbook?depth=50')).body;
    await until(() => {
      for (const m of client.messages.splice(0)) if (m.type === 'book_update') book.update(m);
      return book.sequence === rest.sequence;
    }, 'the local book to reach the REST sequence');
    expect(book.gaps).toBe(0);
    expect(book.applied).toBeGreaterThan(10);
    expect(book.levels('BUY', 50)).toEqual(rest.bids);
    expect(book.levels('SELL', 50)).toEqual(rest.asks);
  });

  it('sends price_update, once per symbol per price change, until the client subscribes', async () => {
    await start();
    const alice = await trader('alice');
    const bob = await trader('bob');
    const idle = await connect('/ws/market');
    const trade = async (price: number): Promise<void> => {
      await order(bob.token, 'SELL', 1, price);
      await order(alice.token, 'BUY', 1, price);
    };
    await trade(REFERENCE + TICK);
    const first = await idle.next('price_update');
    expect(first).toEqual({
      type: 'price_update',
      sequence: expect.any(Number) as number,
      data: expect.objectContaining({
        symbol: 'TCS',
        name: expect.any(String) as string,
        price: rupees(REFERENCE + TICK),
        change: expect.any(String) as string,
        volume: 1,
      }) as object,
    });
    // The same price again is no change; a new price is.
    await trade(REFERENCE + TICK);
    await trade(REFERENCE + 2 * TICK);
    await idle.next(
      'price_update',
      (m) => (m.data as { price: string }).price === rupees(REFERENCE + 2 * TICK),
    );
    await sleep(100);
    expect(idle.of('price_update').map((m) => (m.data as { price: string }).price)).toEqual([
      rupees(REFERENCE + TICK),
      rupees(REFERENCE + 2 * TICK),
    ]);
    // Once subscribed, only the subscription's messages arrive.
    idle.send({ op: 'subscribe', symbols: ['TCS'], channels: ['ticker'] });
    await idle.next('subscribed');
    await trade(REFERENCE + 3 * TICK);
    await idle.next('ticker', (m) => m.price === rupees(REFERENCE + 3 * TICK));
    await sleep(100);
    expect(idle.of('price_update')).toHaveLength(2);
  });

  it('streams only the user’s own orders and balances, after authentication', async () => {
    await start();
    const alice = await trader('alice');
    const bob = await trader('bob');

    const orders = await connect('/ws/orders');
    orders.send({ op: 'auth', token: alice.token });
    expect((await orders.next('authenticated')).user_id).toBe(alice.id);
    await orders.next('orders_snapshot');
    // The token may come as a subprotocol instead; the answer names ours, not the token.
    const portfolio = await connect('/ws/portfolio', ['exchange.v1', `bearer.${alice.token}`]);
    expect(portfolio.socket.protocol).toBe('exchange.v1');
    const snapshot = await portfolio.next('portfolio_snapshot');
    expect(snapshot.balances).toContainEqual({ asset: 'TCS', available: 1000, held: 0 });

    // Bob first: by the time Alice's update arrives, a leaked one of Bob's would have too.
    const bobOrder = await order(bob.token, 'SELL', 7, REFERENCE + 100 * TICK);
    const aliceOrder = await order(alice.token, 'BUY', 2, REFERENCE - 100 * TICK);
    const status = await orders.next(
      'order_status',
      (m) => (m.order as { order_id: number }).order_id === aliceOrder,
    );
    expect(status.order).toMatchObject({ status: 'OPEN', order_type: 'BUY', quantity: 2 });
    // Every client, ours too, gets the original platform's `data` beside the fields.
    expect(status.data).toEqual(status.order);
    const cash = await portfolio.next('portfolio_update', (m) => m.asset === 'INR');
    expect(cash.held).toBe(rupees((REFERENCE - 100 * TICK) * 2));
    expect(cash.data).toMatchObject({
      cash: { available: cash.available, held: cash.held },
      holdings: [{ symbol: 'TCS', quantity: 1000, available: 1000, held: 0 }],
    });
    const seen = orders.of('order_status').map((m) => (m.order as { order_id: number }).order_id);
    expect(seen).not.toContain(bobOrder);
    // Alice holds no TCS in an order: a TCS update could only be Bob's sell hold.
    expect(portfolio.of('portfolio_update').filter((m) => m.asset === 'TCS')).toEqual([]);
  });

  it('refuses missing, bad and URL tokens with 4401 and sends nothing', async () => {
    await start();
    const alice = await trader('alice');
    // Connected but silent: nothing arrives, not even Alice's own order, until it authenticates.
    const silent = await connect('/ws/orders');
    await order(alice.token, 'BUY', 1, REFERENCE);
    await sleep(300);
    expect(silent.messages).toEqual([]);
    silent.send({ op: 'ping' });

    const inUrl = await connect(`/ws/orders?token=${alice.token}`);
    const bad = await connect('/ws/orders');
    bad.send({ op: 'auth', token: 'not.a.token' });
    const badProtocol = await connect('/ws/portfolio', ['bearer.not-a-token']);
    const garbage = await connect('/ws/portfolio');
    garbage.send('{{{');

    for (const client of [silent, inUrl, bad, badProtocol, garbage]) {
      expect((await client.closing()).code).toBe(4401);
      expect(client.messages).toEqual([]);
    }
    expect(silent.closed?.reason).toMatch(/first message must be/);
    expect(inUrl.closed?.reason).toMatch(/never in the URL/);
    expect(bad.closed?.reason).toMatch(/invalid or expired/);
  });

  it('ends a private stream when its session is logged out', async () => {
    await start();
    const alice = await trader('alice');
    const orders = await connect('/ws/orders');
    orders.send({ op: 'auth', token: alice.token });
    await orders.next('authenticated');
    expect((await call(t, 'POST', '/api/auth/logout', { token: alice.token })).status).toBe(200);
    // The session is checked again on the next heartbeat (every second here).
    expect((await orders.closing()).code).toBe(4401);
  });

  it('sends trades, tickers, candles and heartbeats with sequences', async () => {
    await start();
    const alice = await trader('alice');
    const bob = await trader('bob');
    const client = await connect('/ws/market');
    client.send({ op: 'subscribe', symbols: ['TCS'], channels: ['trades', 'ticker', 'candles'] });
    expect(await client.next('subscribed')).toMatchObject({ symbols: ['TCS'] });
    expect(await client.next('ticker')).toMatchObject({ symbol: 'TCS', volume: 0 });

    await order(alice.token, 'SELL', 5, REFERENCE);
    await order(bob.token, 'BUY', 5, REFERENCE);

    const trade = await client.next('trade');
    expect(trade).toMatchObject({ symbol: 'TCS', price: '4105.35', quantity: 5, side: 'BUY' });
    expect(typeof trade.sequence).toBe('number');
    expect(await client.next('ticker', (m) => m.volume === 5)).toMatchObject({
      price: '4105.35',
      trades: 1,
    });
    const candle = await client.next('candle');
    expect(candle).toMatchObject({ symbol: 'TCS', interval: '1m' });
    expect(candle.candle).toMatchObject({ open: '4105.35', close: '4105.35', volume: 5 });

    const rest = (await call(t, 'GET', '/api/market/stock/TCS/orderbook')).body;
    const beat = await client.next(
      'heartbeat',
      (m) => (m.sequences as Record<string, number>).TCS === rest.sequence,
    );
    expect(Date.parse(beat.time as string)).not.toBeNaN();
  });

  it('answers bad messages with errors and survives them', async () => {
    await start();
    const client = await connect('/ws/market');
    const bad: unknown[] = [
      'not json',
      '[1,2]',
      { op: 'launch' },
      { op: 'subscribe', symbols: ['NOPE'], channels: ['book'] },
      { op: 'subscribe', symbols: ['TCS'], channels: ['gossip'] },
      { op: 'subscribe', symbols: Array.from({ length: 21 }, () => 'TCS'), channels: ['book'] },
      { op: 'subscribe', symbols: ['TCS'], channels: ['book'], depth: 10_000 },
      { op: 'subscribe', symbols: ['TCS'], channels: ['book'], extra: true },
    ];
    for (const message of bad) client.send(message);
    await until(() => client.of('error').length === bad.length, 'an error per bad message');
    expect(client.of('error')[3]?.message).toMatch(/unknown symbol: NOPE/);
    expect(client.of('book_snapshot')).toEqual([]);

    client.send({ op: 'ping' });
    await client.next('pong');
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.closing()).code).toBe(1003);
  });

  it('drops a client that sends too many messages', async () => {
    await start();
    const client = await connect('/ws/market');
    for (let i = 0; i < 60; i += 1) client.send({ op: 'ping' });
    expect(await client.closing()).toEqual({ code: 1008, reason: 'too many messages' });
    expect(client.of('pong').length).toBeLessThan(60);
  });

  it('closes connections beyond WS_MAX_CONNECTIONS with 1013', async () => {
    await start({ WS_MAX_CONNECTIONS: '2' });
    const first = await connect('/ws/market');
    await connect('/ws/orders');
    const third = await connect('/ws/market');
    expect(await third.closing()).toEqual({ code: 1013, reason: 'try again later' });

    // A freed place can be taken again.
    first.socket.close();
    await first.closing();
    await sleep(50);
    const again = await connect('/ws/market');
    again.send({ op: 'ping' });
    await again.next('pong');
    expect(again.closed).toBeUndefined();
  });

  /** A socket that is open and answers a ping. */
  async function live(client: Client): Promise<void> {
    client.send({ op: 'ping' });
    await client.next('pong');
    expect(client.closed).toBeUndefined();
  }

  /** Opens `count` market sockets at once from `from`; each one's open/close outcome. */
  async function flood(count: number, from: string): Promise<Client[]> {
    const opened = await Promise.allSettled(
      Array.from({ length: count }, () => connect('/ws/market', undefined, from)),
    );
    expect(opened.every((o) => o.status === 'fulfilled')).toBe(true);
    return opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  }

  it('caps sockets per address: 200 from one are not all taken; others still connect', async () => {
    await start({ WS_MAX_CONNECTIONS_PER_IP: '20', WS_UPGRADE_RATE_LIMIT: '1000' });
    const alice = await trader('alice');
    const sockets = await flood(200, '127.0.0.2');
    await until(() => sockets.filter((c) => c.closed).length === 180, '180 refusals');
    for (const refused of sockets.filter((c) => c.closed))
      expect(refused.closed).toEqual({
        code: 1008,
        reason: 'too many connections from this address',
      });
    for (const kept of sockets.filter((c) => !c.closed).slice(0, 3)) await live(kept);

    // Another address, at the same time: market data and a private channel.
    await live(await connect('/ws/market', undefined, '127.0.0.3'));
    const orders = await connect('/ws/orders', undefined, '127.0.0.3');
    orders.send({ op: 'auth', token: alice.token });
    expect((await orders.next('authenticated')).user_id).toBe(alice.id);
    await live(orders);
  });

  it('with every slot taken, a signed-in channel takes one from the address holding the most market sockets', async () => {
    await start({ WS_MAX_CONNECTIONS: '6', WS_MAX_CONNECTIONS_PER_IP: '6' });
    const alice = await trader('alice');
    const crowd = await flood(4, '127.0.0.2');
    const few = await flood(2, '127.0.0.4');
    for (const c of [...crowd, ...few]) await live(c);

    // Market data waits for room; it never pushes anyone out.
    const market = await connect('/ws/market', undefined, '127.0.0.3');
    expect(await market.closing()).toEqual({ code: 1013, reason: 'try again later' });
    const orders = await connect(
      '/ws/orders',
      ['exchange.v1', `bearer.${alice.token}`],
      '127.0.0.3',
    );
    expect((await orders.next('authenticated')).user_id).toBe(alice.id);
    await live(orders);
    await until(() => crowd.some((c) => c.closed), 'a crowd socket to give way');
    expect(crowd.filter((c) => c.closed).map((c) => c.closed)).toEqual([
      { code: 1013, reason: 'try again later' },
    ]);
    expect(few.every((c) => c.closed === undefined)).toBe(true);
  });

  it('caps the signed-in sockets of one user', async () => {
    await start({ WS_MAX_CONNECTIONS_PER_USER: '2' });
    const alice = await trader('alice');
    const bob = await trader('bob');
    const signedIn = async (token: string, path = '/ws/orders'): Promise<Client> =>
      connect(path, ['exchange.v1', `bearer.${token}`]);
    const first = await signedIn(alice.token);
    await first.next('authenticated');
    await (await signedIn(alice.token, '/ws/portfolio')).next('authenticated');
    const third = await signedIn(alice.token);
    expect(await third.closing()).toEqual({
      code: 1008,
      reason: 'too many connections for this user',
    });
    expect(third.of('authenticated')).toEqual([]);
    await (await signedIn(bob.token)).next('authenticated');

    // A closed socket gives its seat back.
    first.socket.close();
    await first.closing();
    await sleep(50);
    await (await signedIn(alice.token)).next('authenticated');
  });

  it('refuses upgrades past WS_UPGRADE_RATE_LIMIT from one address with 429, before any socket', async () => {
    await start({ WS_UPGRADE_RATE_LIMIT: '5' });
    for (let i = 0; i < 5; i += 1) await live(await connect('/ws/market', undefined, '127.0.0.2'));
    await expect(connect('/ws/market', undefined, '127.0.0.2')).rejects.toThrow(/429/);
    await live(await connect('/ws/market', undefined, '127.0.0.3'));
  });
});

describe('a connection’s send buffer', () => {
  function fakeSocket(bufferedAmount: number) {
    const sent: string[] = [];
    const closes: [number, string][] = [];
    const socket: ClientSocket & { readyState: number } = {
      readyState: 1,
      bufferedAmount,
      send: (data) => void sent.push(data),
      close: (code, reason) => {
        closes.push([code, reason]);
        socket.readyState = 2;
      },
      terminate: () => undefined,
      ping: () => undefined,
    };
    return { socket, sent, closes };
  }

  it('sends while the client keeps up', () => {
    const { socket, sent, closes } = fakeSocket(1024);
    expect(new Connection(socket, Date.now).send('hello')).toBe(true);
    expect(sent).toEqual(['hello']);
    expect(closes).toEqual([]);
  });

  it('drops a client whose unread bytes pass the limit instead of queueing more', () => {
    const { socket, sent, closes } = fakeSocket(1024 * 1024 + 1);
    const connection = new Connection(socket, Date.now);
    expect(connection.send('hello')).toBe(false);
    expect(connection.send('again')).toBe(false);
    expect(sent).toEqual([]);
    expect(closes).toEqual([[1008, 'too slow']]);
  });
});
