// The simulator on a real exchange (SQLite), on a clock the test moves: its bots keep every symbol
// quoted on both sides inside the collar and trading every few seconds, with a bounded number of
// commands a tick; they only ever send prices on the grid and inside the band, keep the ledger
// sound, fund themselves once, decide the same things for the same seed, and stop cleanly.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestApp, type TestApp } from '../../test/support/app.ts';
import { storeFactories } from '../../test/support/stores.ts';
import { buyCollar, sellCollar } from '../exchange/collar.ts';
import { CASH, type Exchange, type Published } from '../exchange/exchange.ts';
import type { TradeWrite } from '../store/trading.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';
import { DEFAULT_WALK, fairValuePath } from './fair-value.ts';
import { DEFAULT_TUNING, MarketSimulator, priceRange, type StepReport } from './simulator.ts';

/** The simulator's tick on the test's clock, as at the default SIMULATOR_INTERVAL_MS. */
const TICK_MS = 1000;

const sqlite = storeFactories()[0]!;

interface Harness {
  t: TestApp;
  exchange: Exchange;
  users: UsersRepo;
  trades: TradeWrite[];
  /** When each trade was published, by the test's clock. */
  tradedAt: number[];
  clock: { now: number };
  simulator(seed?: number): MarketSimulator;
}

async function openHarness(): Promise<Harness> {
  const t = await openTestApp(sqlite, { SIMULATOR: 'off' });
  const exchange = t.exchange.venue.exchange;
  const users = new UsersRepo(t.store.db);
  const trades: TradeWrite[] = [];
  const tradedAt: number[] = [];
  const clock = { now: 1_800_000_000_000 };
  exchange.subscribe((events: readonly Published[]) => {
    for (const e of events) {
      if (e.kind !== 'trade') continue;
      trades.push(e.trade);
      tradedAt.push(clock.now);
    }
  });
  return {
    t,
    exchange,
    users,
    trades,
    tradedAt,
    clock,
    simulator: (seed = 7) =>
      new MarketSimulator({
        exchange,
        users,
        now: () => clock.now,
        seed,
        priceBandBps: 2000,
      }),
  };
}

/** Runs `steps` ticks, one TICK_MS apart on the harness clock; `after` sees the book after each. */
async function run(
  h: Harness,
  simulator: MarketSimulator,
  steps: number,
  after?: (report: StepReport) => void,
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < steps; i += 1) {
    h.clock.now += TICK_MS;
    const report = await simulator.step();
    after?.(report);
    reports.push(report);
  }
  return reports;
}

async function botIds(users: UsersRepo, exchange: Exchange): Promise<number[]> {
  const names = [
    ...exchange.allMarkets().map((m) => `mm-${m.symbol.toLowerCase()}`),
    ...['noise-1', 'noise-2', 'noise-3', 'noise-4'],
  ];
  const ids: number[] = [];
  for (const name of names) {
    const user = await users.findByUsername(name);
    if (user !== undefined) ids.push(user.id);
  }
  return ids;
}

describe('market simulator on a real exchange', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness();
  });

  afterEach(async () => {
    await h.t.close();
  });

  it('makes trades on every symbol, every price on the grid and inside the band', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    const reports = await run(h, simulator, 30);
    await simulator.stop();

    const markets = h.exchange.allMarkets();
    expect(markets.filter((m) => m.book.lastPrice !== null)).toHaveLength(markets.length);
    // One at the first tick, then one each 8 to 16 s: at least two a symbol in 30 s.
    expect(h.trades.length).toBeGreaterThanOrEqual(2 * markets.length);
    for (const trade of h.trades) {
      const market = h.exchange.market(trade.symbol)!;
      expect(trade.price % market.tickSize).toBe(0);
      expect(Number.isSafeInteger(trade.quantity) && trade.quantity > 0).toBe(true);
      // Fair values stay within ±15% of the reference; the band is ±20%.
      expect(Math.abs(trade.price - market.referencePrice)).toBeLessThanOrEqual(
        market.referencePrice * 0.2,
      );
    }
    for (const report of reports) {
      expect(report.skipped).toBe(false);
      expect(report.failed).toBe(0);
      expect(report.deposits).toBe(0);
      expect(report.refused.PRICE_OUT_OF_BAND).toBeUndefined();
      expect(report.refused.PRICE_NOT_ON_TICK).toBeUndefined();
      expect(report.refused.INVALID_ORDER).toBeUndefined();
    }
    expect(reports.reduce((n, r) => n + r.fills, 0)).toBeGreaterThan(0);
  });

  it('keeps every symbol two-sided inside the collar and trading every few seconds', async () => {
    const simulator = h.simulator(5);
    await simulator.setup();
    const start = h.clock.now;
    const steps = 180; // three simulated minutes
    const markets = h.exchange.allMarkets();
    const collarBps = h.t.config.marketCollarBps;
    const levels = DEFAULT_TUNING.quoteLevels;
    const commands: number[] = [];
    await run(h, simulator, steps, (report) => {
      expect(report.failed).toBe(0);
      commands.push(report.placed + report.amended + report.cancelled);
      for (const market of markets) {
        const top = market.book.topOfBook();
        const last = market.book.lastPrice ?? market.referencePrice;
        expect(top.bid).not.toBeNull();
        expect(top.ask).not.toBeNull();
        expect(top.bid!.price).toBeLessThan(top.ask!.price);
        expect(top.ask!.price).toBeLessThanOrEqual(buyCollar(last, collarBps, market.tickSize));
        expect(top.bid!.price).toBeGreaterThanOrEqual(sellCollar(last, collarBps, market.tickSize));
      }
    });
    await simulator.stop();

    const [, longest] = DEFAULT_TUNING.tradeGapMs;
    for (const market of markets) {
      const times = h.trades
        .map((trade, i) => ({ trade, at: h.tradedAt[i]! }))
        .filter(({ trade }) => trade.symbol === market.symbol)
        .map(({ at }) => at);
      expect(times.length).toBeGreaterThanOrEqual(Math.floor((steps * TICK_MS) / longest));
      const gaps = [times[0]! - start, ...times.slice(1).map((t, i) => t - times[i]!)];
      gaps.push(h.clock.now - times[times.length - 1]!);
      // The gap is drawn up to `longest`, and a trade waits for the next tick.
      expect(Math.max(...gaps)).toBeLessThanOrEqual(longest + TICK_MS);
    }
    // After the first ladders, a tick is a handful of commands, not a re-quote of every book.
    const settled = commands.slice(1);
    expect(Math.max(...settled)).toBeLessThanOrEqual(markets.length * (2 * levels + 1));
    const perTick = settled.reduce((a, b) => a + b, 0) / settled.length;
    expect(perTick).toBeLessThan(markets.length / 2);
  });

  it('paces by activity: a symbol that users trade gets no bot trades', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    await run(h, simulator, 1); // every symbol's first bot trade
    const user = await h.users.ensureSystemUser('busy-trader', h.clock.now);
    expect((await h.exchange.adjust(user, CASH, 1_00_00_000_00, 'test funds')).ok).toBe(true);
    const from = h.trades.length;
    // The user takes TCS's best ask every 5 s, well inside the bots' shortest gap of 8 s.
    for (let second = 0; second < 60; second += 1) {
      if (second % 5 === 0) {
        const ask = h.exchange.market('TCS')!.book.topOfBook().ask!;
        const outcome = await h.exchange.placeOrder(user, {
          symbol: 'TCS',
          side: 'BUY',
          mode: 'LIMIT',
          quantity: 1,
          price: ask.price,
          timeInForce: 'IOC',
        });
        expect(outcome.ok && outcome.fills.length).toBe(1);
      }
      await run(h, simulator, 1);
    }
    await simulator.stop();
    const later = h.trades.slice(from);
    const tcs = later.filter((tr) => tr.symbol === 'TCS');
    expect(tcs).toHaveLength(12);
    expect(tcs.every((tr) => tr.buyer_id === user)).toBe(true);
    // The other symbols kept trading by themselves.
    expect(later.filter((tr) => tr.symbol === 'INFY').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the ledger sound and no bot balance negative', async () => {
    const simulator = h.simulator(11);
    await simulator.setup();
    await run(h, simulator, 30);

    expect(h.exchange.ledger.checkInvariants(h.exchange.expectedHolds())).toEqual([]);
    const bots = await botIds(h.users, h.exchange);
    expect(bots).toHaveLength(h.exchange.allMarkets().length + 4);
    for (const id of bots) {
      for (const asset of [CASH, ...h.exchange.allMarkets().map((m) => m.symbol)]) {
        const { available, held } = h.exchange.ledger.balance(id, asset);
        expect(available).toBeGreaterThanOrEqual(0);
        expect(held).toBeGreaterThanOrEqual(0);
      }
    }
    // Makers rest quotes on both sides of every active book.
    for (const market of h.exchange.allMarkets()) {
      const top = market.book.topOfBook();
      expect(top.bid).not.toBeNull();
      expect(top.ask).not.toBeNull();
      expect(top.bid!.price).toBeLessThan(top.ask!.price);
    }
    await simulator.stop();
  });

  it('funds its bots once: a second setup or a restart deposits nothing', async () => {
    const markets = h.exchange.allMarkets().length;
    const first = h.simulator();
    // Each maker gets cash and its shares; each noise trader cash and shares of every symbol.
    expect(await first.setup()).toBe(markets * 2 + 4 + 4 * markets);
    const maker = (await h.users.findByUsername('mm-tcs'))!.id;
    const noise = (await h.users.findByUsername('noise-1'))!.id;
    expect(h.exchange.ledger.balance(maker, CASH).available).toBe(5_00_00_000_00);
    expect(h.exchange.ledger.balance(maker, 'TCS').available).toBe(5_000);
    expect(h.exchange.ledger.balance(noise, CASH).available).toBe(50_00_000_00);
    expect(h.exchange.ledger.balance(noise, 'INFY').available).toBe(500);

    expect(await first.setup()).toBe(0);
    await run(h, first, 5);
    await first.stop();
    const restarted = h.simulator();
    expect(await restarted.setup()).toBe(0);
    // A drained balance is refilled to its target on the next tick, and only that one.
    const shares = h.exchange.ledger.balance(maker, 'TCS').available;
    expect((await h.exchange.adjust(maker, 'TCS', -(shares - 100), 'test drain')).ok).toBe(true);
    h.exchange.setStatus('TCS', 'HALTED'); // no trading in TCS, so the refill is all that changes
    const [tick] = await run(h, restarted, 1);
    expect(tick!.deposits).toBe(1);
    const tcs = h.exchange.ledger.balance(maker, 'TCS');
    expect(tcs.available + tcs.held).toBe(5_000);
    await restarted.stop();
  });

  it('withdraws its quotes on stop, then does nothing more', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    await run(h, simulator, 3);
    const makers = new Set(
      (await botIds(h.users, h.exchange)).slice(0, h.exchange.allMarkets().length),
    );
    const resting = (): number =>
      h.exchange.openOrders().filter((o) => makers.has(o.userId)).length;
    expect(resting()).toBeGreaterThan(0);

    await expect(simulator.stop()).resolves.toBeUndefined();
    expect(resting()).toBe(0);
    const after = h.trades.length;
    expect((await simulator.step()).skipped).toBe(true);
    expect(h.trades.length).toBe(after);
  });

  it('never runs two ticks at once', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    const [first, second] = await Promise.all([simulator.step(), simulator.step()]);
    expect(first.skipped).toBe(false);
    expect(first.placed).toBeGreaterThan(0);
    expect(second.skipped).toBe(true);
    await simulator.stop();
  });

  it('leaves a halted market alone and is not stopped by its refusals', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    h.exchange.setStatus('ITC', 'HALTED');
    const reports = await run(h, simulator, 10);
    expect(h.trades.filter((tr) => tr.symbol === 'ITC')).toEqual([]);
    expect(h.trades.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.refused.MARKET_HALTED === undefined)).toBe(true);
    await simulator.stop();
  });

  it('takes over the quotes an earlier run left resting instead of replacing them', async () => {
    const first = h.simulator();
    await first.setup();
    await run(h, first, 2);
    // An abrupt end: the quotes stay in the book (as after a crash).
    const leftover = h.exchange.openOrders().map((o) => o.id);
    expect(leftover.length).toBeGreaterThan(0);
    const second = h.simulator(8);
    await second.setup();
    const [report] = await run(h, second, 1);
    // A different seed has other fair values: the ladders move, by amends, and nothing is
    // cancelled to be placed again.
    expect(report!.cancelled).toBe(0);
    const open = new Set(h.exchange.openOrders().map((o) => o.id));
    expect(leftover.filter((id) => !open.has(id))).toEqual([]);
    const levels = DEFAULT_TUNING.quoteLevels;
    expect(open.size).toBeLessThanOrEqual(2 * levels * h.exchange.allMarkets().length);
    await second.stop();
  });

  it('ticks on its own once started, and trades no more once stopped', async () => {
    const simulator = new MarketSimulator({
      exchange: h.exchange,
      users: h.users,
      now: Date.now,
      seed: 3,
      tickMs: 20,
    });
    await simulator.start();
    await vi.waitFor(() => expect(h.trades.length).toBeGreaterThan(0), { timeout: 5_000 });
    await simulator.stop();
    const count = h.trades.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.trades.length).toBe(count);
  });
});

describe('determinism', () => {
  it('gives the same trades for the same seed on two fresh exchanges', async () => {
    const tapes: string[][] = [];
    for (let i = 0; i < 2; i += 1) {
      const h = await openHarness();
      try {
        const simulator = h.simulator(1234);
        await simulator.setup();
        await run(h, simulator, 8);
        await simulator.stop();
        tapes.push(
          h.trades.map((tr) => `${tr.symbol} ${tr.price}x${tr.quantity} ${tr.aggressor_side}`),
        );
      } finally {
        await h.t.close();
      }
    }
    expect(tapes[0]!.length).toBeGreaterThan(0);
    expect(tapes[1]).toEqual(tapes[0]);
  });

  it('gives the same fair values for the same seed, and different ones for another', () => {
    const a = fairValuePath(4_105_35, 42, 500);
    expect(fairValuePath(4_105_35, 42, 500)).toEqual(a);
    expect(fairValuePath(4_105_35, 43, 500)).not.toEqual(a);
    // It moves visibly: not stuck at the anchor.
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(4_105_35 * 0.005);
  });

  it('keeps every fair value inside ±15% of the anchor, for any seed and volatility', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1_00, max: 1_00_000_00 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (seed, anchor, volatility) => {
          const path = fairValuePath(anchor, seed, 300, { ...DEFAULT_WALK, volatility });
          return path.every(
            (v) => v >= anchor * 0.85 * (1 - 1e-12) && v <= anchor * 1.15 * (1 + 1e-12),
          );
        },
      ),
    );
  });
});

describe('price range', () => {
  it('stay inside the band the exchange checks, as integers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 1_00_000_00 }),
        fc.integer({ min: 1, max: 9000 }),
        (tick, reference, band) => {
          const { low, high } = priceRange(reference, tick, band);
          expect(low % tick).toBe(0);
          expect(high % tick).toBe(0);
          if (low <= high) {
            expect(Math.abs(low - reference) * 10_000).toBeLessThanOrEqual(reference * band);
            expect(Math.abs(high - reference) * 10_000).toBeLessThanOrEqual(reference * band);
          }
        },
      ),
    );
  });
});
