// Market data on every node (issue 14): a leader publishes its committed events through Redis,
// and a read model on another connection equals the leader's books, tickers, candles, orders and
// balances, in sequence; a missed message or publisher makes it reload from the database and
// equal the leader again; one started late starts from the database; after a failover the new
// leader's sequences carry on. WebSocket clients on a follower see what the leader's see.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openReplicaMarketView, publishCommitted, type Replica } from '../src/cluster/event-bus.ts';
import { openSecurityBus } from '../src/cluster/security-bus.ts';
import { LocalIpBlocks } from '../src/defense/ip-blocks.ts';
import {
  SecurityEvents,
  type RecordedSecurityEvent,
  type SecurityEventListener,
} from '../src/defense/security-events.ts';
import { CASH, type Exchange } from '../src/exchange/exchange.ts';
import { marketRoutes } from '../src/http/routes/market.ts';
import { websocketRoutes } from '../src/http/ws/index.ts';
import { INTERVAL_NAMES } from '../src/market/candles.ts';
import type { MarketEvent } from '../src/market/market-view.ts';
import { SecurityEventsRepo } from '../src/store/security-events.repo.ts';
import { signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { redisTestUrl, storeFactories } from './support/stores.ts';
import { Client, until, type Message } from './support/ws-client.ts';

const redisUrl = redisTestUrl();
const postgres = storeFactories().find((f) => f.name === 'postgres');
const REFERENCE = 410_535; // TCS, paise
const TICK = 5;
const SYMBOLS = ['TCS', 'INFY'];

type Level = [string, number];
const rupees = (paise: number) =>
  `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;

describe.runIf(redisUrl !== undefined && postgres !== undefined)(
  'market data on every node',
  () => {
    let leader: TestApp;
    let prefix: string;
    const stops: (() => unknown)[] = [];
    const tokens = new Map<number, string>();

    async function open(): Promise<void> {
      leader = await openTestApp(postgres!);
      prefix = `test-${randomBytes(6).toString('hex')}`;
    }

    function connection(): Redis {
      const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 2 });
      stops.push(() => redis.disconnect());
      return redis;
    }

    /** A connection that loses the next message on its way when told: its number is spent. */
    function lossyConnection(): { redis: Redis; dropNext(): void } {
      let drop = false;
      const redis = new Proxy(connection(), {
        get(target, name, receiver) {
          if (name === 'xadd' && drop) {
            drop = false;
            return () => Promise.resolve(null);
          }
          return Reflect.get(target, name, receiver) as unknown;
        },
      });
      return { redis, dropNext: () => (drop = true) };
    }

    function publish(epoch: number, redis = connection()): () => void {
      const stop = publishCommitted({ exchange: exchange(), redis, prefix, epoch });
      stops.push(stop);
      return stop;
    }

    async function replica(): Promise<Replica> {
      const opened = await openReplicaMarketView({
        redis: connection(),
        prefix,
        store: leader.store,
        now: Date.now,
        blockMs: 200,
      });
      stops.unshift(() => opened.close());
      return opened;
    }

    const exchange = (): Exchange => leader.exchange.venue.exchange;

    async function trader(name: string): Promise<number> {
      const { id, token } = await signUp(leader, name);
      tokens.set(id, token);
      for (const symbol of SYMBOLS)
        expect((await exchange().adjust(id, symbol, 1000, 'test')).ok).toBe(true);
      expect((await exchange().adjust(id, CASH, 100_000_000, 'test')).ok).toBe(true);
      return id;
    }

    async function limit(user: number, side: 'BUY' | 'SELL', quantity: number, ticks: number) {
      const placed = await exchange().placeOrder(user, {
        symbol: 'TCS',
        side,
        mode: 'LIMIT',
        quantity,
        price: REFERENCE + ticks * TICK,
      });
      expect(placed.ok).toBe(true);
    }

    /** Resting orders on both sides, then trades that walk part of the book. */
    async function trade(a: number, b: number, round: number): Promise<void> {
      await limit(a, 'BUY', 3 + round, -2 - round);
      await limit(a, 'BUY', 2, -5);
      await limit(b, 'SELL', 4, 3 + round);
      await limit(b, 'SELL', 1 + round, 6);
      await limit(b, 'SELL', 2, -2 - round); // takes the best bid, part of it
      await limit(a, 'BUY', 5, 4 + round); // takes the best ask, the rest rests
    }

    /** Waits until the replica has caught up with the leader, then compares every read. */
    async function expectSameView(r: Replica, users: number[]): Promise<void> {
      const markets = exchange().allMarkets();
      await until(
        () => markets.every((m) => r.view.sequence(m.symbol) === m.book.sequence),
        'the replica to catch up',
      );
      const { marketData } = leader.exchange.venue;
      for (const m of markets) {
        expect(r.view.depth(m.symbol, 50)).toEqual(m.book.depth(50));
        expect(r.view.top(m.symbol)).toEqual(m.book.topOfBook());
        expect(r.view.listing(m.symbol)).toEqual({
          symbol: m.symbol,
          name: m.name,
          status: m.status,
          tickSize: m.tickSize,
          referencePrice: m.referencePrice,
          lastPrice: m.book.lastPrice,
        });
        expect(r.view.ticker(m.symbol)).toEqual(marketData.ticker(m.symbol));
        expect(r.view.trades(m.symbol, 200)).toEqual(marketData.trades(m.symbol, 200));
        for (const interval of INTERVAL_NAMES)
          expect(r.view.candles(m.symbol, interval, 100)).toEqual(
            marketData.candles(m.symbol, interval, 100),
          );
      }
      const open = (id: number) =>
        exchange()
          .openOrders()
          .filter((o) => o.userId === id)
          .map((o) => o.id)
          .sort((x, y) => x - y);
      for (const id of users) {
        expect(r.view.openOrders(id).map((o) => o.id)).toEqual(open(id));
        const ledger = [...exchange().ledger.balancesOf(id)].map((b) => ({
          asset: b.asset,
          available: b.available,
          held: b.held,
        }));
        const byAsset = (x: { asset: string }, y: { asset: string }) =>
          x.asset.localeCompare(y.asset);
        expect(r.view.balances(id).sort(byAsset)).toEqual(ledger.sort(byAsset));
      }
    }

    /** Every event the view delivers, and the symbols of every resync. */
    function record(r: Replica): { events: MarketEvent[]; resynced: string[][] } {
      const seen = { events: [] as MarketEvent[], resynced: [] as string[][] };
      stops.push(
        r.view.subscribe({
          committed: (events) => seen.events.push(...events),
          resynced: (symbols) => seen.resynced.push([...symbols]),
        }),
      );
      return seen;
    }

    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
      await leader.close();
    });

    it('delivers trades and book changes in sequence and equals the leader', async () => {
      await open();
      publish(1);
      const r = await replica();
      const seen = record(r);
      const from = exchange().market('TCS')!.book.sequence;
      const [a, b] = [await trader('alice'), await trader('bob')];
      for (let round = 0; round < 3; round++) await trade(a, b, round);
      await expectSameView(r, [a, b]);

      // Each book change starts where the one before ended, from the sequence at start.
      const books = seen.events.filter((e) => e.kind === 'book' && e.symbol === 'TCS');
      let sequence: number = from;
      for (const e of books) {
        expect(e.kind === 'book' && e.prevSequence).toBe(sequence);
        sequence = e.kind === 'book' ? e.sequence : sequence;
      }
      expect(sequence).toBe(exchange().market('TCS')!.book.sequence);
      const trades = seen.events.flatMap((e) => (e.kind === 'trade' ? [e.id] : []));
      expect(trades.length).toBeGreaterThanOrEqual(6);
      expect(trades).toEqual([...trades].sort((x, y) => x - y));
      expect(seen.resynced).toEqual([]);

      // A halt changes no book, and reaches the replica all the same.
      expect(await leader.exchange.venue.setSymbolStatus('INFY', 'HALTED', a)).toBe(true);
      await until(() => r.view.listing('INFY')?.status === 'HALTED', 'the halt on the replica');
      await expectSameView(r, [a, b]);
      expect(r.resyncs()).toBe(0);
    });

    it('reloads from the database after a lost message and equals the leader again', async () => {
      await open();
      const lossy = lossyConnection();
      publish(1, lossy.redis);
      const r = await replica();
      const seen = record(r);
      const [a, b] = [await trader('alice'), await trader('bob')];
      await trade(a, b, 0);
      await expectSameView(r, [a, b]);

      // Lost: a deposit (no book change, so only the batch number tells), then a trade's batch.
      lossy.dropNext();
      expect((await exchange().adjust(a, CASH, 12_345, 'test')).ok).toBe(true);
      await limit(a, 'BUY', 1, -1);
      await until(() => r.resyncs() === 1, 'the replica to reload');
      await expectSameView(r, [a, b]);
      expect(seen.resynced).toEqual([
        exchange()
          .allMarkets()
          .map((m) => m.symbol)
          .sort(),
      ]);

      lossy.dropNext();
      await limit(b, 'SELL', 1, -1); // lost: a trade
      await trade(a, b, 1);
      await until(() => r.resyncs() === 2, 'the replica to reload again');
      await expectSameView(r, [a, b]);
    });

    it('starts late from the database and carries on with the stream', async () => {
      await open();
      publish(1);
      const [a, b] = [await trader('alice'), await trader('bob')];
      await trade(a, b, 0);
      await trade(a, b, 1);
      await leader.exchange.venue.journal.drain();
      const r = await replica();
      await expectSameView(r, [a, b]);
      await trade(a, b, 2);
      await expectSameView(r, [a, b]);
      expect(r.resyncs()).toBe(0);
    });

    it('follows a new leader after a failover without a gap: its sequences continue', async () => {
      await open();
      const stopOld = publish(1);
      const r = await replica();
      const seen = record(r);
      const [a, b] = [await trader('alice'), await trader('bob')];
      await trade(a, b, 0);
      await expectSameView(r, [a, b]);
      const before = r.view.sequence('TCS');

      // The old leader goes; a new one recovers from the database and publishes in a new term.
      stopOld();
      leader = await leader.reopen();
      publish(2);
      await trade(a, b, 1);
      await expectSameView(r, [a, b]);
      expect(r.view.sequence('TCS')).toBeGreaterThan(before);
      const after = seen.events.filter((e) => e.kind === 'book' && e.symbol === 'TCS');
      const first = after.find((e) => e.kind === 'book' && e.prevSequence === before);
      expect(first).toBeDefined();
      expect(r.resyncs()).toBe(0);
    });

    it('sends WebSocket clients on a follower the same book and trade messages as on the leader', async () => {
      await open();
      const stopOld = publish(1);
      const r = await replica();
      // A follower's WebSocket server: its channels read the replica, nothing else of the leader.
      const follower = Fastify();
      stops.push(() => follower.close());
      const db = leader.store.db;
      await follower.register(websocketRoutes, {
        market: r.view,
        identity: leader.exchange.identity,
        config: leader.config,
        security: {
          events: new SecurityEvents(new SecurityEventsRepo(db), leader.exchange.audit, Date.now),
          repo: new SecurityEventsRepo(db),
          blocks: new LocalIpBlocks(Date.now),
        },
        upgrades: () => Promise.resolve(),
      });
      await follower.register(marketRoutes, { market: r.view, rules: leader.config });
      await follower.listen({ port: 0, host: '127.0.0.1' });
      await leader.app.listen({ port: 0, host: '127.0.0.1' });
      type Server = { address(): unknown };
      const clients: Client[] = [];
      stops.push(() => clients.forEach((c) => c.socket.terminate()));
      async function connect(server: Server, path: string): Promise<Client> {
        const port = (server.address() as AddressInfo).port;
        const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
        const client = new Client(socket);
        clients.push(client);
        await new Promise<void>((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
        return client;
      }
      async function subscribe(server: Server): Promise<Client> {
        const client = await connect(server, '/ws/market');
        client.send({ op: 'subscribe', symbols: ['TCS'], channels: ['book', 'trades'], depth: 20 });
        await client.next('book_snapshot');
        return client;
      }
      const onLeader = await subscribe(leader.app.server);
      const onFollower = await subscribe(follower.server);
      expect(onFollower.of('book_snapshot')).toEqual(onLeader.of('book_snapshot'));

      const [a, b] = [await trader('alice'), await trader('bob')];
      /** Alice's orders or portfolio stream on a node, from its snapshot on. */
      async function watch(server: Server, path: string, snapshot: string): Promise<Client> {
        const client = await connect(server, path);
        client.send({ op: 'auth', token: tokens.get(a) });
        await client.next(snapshot);
        return client;
      }
      const ordersOnLeader = await watch(leader.app.server, '/ws/orders', 'orders_snapshot');
      const ordersOnFollower = await watch(follower.server, '/ws/orders', 'orders_snapshot');
      const cashOnLeader = await watch(leader.app.server, '/ws/portfolio', 'portfolio_snapshot');
      const cashOnFollower = await watch(follower.server, '/ws/portfolio', 'portfolio_snapshot');
      expect(ordersOnFollower.messages).toEqual(ordersOnLeader.messages);
      expect(cashOnFollower.messages).toEqual(cashOnLeader.messages);
      await trade(a, b, 0);
      await trade(a, b, 1);
      const stream = (c: Client) =>
        c.messages.filter((m) => ['book_update', 'trade'].includes(m.type));
      const sequence = exchange().market('TCS')!.book.sequence;
      const last = (c: Client) => stream(c).findLast((m) => m.type === 'book_update')?.sequence;
      await until(() => last(onLeader) === sequence && last(onFollower) === sequence, 'both feeds');
      expect(stream(onFollower)).toEqual(stream(onLeader));
      expect(stream(onFollower).filter((m) => m.type === 'trade').length).toBeGreaterThanOrEqual(4);
      // The market routes answer the same on both nodes.
      for (const path of [
        '/api/market/stocks',
        '/api/market/stock/TCS',
        '/api/market/stock/TCS/orderbook?depth=50',
        '/api/market/stock/TCS/trades?limit=200',
        '/api/market/stock/TCS/candles?interval=1m',
      ]) {
        const there = await leader.app.inject({ method: 'GET', url: path });
        const here = await follower.inject({ method: 'GET', url: path });
        expect(here.statusCode).toBe(200);
        expect(here.json()).toEqual(there.json());
      }

      // Alice's own order and balance updates, the same on both nodes.
      const updates = (c: Client, type: string) => c.of(type).length;
      await until(
        () =>
          updates(ordersOnFollower, 'order_status') === updates(ordersOnLeader, 'order_status') &&
          updates(cashOnFollower, 'portfolio_update') === updates(cashOnLeader, 'portfolio_update'),
        'the private streams on the follower',
      );
      expect(ordersOnLeader.of('order_status').length).toBeGreaterThanOrEqual(6);
      expect(ordersOnFollower.messages).toEqual(ordersOnLeader.messages);
      expect(cashOnFollower.messages).toEqual(cashOnLeader.messages);

      // Failover: the follower's clients stay connected and carry on in sequence.
      stopOld();
      leader = await leader.reopen();
      const lossy = lossyConnection();
      publish(2, lossy.redis);
      const seen = stream(onFollower).length;
      await trade(a, b, 2);
      const now = exchange().market('TCS')!.book.sequence;
      await until(() => last(onFollower) === now, 'the follower feed after the failover');
      const chain = stream(onFollower).filter((m): m is Message => m.type === 'book_update');
      for (let i = 1; i < chain.length; i++)
        expect(chain[i]!.prev_sequence).toBe(chain[i - 1]!.sequence);
      expect(stream(onFollower).length).toBeGreaterThan(seen);
      expect(onFollower.of('book_snapshot')).toHaveLength(1);

      // A lost message: the follower reloads, and its client gets a fresh snapshot unasked,
      // from which the updates carry on.
      lossy.dropNext();
      await limit(b, 'SELL', 1, -1);
      await trade(a, b, 3);
      await until(() => onFollower.of('book_snapshot').length === 2, 'a snapshot after the reload');
      const fresh = onFollower.of('book_snapshot')[1]!;
      await leader.exchange.venue.journal.drain();
      const end = exchange().market('TCS')!.book.sequence;
      await until(() => r.view.sequence('TCS') === end, 'the follower to catch up');
      const depth = exchange().market('TCS')!.book.depth(20);
      const after = onFollower.messages.slice(onFollower.messages.indexOf(fresh) + 1);
      const tail = after.filter((m) => m.type === 'book_update');
      // The snapshot plus the updates after it is the leader's book.
      const book = { sequence: fresh.sequence as number, levels: new Map<string, number>() };
      for (const [price, quantity] of [...(fresh.bids as Level[]), ...(fresh.asks as Level[])])
        book.levels.set(price, quantity);
      for (const u of tail) {
        if ((u.sequence as number) <= book.sequence) continue;
        expect(u.prev_sequence).toBe(book.sequence);
        for (const c of u.changes as { price: string; quantity: number }[])
          if (c.quantity === 0) book.levels.delete(c.price);
          else book.levels.set(c.price, c.quantity);
        book.sequence = u.sequence as number;
      }
      expect(book.sequence).toBe(end);
      const expected = [...depth.bids, ...depth.asks].map((l) => [rupees(l.price), l.quantity]);
      expect([...book.levels.entries()].sort()).toEqual(expected.sort());
    });

    it("shares each node's stored security events with the other nodes, not with itself", async () => {
      await open();
      /** A node's own stored events, as SecurityEvents hands them to its listeners. */
      const node = () => {
        const listeners = new Set<SecurityEventListener>();
        return {
          subscribe(listener: SecurityEventListener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
          store: (event: RecordedSecurityEvent) => listeners.forEach((l) => l(event)),
        };
      };
      const [a, b] = [node(), node()];
      const buses = await Promise.all(
        [a, b].map((events, i) =>
          openSecurityBus({ events, redis: connection(), prefix, nodeId: `n${i}`, blockMs: 200 }),
        ),
      );
      stops.unshift(...buses.map((bus) => () => bus.close()));
      const heard: [string, number][] = [];
      buses.forEach((bus, i) => stops.push(bus.subscribe((e) => heard.push([`n${i}`, e.id]))));
      const event = (id: number): RecordedSecurityEvent => ({
        id,
        event_type: 'authn_login_fail',
        severity: 'MEDIUM',
        source_ip: '192.0.2.7',
        user_id: null,
        description: 'a failed login',
        details: { attempt: id },
        timestamp: new Date().toISOString(),
      });
      a.store(event(1));
      b.store(event(2));
      a.store(event(3));
      await until(() => heard.length === 3, 'the events on the other nodes');
      expect(heard.sort()).toEqual([
        ['n0', 2],
        ['n1', 1],
        ['n1', 3],
      ]);
    });
  },
);
