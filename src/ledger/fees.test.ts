// Fee math: exact round-up against BigInt, holds at the higher rate, and accrual that keeps an
// order's fees within the hold however its fills are split.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accruedFee,
  accrueFee,
  buyHold,
  buyHoldRemaining,
  feeFor,
  marketBuyHold,
  MAX_FEE_BPS,
  NO_FEES_ACCRUED,
} from './fees.ts';
import type { FeeAccrual } from './fees.ts';

const bigCeilFee = (notional: bigint, bps: bigint): bigint => (notional * bps + 9_999n) / 10_000n;
const bps = fc.integer({ min: 0, max: MAX_FEE_BPS });

describe('feeFor', () => {
  it('rounds up to the paisa', () => {
    expect(feeFor(10_000, 10)).toBe(10);
    expect(feeFor(10_001, 10)).toBe(11);
    expect(feeFor(1, 1)).toBe(1);
    expect(feeFor(999, 10)).toBe(1);
    expect(feeFor(1_000, 10)).toBe(1);
    expect(feeFor(1_001, 10)).toBe(2);
  });

  it('is zero for a zero notional or a zero rate', () => {
    expect(feeFor(0, 1_000)).toBe(0);
    expect(feeFor(123_456_789, 0)).toBe(0);
  });

  it('stays exact where notional*bps passes 2^53', () => {
    expect(feeFor(1e15, 1_000)).toBe(1e14);
    expect(feeFor(1e15 + 1, 1_000)).toBe(1e14 + 1);
    // 9007199254740991 * 1000 / 10000 = 900719925474099.1
    expect(feeFor(Number.MAX_SAFE_INTEGER, 1_000)).toBe(900_719_925_474_100);
    expect(feeFor(Number.MAX_SAFE_INTEGER, 7)).toBe(
      Number(bigCeilFee(BigInt(Number.MAX_SAFE_INTEGER), 7n)),
    );
  });

  it('throws RangeError on a bad notional or rate', () => {
    for (const n of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) {
      expect(() => feeFor(n, 10)).toThrow(RangeError);
    }
    for (const b of [-1, 1_001, 2.5, Number.NaN]) {
      expect(() => feeFor(10_000, b)).toThrow(RangeError);
    }
  });

  it('is the least integer >= notional*bps/10000 for notionals up to 1e15 (BigInt check)', () => {
    const notional = fc.oneof(
      fc.integer({ min: 0, max: 1e15 }),
      fc.integer({ min: 0, max: 20_000 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(notional, bps, (n, b) => {
        const fee = BigInt(feeFor(n, b));
        const exact = BigInt(n) * BigInt(b);
        expect(fee * 10_000n >= exact).toBe(true);
        expect((fee - 1n) * 10_000n < exact).toBe(true);
        expect(fee).toBe(bigCeilFee(BigInt(n), BigInt(b)));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('buyHold and marketBuyHold', () => {
  it('hold the notional plus the fee at the higher of the two rates', () => {
    // 10 shares at Rs 1,523.45: notional 1,52,345.00 = 15234500 paise; 25 bps fee 38086.25 -> 38087.
    expect(buyHold(10, 1_523_450, 10, 25)).toBe(15_234_500 + 38_087);
    expect(buyHold(10, 1_523_450, 25, 10)).toBe(15_234_500 + 38_087);
    expect(buyHold(3, 100, 0, 0)).toBe(300);
  });

  it('are the same formula, the market one at the price cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        bps,
        bps,
        (q, cap, m, t) => {
          const expected =
            BigInt(q) * BigInt(cap) + bigCeilFee(BigInt(q) * BigInt(cap), BigInt(Math.max(m, t)));
          expect(BigInt(marketBuyHold(q, cap, m, t))).toBe(expected);
          expect(buyHold(q, cap, m, t)).toBe(marketBuyHold(q, cap, m, t));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('throw RangeError outside the bounds', () => {
    expect(() => buyHold(0, 100, 10, 10)).toThrow(RangeError);
    expect(() => buyHold(1, 0, 10, 10)).toThrow(RangeError);
    expect(() => buyHold(1.5, 100, 10, 10)).toThrow(RangeError);
    expect(() => buyHold(1, 100, 10, 1_001)).toThrow(RangeError);
    expect(() => buyHold(2 ** 30, 2 ** 30, 10, 10)).toThrow(RangeError);
    // A safe notional whose fee pushes the hold past 2^53.
    expect(() => buyHold(1, Number.MAX_SAFE_INTEGER - 10, 0, 1_000)).toThrow(RangeError);
    expect(() => marketBuyHold(1, -5, 10, 10)).toThrow(RangeError);
  });
});

describe('accrueFee', () => {
  it('charges the first fill exactly feeFor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), bps, (n, b) => {
        expect(accrueFee(NO_FEES_ACCRUED, n, b).fee).toBe(feeFor(n, b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('telescopes: an order pays ceil(sum notional*bps / 10000) in total, each fee within its notional', () => {
    const fill = fc.record({ notional: fc.integer({ min: 0, max: 1e14 }), bps });
    fc.assert(
      fc.property(fc.array(fill, { maxLength: 20 }), (fills) => {
        let accrual: FeeAccrual = NO_FEES_ACCRUED;
        let paid = 0n;
        let basis = 0n;
        for (const f of fills) {
          const step = accrueFee(accrual, f.notional, f.bps);
          expect(step.fee).toBeGreaterThanOrEqual(0);
          expect(step.fee).toBeLessThanOrEqual(f.notional);
          expect(step.fee).toBeLessThanOrEqual(feeFor(f.notional, f.bps));
          accrual = step.accrual;
          paid += BigInt(step.fee);
          basis += BigInt(f.notional) * BigInt(f.bps);
          expect(paid).toBe((basis + 9_999n) / 10_000n);
          expect(BigInt(accruedFee(accrual))).toBe(paid);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps split fills inside the hold where per-fill feeFor would not (regression)', () => {
    // 3 shares at 1 paisa, 10 bps: the hold is 3 + ceil(0.003) = 4 paise.
    const hold = buyHold(3, 1, 10, 10);
    expect(hold).toBe(4);
    const naive = 3 * (1 + feeFor(1, 10));
    expect(naive).toBe(6);
    let accrual: FeeAccrual = NO_FEES_ACCRUED;
    let spent = 0;
    for (let i = 0; i < 3; i += 1) {
      const step = accrueFee(accrual, 1, 10);
      accrual = step.accrual;
      spent += 1 + step.fee;
    }
    expect(spent).toBe(4);
    expect(spent).toBeLessThanOrEqual(hold);
  });
});

describe('buyHoldRemaining', () => {
  it('equals buyHold for a fresh order and 0 for nothing left', () => {
    expect(buyHoldRemaining(10, 1_523_450, 10, 25, NO_FEES_ACCRUED)).toBe(
      buyHold(10, 1_523_450, 10, 25),
    );
    const { accrual } = accrueFee(NO_FEES_ACCRUED, 12_345, 25);
    expect(buyHoldRemaining(0, 1_523_450, 10, 25, accrual)).toBe(0);
  });

  it('never needs more after a fill than was left: the release is never negative', () => {
    const order = fc.record({
      limit: fc.integer({ min: 1, max: 100_000_000 }),
      quantity: fc.integer({ min: 1, max: 10_000_000 }),
      maker: bps,
      taker: bps,
    });
    const fill = fc.record({
      share: fc.integer({ min: 1, max: 100 }),
      improvement: fc.integer({ min: 0, max: 100 }),
      asMaker: fc.boolean(),
    });
    fc.assert(
      fc.property(order, fc.array(fill, { maxLength: 12 }), (o, fills) => {
        let remaining = o.quantity;
        let accrual: FeeAccrual = NO_FEES_ACCRUED;
        let held = buyHold(o.quantity, o.limit, o.maker, o.taker);
        for (const f of fills) {
          if (remaining === 0) break;
          const n = Math.max(1, Math.floor((remaining * f.share) / 100));
          const price = Math.max(1, o.limit - Math.floor((o.limit * f.improvement) / 100));
          const step = accrueFee(accrual, n * price, f.asMaker ? o.maker : o.taker);
          held -= n * price + step.fee;
          accrual = step.accrual;
          remaining -= n;
          const need = buyHoldRemaining(remaining, o.limit, o.maker, o.taker, accrual);
          expect(held).toBeGreaterThanOrEqual(need);
          held = need;
        }
        expect(buyHoldRemaining(0, o.limit, o.maker, o.taker, accrual)).toBe(0);
      }),
      { numRuns: 3_000 },
    );
  });
});
