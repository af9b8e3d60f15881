import { describe, expect, it } from 'vitest';
import { paiseOf, percent, price, rupees } from './money.ts';

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
});
