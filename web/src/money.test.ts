import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assetAmount,
  formatPaise,
  paiseOf,
  percent,
  percentText,
  price,
  rupees,
  shares,
} from './money.ts';

describe('terminal money', () => {
  it('formats paise as rupees with en-IN grouping, exactly', () => {
    expect(rupees(10_000_000)).toBe('₹1,00,000.00');
    expect(rupees(12_345_678_901)).toBe('₹12,34,56,789.01');
    expect(rupees(-5)).toBe('−₹0.05');
    expect(rupees(32_550, { sign: true })).toBe('+₹325.50');
    expect(rupees(410_535, { symbol: false })).toBe('4,105.35');
  });

  it('reads API price strings as integer paise without floats', () => {
    expect(paiseOf('4105.35')).toBe(410_535);
    expect(paiseOf('0.10')).toBe(10);
    expect(paiseOf('-20582.25')).toBe(-2_058_225);
    // 0.1 + 0.2 style drift cannot happen: sums stay integers.
    expect(paiseOf('0.10') + paiseOf('0.20')).toBe(30);
    expect(paiseOf(null)).toBe(0);
    expect(price('15234.5')).toBe('15,234.50');
  });

  it('gives percentages to two places from integers', () => {
    expect(percent(325_50, 2_058_225)).toBe('+1.58%');
    expect(percent(-1, 3)).toBe('−33.33%');
    expect(percent(5, 0)).toBe('—');
  });

  it('signs shares, asset amounts and API percentages in the one style', () => {
    expect(shares(-1_200, { sign: true })).toBe('−1,200');
    expect(shares(4, { sign: true })).toBe('+4');
    expect(shares(-5)).toBe('−5');
    expect(shares(0, { sign: true })).toBe('0');
    expect(assetAmount('INR', '-5587.80')).toBe('−₹5,587.80');
    expect(assetAmount('INR', '100000.00')).toBe('+₹1,00,000.00');
    expect(assetAmount('TCS', '50')).toBe('+50 TCS');
    expect(assetAmount('TCS', '-3')).toBe('−3 TCS');
    expect(percentText('-1.23')).toBe('−1.23%');
    expect(percentText('+0.50')).toBe('+0.50%');
    expect(percentText('+0.00')).toBe('0.00%');
    expect(percentText('1.5')).toBe('—');
  });

  it('writes every negative with U+2212, never an ASCII hyphen, and + only when asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (n) => {
        const magnitude = [rupees(Math.abs(n)), shares(Math.abs(n))];
        const unsigned = [rupees(n), shares(n)];
        const signed = [rupees(n, { sign: true }), shares(n, { sign: true })];
        const sign = n < 0 ? '−' : '';
        expect(unsigned).toEqual(magnitude.map((m) => sign + m));
        expect(signed).toEqual(magnitude.map((m) => (n > 0 ? '+' : sign) + m));
        expect(assetAmount('INR', formatPaise(n))).toBe(signed[0]);
        expect(assetAmount('TCS', String(n))).toBe(`${signed[1] ?? ''} TCS`);
        for (const text of [...unsigned, ...signed]) expect(text).not.toContain('-');
      }),
    );
  });

  it('reads the API percentages as the terminal computes its own', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (bps) => {
        // As the ticker sends it: ASCII sign always, two decimals.
        const abs = Math.abs(bps);
        const sent = `${bps < 0 ? '-' : '+'}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(percentText(sent)).toBe(percent(bps, 10_000));
      }),
    );
  });
});
