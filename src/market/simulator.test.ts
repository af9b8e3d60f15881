// The simulator on a real exchange (SQLite): its bots make trades happen on most symbols, only
// ever send prices on the grid and inside the band, keep the ledger sound, fund themselves once,
// decide the same things for the same seed, and stop cleanly.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestApp, type TestApp } from '../../test/support/app.ts';
import { storeFactories } from '../../test/support/stores.ts';
import { CASH, type Exchange, type Published } from '../exchange/exchange.ts';
import type { TradeWrite } from '../store/trading.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';
import { DEFAULT_WALK, fairValuePath } from './fair-value.ts';
import { MarketSimulator, priceRange, quoteLadder, type StepReport } from './simulator.ts';

const sqlite = storeFactories()[0]!;

interface Harness {
  t: TestApp;
  exchange: Exchange;
  users: UsersRepo;
  trades: TradeWrite[];
  simulator(seed?: number): MarketSimulator;
}

async function openHarness(): Promise<Harness> {
  const t = await openTestApp(sqlite, { SIMULATOR: 'off' });
  const exchange = t.exchange.venue.exchange;
  const users = new UsersRepo(t.store.db);
  const trades: TradeWrite[] = [];
  exchange.subscribe((events: readonly Published[]) => {
    for (const e of events) if (e.kind === 'trade') trades.push(e.trade);
  });
  return {
    t,
    exchange,
    users,
    trades,
    simulator: (seed = 7) =>
      new MarketSimulator({ exchange, users, now: Date.now, seed, priceBandBps: 2000 }),
  };
}

async function run(simulator: MarketSimulator, steps: number): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < steps; i += 1) reports.push(await simulator.step());
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

  it('makes trades on most symbols, every price on the grid and inside the band', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    const reports = await run(simulator, 30);
    await simulator.stop();

    const markets = h.exchange.allMarkets();
    const traded = markets.filter((m) => m.book.lastPrice !== null);
    expect(traded.length).toBeGreaterThanOrEqual(Math.ceil(markets.length * 0.8));
    expect(h.trades.length).toBeGreaterThan(100);
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

  it('keeps the ledger sound and no bot balance negative', async () => {
    const simulator = h.simulator(11);
    await simulator.setup();
    await run(simulator, 30);

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
    await run(first, 5);
    await first.stop();
    const restarted = h.simulator();
    expect(await restarted.setup()).toBe(0);
    // A drained balance is refilled to its target on the next tick, and only that one.
    const shares = h.exchange.ledger.balance(maker, 'TCS').available;
    expect((await h.exchange.adjust(maker, 'TCS', -(shares - 100), 'test drain')).ok).toBe(true);
    h.exchange.setStatus('TCS', 'HALTED'); // no trading in TCS, so the refill is all that changes
    const [tick] = await run(restarted, 1);
    expect(tick!.deposits).toBe(1);
    const tcs = h.exchange.ledger.balance(maker, 'TCS');
    expect(tcs.available + tcs.held).toBe(5_000);
    await restarted.stop();
  });

  it('withdraws its quotes on stop, then does nothing more', async () => {
    const simulator = h.simulator();
    await simulator.setup();
    await run(simulator, 3);
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
    const reports = await run(simulator, 10);
    expect(h.trades.filter((tr) => tr.symbol === 'ITC')).toEqual([]);
    expect(h.trades.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.refused.MARKET_HALTED === undefined)).toBe(true);
    await simulator.stop();
  });

  it('picks up quotes an earlier run left resting and replaces them', async () => {
    const first = h.simulator();
    await first.setup();
    await run(first, 2);
    // An abrupt end: the quotes stay in the book (as after a crash).
    const leftover = h.exchange.openOrders().map((o) => o.id);
    expect(leftover.length).toBeGreaterThan(0);
    const second = h.simulator(8);
    await second.setup();
    await second.step();
    const open = new Set(h.exchange.openOrders().map((o) => o.id));
    expect(leftover.filter((id) => open.has(id))).toEqual([]);
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
        await run(simulator, 8);
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

describe('quote prices', () => {
  it('are positive, on the grid, and bids sit below asks around the center', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (tick, center, levels, half, gap) => {
          const { bids, asks } = quoteLadder(center, tick, levels, half, gap);
          expect(asks).toHaveLength(levels);
          for (const p of [...bids, ...asks]) {
            expect(Number.isSafeInteger(p) && p > 0 && p % tick === 0).toBe(true);
          }
          for (let i = 1; i < bids.length; i += 1) expect(bids[i]!).toBeLessThan(bids[i - 1]!);
          for (let i = 1; i < asks.length; i += 1) expect(asks[i]!).toBeGreaterThan(asks[i - 1]!);
          if (bids[0] !== undefined) expect(bids[0]).toBeLessThan(center);
          expect(asks[0]!).toBeGreaterThan(center);
        },
      ),
    );
  });

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
