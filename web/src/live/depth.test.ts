import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPaise } from '../money.ts';
import { cumulative, depthOf, stepAt } from './depth.ts';
import type { LadderLevel } from './local-book.ts';

const level = (paise: number, quantity: number): LadderLevel => ({
  paise,
  price: formatPaise(paise),
  quantity,
});

/** A side of distinct prices with positive quantities, best first; bids below asks (uncrossed). */
const side = (order: 'BUY' | 'SELL') =>
  fc
    .uniqueArray(
      order === 'BUY'
        ? fc.integer({ min: 1, max: 5_000_000 })
        : fc.integer({ min: 5_000_001, max: 10_000_000 }),
      { maxLength: 40 },
    )
    .chain((prices) =>
      fc.tuple(
        fc.constant(prices.sort((a, b) => (order === 'BUY' ? b - a : a - b))),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), {
          minLength: prices.length,
          maxLength: prices.length,
        }),
      ),
    )
    .map(([prices, quantities]) => prices.map((p, i) => level(p, quantities[i] ?? 1)));

describe('cumulative depth', () => {
  it('rises strictly with every level and ends at the sum of the level quantities', () => {
    fc.assert(
      fc.property(side('BUY'), (levels) => {
        const steps = cumulative(levels);
        expect(steps.map((s) => s.paise)).toEqual(levels.map((l) => l.paise));
        for (let i = 1; i < steps.length; i++)
          expect(steps[i]!.cumulative).toBeGreaterThan(steps[i - 1]!.cumulative);
        const total = levels.reduce((n, l) => n + l.quantity, 0);
        expect(steps.at(-1)?.cumulative ?? 0).toBe(total);
      }),
    );
  });

  it('frames both sides around the mid, with the larger total as the peak', () => {
    fc.assert(
      fc.property(side('BUY'), side('SELL'), (bids, asks) => {
        const depth = depthOf(bids, asks);
        for (const step of [...depth.bids, ...depth.asks]) {
          expect(step.paise).toBeGreaterThanOrEqual(depth.low);
          expect(step.paise).toBeLessThanOrEqual(depth.high);
        }
        const sum = (levels: LadderLevel[]) => levels.reduce((n, l) => n + l.quantity, 0);
        expect(depth.peak).toBe(Math.max(sum(bids), sum(asks)));
        expect(depth.high).toBeGreaterThan(depth.low);
      }),
    );
  });

  it('marks the mid and spread of a two-sided book', () => {
    const depth = depthOf([level(410_000, 5), level(409_000, 7)], [level(410_500, 3)]);
    expect(depth.mid).toBe(410_250);
    expect(depth.spread).toBe(500);
    expect(depth.bids.map((s) => s.cumulative)).toEqual([5, 12]);
    expect(depthOf([level(410_000, 5)], []).mid).toBeUndefined();
    expect(depthOf([], []).peak).toBe(0);
  });

  it('reads the nearest level of the side the pointer is on', () => {
    const depth = depthOf([level(410_000, 5), level(409_000, 7)], [level(410_500, 3)]);
    expect(stepAt(depth, 409_100)).toMatchObject({ side: 'BUY', step: { cumulative: 12 } });
    expect(stepAt(depth, 410_200)).toMatchObject({ side: 'BUY', step: { cumulative: 5 } });
    expect(stepAt(depth, 412_000)).toMatchObject({ side: 'SELL', step: { cumulative: 3 } });
    expect(stepAt(depthOf([], []), 1)).toBeUndefined();
  });
});
