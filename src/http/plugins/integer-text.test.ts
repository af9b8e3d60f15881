import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmendBody, OrderBody, OrderIdParams } from '../schemas/trading.ts';
import {
  decimalDigitsFirst,
  decimalForInteger,
  integerOnlyAt,
  writtenDecimals,
  type JsonPath,
} from './integer-text.ts';

/** Where a value holds a number that JSON.stringify writes with a fraction or an exponent. */
function decimalsIn(value: unknown, path: JsonPath = []): JsonPath[] {
  if (typeof value === 'number') return /[.eE]/.test(JSON.stringify(value)) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => decimalsIn(item, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => decimalsIn(item, [...path, key]));
  }
  return [];
}

describe('integer text', () => {
  it('finds every number written with a fraction or exponent, at the path JSON.parse gives it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = decimalsIn(value);
        expect(writtenDecimals(JSON.stringify(value))).toEqual(expected);
        expect(writtenDecimals(JSON.stringify(value, null, 2))).toEqual(expected);
      }),
    );
    expect(writtenDecimals('{"a\\"b":[1,{"c":2.0}],"d\\u0071":1e3,"s":"1.5"}')).toEqual([
      ['a"b', 1, 'c'],
      ['dq'],
    ]);
  });

  it('knows which fields only an integer fits', () => {
    expect(integerOnlyAt(OrderBody, ['quantity'])).toBe(true);
    expect(integerOnlyAt(AmendBody, ['quantity'])).toBe(true);
    expect(integerOnlyAt(OrderBody, ['price'])).toBe(false);
    expect(integerOnlyAt(OrderBody, ['symbol'])).toBe(false);
    expect(integerOnlyAt(OrderBody, ['constructor'])).toBe(false);
    expect(integerOnlyAt(OrderBody, ['quantity', 0])).toBe(false);
    expect(decimalForInteger(OrderBody, '{"quantity":3,"price":4100.5}')).toBeUndefined();
    expect(decimalForInteger(OrderBody, '{"price":4100.5,"quantity":3.0}')).toEqual(['quantity']);
  });

  it('refuses a path integer in anything but decimal digits, and coerces the rest', () => {
    const validate = decimalDigitsFirst(
      OrderIdParams,
      new Ajv({ coerceTypes: 'array' }).compile(OrderIdParams),
    );
    for (const id of ['1e3', '0x10', '+5', ' 5', '5 ', '5.0', '\ufeff5', '٥']) {
      expect(validate({ id }), id).toMatchObject({ error: [{ instancePath: '/id' }] });
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const params = { id: String(n) };
        expect(validate(params)).toBe(true);
        expect(params.id).toBe(n);
      }),
    );
    expect(validate({ id: '0' })).toMatchObject({ error: [{ keyword: 'minimum' }] });
  });
});
