import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPaise, parseRupees } from './money.ts';

describe('money', () => {
  it.each([
    ['15234.50', 1_523_450],
    ['15234.5', 1_523_450],
    [15234.5, 1_523_450],
    ['0.05', 5],
    [100, 10_000],
    ['100', 10_000],
  ])('parses %j to %i paise', (input, paise) => {
    expect(parseRupees(input)).toBe(paise);
  });

  it.each([
    ['1.234'],
    [1.005],
    [NaN],
    [Infinity],
    [-0],
    [-5],
    ['-5'],
    ['1e3'],
    [1e21],
    ['01.5'],
    [''],
    ['12,000'],
    [' '],
    ['0x10'],
  ])('refuses %j', (input) => {
    expect(parseRupees(input)).toBeUndefined();
  });

  it('formats and parses back every amount exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), (paise) => {
        expect(parseRupees(formatPaise(paise))).toBe(paise);
      }),
    );
    expect(formatPaise(1_523_450)).toBe('15234.50');
    expect(formatPaise(-5)).toBe('-0.05');
  });
});
