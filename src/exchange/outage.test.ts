import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeFactories, type StoreFactory, type TestStore } from '../../test/support/stores.ts';
import type { AuditRows } from '../audit/leaf.ts';
import { AuditLog } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { initialListings } from '../market/listings.ts';
import { AuditRepo } from '../store/audit.repo.ts';
import type { Store } from '../store/db.ts';
import { SymbolsRepo } from '../store/symbols.repo.ts';
import { TradingRepo, type WriteBatch } from '../store/trading.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';
import { CASH, type Exchange, type OrderOutcome, type OrderRequest } from './exchange.ts';
import { backoffDelay, DEFAULT_OUTAGE_POLICY, type JournalOutage } from './outage.ts';
import { recoverExchange } from './recovery.ts';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const NOW = 1_800_000_000_000;
/** The outage's clock, which a test moves; the exchange's own stays at NOW. */
const clock = { at: NOW, now: () => clock.at };

/**
 * The journal's repository with faults to inject: the next `failing` commits throw, either before
 * writing or after committing (as a connection lost after COMMIT leaves it); the next
 * `unreachable` recovery reads throw, as a database that does not answer yet.
 */
class FaultyRepo extends TradingRepo {
  failing = 0;
  committedAnyway = false;
  unreachable = 0;
  writes = 0;

  override async write(batch: WriteBatch, audit: AuditRows): Promise<void> {
    this.writes += 1;
    if (this.failing === 0) return super.write(batch, audit);
    this.failing -= 1;
    if (this.committedAnyway) await super.write(batch, audit);
    throw new Error('connection lost');
  }

  override async allBalances() {
    if (this.unreachable === 0) return super.allBalances();
    this.unreachable -= 1;
    throw new Error('connection refused');
  }
}

interface Venue {
  exchange: Exchange;
  outage: JournalOutage;
  audit: AuditLog;
  repo: FaultyRepo;
  buyer: number;
  seller: number;
}

async function recover(store: Store, repo: TradingRepo) {
  const audit = await AuditLog.open({
    repo: new AuditRepo(store.db),
    key: KEY,
    now: () => NOW,
    headIntervalMs: 3_600_000,
    headEveryLeaves: Number.MAX_SAFE_INTEGER,
  });
  const users = new UsersRepo(store.db);
  const recovered = await recoverExchange({
    trading: repo,
    symbols: new SymbolsRepo(store.db),
    audit,
    options: {
      feeAccount: await users.ensureSystemUser('exchange', NOW),
      makerFeeBps: 10,
      takerFeeBps: 20,
      marketCollarBps: 500,
      priceBandBps: 2_000,
      now: () => NOW,
    },
    outage: { firstDelayMs: 4, maxDelayMs: 16, random: () => 0.5, now: clock.now },
  });
  return { ...recovered, audit };
}

async function openVenue(store: Store): Promise<Venue> {
  await new SymbolsRepo(store.db).insertMissing(initialListings(NOW));
  const users = new UsersRepo(store.db);
  const buyer = await users.ensureSystemUser('buyer', NOW);
  const seller = await users.ensureSystemUser('seller', NOW);
  const repo = new FaultyRepo(store);
  const { exchange, outage, audit, problems } = await recover(store, repo);
  expect(problems).toEqual([]);
  await exchange.adjust(buyer, CASH, 1_000_000_000, 'test');
  await exchange.adjust(seller, 'TCS', 10_000, 'test');
  return { exchange, outage, audit, repo, buyer, seller };
}

/** What must be equal between the live exchange and a fresh recovery from its database. */
function stateOf(exchange: Exchange) {
  return {
    balances: [...exchange.ledger.balances()].sort(
      (a, b) => a.account - b.account || a.asset.localeCompare(b.asset),
    ),
    books: exchange.allMarkets().map((m) => ({
      symbol: m.symbol,
      sequence: m.book.sequence,
      lastPrice: m.book.lastPrice,
      depth: m.book.depth(1_000),
    })),
    open: exchange
      .openOrders()
      .map((o) => ({ ...o }))
      .sort((a, b) => a.id - b.id),
  };
}

async function freshState(store: Store) {
  const { exchange, problems } = await recover(store, new TradingRepo(store));
  expect(problems).toEqual([]);
  return stateOf(exchange);
}

const limit = (side: 'BUY' | 'SELL', price: number, quantity = 1): OrderRequest => ({
  symbol: 'TCS',
  side,
  mode: 'LIMIT',
  quantity,
  price,
});

interface Ack {
  id: number;
  status: string;
  filled: number;
  trades: number[];
}

const LATER: Record<string, string[]> = {
  OPEN: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED', 'CANCELLED'],
  FILLED: ['FILLED'],
  CANCELLED: ['CANCELLED'],
};

/** Every acknowledged order is stored as acknowledged or later, with its trades. */
async function expectPersisted(venue: Venue, acks: readonly Ack[]): Promise<void> {
  for (const user of [venue.buyer, venue.seller]) {
    const trades = new Set((await venue.repo.tradesOfUser(user)).map((t) => t.id));
    for (const ack of acks) {
      const row = await venue.repo.orderOfUser(user, ack.id);
      if (row === undefined) continue;
      expect(LATER[ack.status], `order ${ack.id}: ${ack.status} -> ${row.status}`).toContain(
        row.status,
      );
      expect(row.filled_quantity).toBeGreaterThanOrEqual(ack.filled);
      for (const trade of ack.trades) expect(trades.has(trade), `trade ${trade}`).toBe(true);
    }
  }
  const stored = await Promise.all(
    acks.map(async (a) => {
      const rows = await Promise.all(
        [venue.buyer, venue.seller].map((u) => venue.repo.orderOfUser(u, a.id)),
      );
      return rows.some((r) => r !== undefined);
    }),
  );
  expect(stored.every(Boolean), 'every acknowledged order is stored').toBe(true);
}

function ackOf(outcome: OrderOutcome): Ack | undefined {
  if (!outcome.ok) return undefined;
  return {
    id: outcome.order.order_id,
    status: outcome.order.status,
    filled: outcome.order.filled_quantity,
    trades: outcome.fills.map((f) => f.trade_id),
  };
}

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in its upper half, never 0', () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const policy = { ...DEFAULT_OUTAGE_POLICY, random: () => r };
          const ceiling = Math.min(5_000, 100 * 2 ** n);
          const delay = backoffDelay(n, policy);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeGreaterThan(0);
        },
      ),
    );
    const policy = { ...DEFAULT_OUTAGE_POLICY, random: () => 0.999 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy))).toEqual([
      100, 200, 400, 800, 1599, 3198, 4998, 4998,
    ]);
  });
});

describe.each(storeFactories())('a journal outage on $name', (factory: StoreFactory) => {
  let t: TestStore;
  let venue: Venue;
  beforeEach(async () => {
    t = await factory.open();
    venue = await openVenue(t.store);
  });
  afterEach(async () => {
    venue.outage.close();
    await venue.audit.close();
    await t.dispose();
  });

  for (const committedAnyway of [false, true]) {
    it(`answers 503, recovers from the database and trades again (${committedAnyway ? 'the failed commit landed' : 'nothing written'})`, async () => {
      const { exchange, repo, buyer, seller } = venue;
      const acks: Ack[] = [];
      const ack = (o: OrderOutcome) => {
        const a = ackOf(o);
        if (a !== undefined) acks.push(a);
        return o;
      };
      // Before: a resting bid, and a sell that fills half of it.
      ack(await exchange.placeOrder(buyer, limit('BUY', 410_000, 4)));
      ack(await exchange.placeOrder(seller, limit('SELL', 410_000, 2)));

      repo.failing = 1;
      repo.committedAnyway = committedAnyway;
      repo.unreachable = 2;
      const placing = exchange.placeOrder(seller, {
        ...limit('SELL', 412_000, 2),
        clientOrderId: 'ask-1',
      });
      await expect(placing).rejects.toBeInstanceOf(ApiError);
      await expect(placing).rejects.toMatchObject({
        code: 'TRADING_UNAVAILABLE',
        status: 503,
        message: expect.stringMatching(/may or may not have taken effect/) as unknown,
      });
      // While the journal is down: refused, and the reason says so.
      expect(exchange.stoppedReason).toMatch(/journal could not write \(connection lost\)/);
      expect(await exchange.placeOrder(buyer, limit('BUY', 410_000))).toMatchObject({
        ok: false,
        code: 'TRADING_UNAVAILABLE',
      });
      expect(await exchange.adjust(buyer, CASH, 5, 'during')).toMatchObject({ ok: false });

      const report = await venue.outage.ended();
      // Waits of 3, 6 and 12 ms (4 ms doubling, capped at 16, jitter at its middle).
      expect(report).toEqual({ failedAttempts: 2, delays: [3, 6, 12], problems: [] });
      expect(exchange.stoppedReason).toBeUndefined();

      // The database decides what the failed commit did, and memory now agrees with it.
      const ask = await repo.orderOfUserByClientId(seller, 'ask-1');
      expect(ask !== undefined).toBe(committedAnyway);
      expect(exchange.openOrders().some((o) => o.clientOrderId === 'ask-1')).toBe(committedAnyway);
      // A retry with the same client order id places nothing twice, whatever the commit did.
      const retry = await exchange.placeOrder(seller, {
        ...limit('SELL', 412_000, 2),
        clientOrderId: 'ask-1',
      });
      expect(retry).toMatchObject({ ok: true, duplicate: committedAnyway });

      // After: trading resumed without a restart.
      ack(await exchange.placeOrder(seller, limit('SELL', 410_000, 2)));
      ack(await exchange.placeOrder(buyer, limit('BUY', 400_000, 1)));
      expect(acks.length).toBe(4);
      expect(await exchange.cancelOrder(buyer, acks[3]!.id)).toMatchObject({
        ok: true,
        order: { status: 'CANCELLED' },
      });

      await expectPersisted(venue, acks);
      expect(stateOf(exchange)).toEqual(await freshState(t.store));
      const integrity = await venue.audit.checkIntegrity();
      expect(integrity.failure).toBeUndefined();
      expect(integrity.treeSize).toBe(venue.audit.size);
    });
  }

  it('backs off further when the journal fails again soon after resuming, afresh later', async () => {
    const { exchange, repo, buyer } = venue;
    const fail = async () => {
      repo.failing = 1;
      await expect(exchange.placeOrder(buyer, limit('BUY', 410_000))).rejects.toMatchObject({
        code: 'TRADING_UNAVAILABLE',
      });
      return (await venue.outage.ended())?.delays;
    };
    expect(await fail()).toEqual([3]);
    // The database still refuses writes: each outage right after the last waits longer.
    expect(await fail()).toEqual([6]);
    expect(await fail()).toEqual([12]);
    expect(await fail()).toEqual([12]);
    // Once trading has run a while, an outage starts from the shortest wait again.
    clock.at += 16;
    expect(await fail()).toEqual([3]);
    expect(await exchange.placeOrder(buyer, limit('BUY', 410_000))).toMatchObject({ ok: true });
  });

  it('keeps trading stopped when the recovered state fails its checks', async () => {
    const { exchange, repo, buyer } = venue;
    await exchange.placeOrder(buyer, limit('BUY', 410_000, 1));
    // The database itself is damaged while the journal is down: a balance that was never earned.
    await t.store.db
      .updateTable('balances')
      .set({ available: 1 })
      .where('user_id', '=', venue.seller)
      .where('asset', '=', CASH)
      .execute();
    await t.store.db
      .insertInto('balances')
      .values({ user_id: venue.seller, asset: CASH, available: 1, held: 0, updated_at: NOW })
      .onConflict((oc) => oc.columns(['user_id', 'asset']).doNothing())
      .execute();
    repo.failing = 1;
    await expect(exchange.placeOrder(buyer, limit('BUY', 410_000, 1))).rejects.toMatchObject({
      code: 'TRADING_UNAVAILABLE',
    });
    const report = await venue.outage.ended();
    expect(report?.problems.length).toBeGreaterThan(0);
    expect(exchange.stoppedReason).toMatch(/recovery found/);
    expect(await exchange.placeOrder(buyer, limit('BUY', 410_000))).toMatchObject({
      ok: false,
      code: 'TRADING_UNAVAILABLE',
    });
  });
});

describe('journal outages at random points', () => {
  const sqlite = storeFactories()[0]!;
  const command = fc.record({
    seller: fc.boolean(),
    price: fc.integer({ min: 0, max: 4 }).map((k) => 409_000 + k * 500),
    quantity: fc.integer({ min: 1, max: 3 }),
    cancel: fc.boolean(),
    /** Starts a new wave: the commands of one wave are in flight together. */
    wave: fc.boolean(),
    fault: fc.option(
      fc.record({
        failing: fc.integer({ min: 1, max: 2 }),
        committedAnyway: fc.boolean(),
        unreachable: fc.integer({ min: 0, max: 2 }),
      }),
      { freq: 4, nil: undefined },
    ),
  });

  it('loses nothing acknowledged, and resumes on exactly the stored state', async () => {
    let outages = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const t = await sqlite.open();
        const venue = await openVenue(t.store);
        try {
          const { exchange, repo } = venue;
          const acks: Ack[] = [];
          const open: { user: number; id: number }[] = [];
          const wave: Promise<unknown>[] = [];
          for (const c of commands) {
            if (c.wave) await Promise.all(wave.splice(0));
            if (c.fault !== undefined) {
              if ((await venue.outage.ended()) !== undefined) outages += 1;
              Object.assign(repo, c.fault);
            }
            const user = c.seller ? venue.seller : venue.buyer;
            const target = c.cancel ? open.find((o) => o.user === user) : undefined;
            const sent =
              target === undefined
                ? exchange.placeOrder(user, limit(c.seller ? 'SELL' : 'BUY', c.price, c.quantity))
                : exchange.cancelOrder(user, target.id);
            wave.push(
              sent.then(
                (outcome) => {
                  const a = ackOf(outcome);
                  if (a === undefined) return;
                  acks.push(a);
                  if (target === undefined) open.push({ user, id: a.id });
                },
                (error: unknown) => expect(error).toMatchObject({ code: 'TRADING_UNAVAILABLE' }),
              ),
            );
          }
          await Promise.all(wave);
          const report = await venue.outage.ended();
          if (report !== undefined) outages += 1;
          expect(report?.problems ?? []).toEqual([]);
          repo.failing = 0;
          expect(exchange.stoppedReason).toBeUndefined();
          await expectPersisted(venue, acks);
          expect(stateOf(exchange)).toEqual(await freshState(t.store));
        } finally {
          venue.outage.close();
          await venue.audit.close();
          await t.dispose();
        }
      }),
      { numRuns: 25 },
    );
    // The streams did meet outages, and recovered from them.
    expect(outages).toBeGreaterThan(5);
  }, 120_000);
});
