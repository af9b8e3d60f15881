// The maker's ladder and quote plan, for all inputs: ladder prices sit on the grid and never
// cross; a plan takes any resting quotes exactly onto the ladder without the maker ever crossing
// itself; and a small move of the centre costs a bounded number of amends, never a cancel.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buyCollar, sellCollar } from '../exchange/collar.ts';
import { fairValuePath } from './fair-value.ts';
import {
  ladderCentre,
  ladderGap,
  planQuotes,
  quoteLadder,
  type Ladder,
  type QuoteAction,
  type RestingQuote,
} from './quote-ladder.ts';

/** Applies a plan to resting quotes as the exchange would, checking the book after each step. */
function apply(resting: readonly RestingQuote[], actions: readonly QuoteAction[]): RestingQuote[] {
  const book = new Map(resting.map((q) => [q.id, { ...q }]));
  let nextId = 1_000_000;
  const uncrossed = () => {
    const bids = [...book.values()].filter((q) => q.side === 'BUY').map((q) => q.price);
    const asks = [...book.values()].filter((q) => q.side === 'SELL').map((q) => q.price);
    expect(Math.max(-Infinity, ...bids)).toBeLessThan(Math.min(Infinity, ...asks));
  };
  uncrossed();
  for (const action of actions) {
    if (action.kind === 'cancel') {
      expect(book.delete(action.id)).toBe(true);
    } else if (action.kind === 'amend') {
      const quote = book.get(action.id);
      expect(quote?.side).toBe(action.side);
      if (quote !== undefined) quote.price = action.price;
    } else {
      book.set(nextId, { id: nextId, side: action.side, price: action.price });
      nextId += 1;
    }
    uncrossed();
  }
  return [...book.values()];
}

const prices = (quotes: readonly RestingQuote[], side: 'BUY' | 'SELL') =>
  quotes
    .filter((q) => q.side === side)
    .map((q) => q.price)
    .sort((a, b) => a - b);

const asResting = (ladder: Ladder): RestingQuote[] => [
  ...ladder.bids.map((price, i) => ({ id: i + 1, side: 'BUY' as const, price })),
  ...ladder.asks.map((price, i) => ({ id: 100 + i, side: 'SELL' as const, price })),
];

import { DEFAULT_TUNING } from './simulator.ts';

const tick = fc.integer({ min: 1, max: 100 });
const levels = fc.integer({ min: 1, max: 6 });

describe('quote ladder', () => {
  it('is positive, on the grid, best first, and every bid below every ask', () => {
    fc.assert(
      fc.property(
        tick,
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        levels,
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        (tick, ticksPerGap, center, levels, half) => {
          const gap = tick * ticksPerGap;
          const { bids, asks } = quoteLadder(center, gap, levels, half);
          expect(asks).toHaveLength(levels);
          for (const p of [...bids, ...asks]) {
            expect(Number.isSafeInteger(p) && p > 0 && p % gap === 0 && p % tick === 0).toBe(true);
          }
          for (let i = 1; i < bids.length; i += 1) expect(bids[i]!).toBe(bids[i - 1]! - gap);
          for (let i = 1; i < asks.length; i += 1) expect(asks[i]!).toBe(asks[i - 1]! + gap);
          if (bids[0] !== undefined) {
            expect(bids[0]).toBeLessThanOrEqual(center - half);
            expect(bids[0]).toBeLessThan(asks[0]!);
          }
          expect(asks[0]!).toBeGreaterThanOrEqual(center + half);
        },
      ),
    );
  });

  it('has a grid step of whole ticks, at least one', () => {
    fc.assert(
      fc.property(
        tick,
        fc.integer({ min: 1, max: 1_00_000_00 }),
        fc.integer({ min: 0, max: 1000 }),
        (tick, reference, bps) => {
          const gap = ladderGap(reference, tick, bps);
          expect(gap % tick).toBe(0);
          expect(gap).toBeGreaterThanOrEqual(tick);
        },
      ),
    );
  });
});

describe('quote plan', () => {
  it('takes any uncrossed resting quotes exactly onto the ladder, never crossing itself', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 100_000 }),
        fc.integer({ min: 1, max: 20 }),
        levels,
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 8 }),
        fc.integer({ min: -300, max: 300 }),
        (center, gap, levels, bidOffsets, askOffsets, split) => {
          // Resting quotes anywhere, bids below `center + split` and asks above it.
          const resting: RestingQuote[] = [
            ...bidOffsets.map((d, i) => ({
              id: i + 1,
              side: 'BUY' as const,
              price: center + split - d,
            })),
            ...askOffsets.map((d, i) => ({
              id: 100 + i,
              side: 'SELL' as const,
              price: center + split + d,
            })),
          ];
          const target = quoteLadder(center, gap, levels, gap / 2);
          const after = apply(resting, planQuotes(resting, target));
          expect(prices(after, 'BUY')).toEqual([...target.bids].sort((a, b) => a - b));
          expect(prices(after, 'SELL')).toEqual([...target.asks].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('does nothing when the quotes are on the ladder, and only places what was filled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 100_000 }),
        fc.integer({ min: 1, max: 20 }),
        levels,
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (center, gap, levels, filled) => {
          const target = quoteLadder(center, gap, levels, gap / 2);
          const resting = asResting(target);
          expect(planQuotes(resting, target)).toEqual([]);
          const left = resting.filter((_, i) => !filled[i]);
          const actions = planQuotes(left, target);
          expect(actions.every((a) => a.kind === 'place')).toBe(true);
          expect(actions).toHaveLength(resting.length - left.length);
        },
      ),
    );
  });

  it('answers a move of the centre with at most one amend per side per grid step crossed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_000, max: 1_000_000 }),
        fc.integer({ min: 1, max: 50 }),
        levels,
        fc.double({ min: -2000, max: 2000, noNaN: true }),
        (center, gap, levels, move) => {
          const half = gap / 2;
          const before = quoteLadder(center, gap, levels, half);
          const target = quoteLadder(center + move, gap, levels, half);
          const actions = planQuotes(asResting(before), target);
          expect(actions.every((a) => a.kind === 'amend')).toBe(true);
          const steps = Math.floor(Math.abs(move) / gap) + 1;
          expect(actions.length).toBeLessThanOrEqual(2 * Math.min(levels, steps));
        },
      ),
    );
  });
});

describe('a maker following a fair value', () => {
  it('stays two-sided inside the collar, with a bounded number of amends per move', () => {
    const t = DEFAULT_TUNING;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 100_00, max: 1_00_000_00 }),
        (seed, anchor) => {
          const tick = 5;
          const gap = ladderGap(anchor, tick, t.levelGapBps);
          let quotedAt: number | undefined;
          let resting: RestingQuote[] = [];
          let actions = 0;
          for (const fair of fairValuePath(anchor, seed, 600, t.walk)) {
            const previous = quotedAt;
            quotedAt = ladderCentre(quotedAt, fair, t.requoteBps);
            const half = Math.max(tick, (quotedAt * t.halfSpreadBps) / 10_000);
            const target = quoteLadder(quotedAt, gap, t.quoteLevels, half);
            const plan = planQuotes(resting, target);
            resting = apply(resting, plan);
            actions += plan.length;
            if (previous === undefined) continue;
            // The ladder only follows a move of requoteBps, by one amend per level it shifts.
            if (quotedAt === previous) expect(plan).toEqual([]);
            const steps = Math.floor(Math.abs(quotedAt - previous) / gap) + 1;
            expect(plan.length).toBeLessThanOrEqual(2 * Math.min(t.quoteLevels, steps));
            const bid = Math.max(...prices(resting, 'BUY'));
            const ask = Math.min(...prices(resting, 'SELL'));
            // The ladder lags the fair value by less than a requote, a level and half the spread.
            const lag = (quotedAt * t.requoteBps) / 10_000 + gap + half;
            expect(bid).toBeLessThan(ask);
            expect(Math.abs((bid + ask) / 2 - fair)).toBeLessThanOrEqual(lag);
            expect(ask).toBeLessThanOrEqual(buyCollar(Math.round(fair), 500, tick));
            expect(bid).toBeGreaterThanOrEqual(sellCollar(Math.round(fair), 500, tick));
          }
          // Far fewer commands than one re-quote of the whole ladder a step.
          expect(actions).toBeLessThan(600 * 2 * t.quoteLevels * 0.1);
        },
      ),
      { numRuns: 50 },
    );
  });
});
