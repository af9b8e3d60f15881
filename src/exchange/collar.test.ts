import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buyCollar, sellCollar } from './collar.ts';

const base = fc.integer({ min: 1, max: 100_000_000 });
const bps = fc.integer({ min: 0, max: 5_000 });
const tick = fc.integer({ min: 1, max: 500 });

describe('market collar', () => {
  it('caps a buy on the tick grid, at or above base plus bps, and within one tick of it', () => {
    fc.assert(
      fc.property(base, bps, tick, (b, p, t) => {
        const cap = buyCollar(b, p, t);
        const exact = b + Math.ceil((b * p) / 10_000);
        expect(cap % t).toBe(0);
        expect(cap).toBeGreaterThanOrEqual(exact);
        expect(cap - exact).toBeLessThan(t);
      }),
    );
  });

  it('floors a sell on the tick grid, at or below base minus bps, never below one tick', () => {
    fc.assert(
      fc.property(base, bps, tick, (b, p, t) => {
        const floor = sellCollar(b, p, t);
        const exact = b - Math.floor((b * p) / 10_000);
        expect(floor % t).toBe(0);
        expect(floor).toBeGreaterThanOrEqual(t);
        if (exact >= t) {
          expect(floor).toBeLessThanOrEqual(exact);
          expect(exact - floor).toBeLessThan(t);
        }
      }),
    );
  });

  it('works the worked example: ₹100.00, 50 bps, 5-paise ticks', () => {
    expect(buyCollar(10_000, 50, 5)).toBe(10_050);
    expect(sellCollar(10_000, 50, 5)).toBe(9_950);
    expect(buyCollar(10_001, 50, 5)).toBe(10_055);
  });
});
