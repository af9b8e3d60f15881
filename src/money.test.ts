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
    [' 15234.50'],
    ['15234.50 '],
    ['15234.50\n'],
    ['\u00a015234.50'],
    ['\ufeff15234.50'],
    ['15234.50\u2028'],
  ])('refuses %j', (input) => {
    expect(parseRupees(input)).toBeUndefined();
  });

  it('refuses any amount with whitespace, a no-break space or a BOM around or inside it', () => {
    const blank = fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\ufeff', '\u2007', '\u3000');
    const amount = fc.integer({ min: 0, max: 1e15 }).map(formatPaise);
    fc.assert(
      fc.property(
        amount,
        fc.array(blank, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (text, pad, at) => {
          const cut = at % (text.length + 1);
          const padded = `${text.slice(0, cut)}${pad.join('')}${text.slice(cut)}`;
          expect(parseRupees(padded)).toBeUndefined();
        },
      ),
    );
  });

  it('parses every amount written with up to two decimals to its paise', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 89_999_999_999_999 }),
        fc.constantFrom('', '.0', '.5', '.05', '.50', '.99'),
        (rupees, decimals) => {
          const paise = rupees * 100 + Math.round(Number(`0${decimals}`) * 100);
          expect(parseRupees(`${rupees}${decimals}`)).toBe(paise);
        },
      ),
    );
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
