import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, verifyHmacSha256 } from './hmac.ts';
import { hexField, loadWycheproof, numberField } from './wycheproof-vectors.ts';

describe('HMAC-SHA256 against Wycheproof hmac_sha256_test.json', () => {
  const cases = loadWycheproof('hmac_sha256_test.json').flatMap((group) =>
    group.tests.map((test) => ({ tagBytes: numberField(group.fields, 'tagSize') / 8, test })),
  );

  it(`checks ${cases.length} cases, full and truncated (128-bit) tags`, () => {
    const failures: number[] = [];
    for (const { tagBytes, test } of cases) {
      const key = hexField(test.fields, 'key');
      const msg = hexField(test.fields, 'msg');
      const tag = hexField(test.fields, 'tag');
      const verdict = verifyHmacSha256(key, msg, tag, tagBytes);
      const ok =
        test.result === 'valid'
          ? verdict && hmacSha256(key, msg, tagBytes).equals(tag)
          : test.result === 'invalid' && !verdict;
      if (!ok) failures.push(test.tcId);
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(cases.filter(({ tagBytes }) => tagBytes === 16).length).toBeGreaterThan(50);
    expect(cases.filter(({ test }) => test.result === 'invalid').length).toBeGreaterThan(50);
    // This vector set has no `acceptable` HMAC cases; a new set adding some needs a decision.
    expect(cases.filter(({ test }) => test.result === 'acceptable')).toEqual([]);
  });
});

describe('verifyHmacSha256', () => {
  const keyArb = fc.uint8Array({ maxLength: 80 });
  const messageArb = fc.uint8Array({ maxLength: 200 });
  const tagBytesArb = fc.integer({ min: 16, max: 32 });

  it('accepts its own tags at every allowed length', () => {
    fc.assert(
      fc.property(keyArb, messageArb, tagBytesArb, (key, message, tagBytes) => {
        const tag = hmacSha256(key, message, tagBytes);
        expect(tag).toHaveLength(tagBytes);
        expect(verifyHmacSha256(key, message, tag, tagBytes)).toBe(true);
      }),
    );
  });

  it('rejects a tag with any bit flipped, and any other message', () => {
    fc.assert(
      fc.property(
        keyArb,
        messageArb,
        tagBytesArb,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (key, message, tagBytes, position, bit) => {
          const tag = hmacSha256(key, message, tagBytes);
          const altered = Buffer.from(tag);
          const index = position % altered.length;
          altered[index] = (altered[index] ?? 0) ^ (1 << bit);
          expect(verifyHmacSha256(key, message, altered, tagBytes)).toBe(false);
          const longer = Buffer.concat([message, Buffer.from([1])]);
          expect(verifyHmacSha256(key, longer, tag, tagBytes)).toBe(false);
        },
      ),
    );
  });

  it('rejects tags of any other length, prefixes included, without throwing', () => {
    fc.assert(
      fc.property(keyArb, messageArb, fc.integer({ min: 0, max: 64 }), (key, message, length) => {
        fc.pre(length !== 32);
        const full = hmacSha256(key, message);
        const candidate = Buffer.concat([full, full]).subarray(0, length);
        expect(verifyHmacSha256(key, message, candidate)).toBe(false);
      }),
    );
    const full = hmacSha256(Buffer.from('k'), Buffer.from('m'));
    expect(verifyHmacSha256(Buffer.from('k'), Buffer.from('m'), full, 16)).toBe(false);
    expect(verifyHmacSha256(Buffer.from('k'), Buffer.from('m'), full.subarray(0, 16), 16)).toBe(
      true,
    );
  });

  it('matches RFC 4231 test case 2', () => {
    const tag = hmacSha256(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'));
    expect(tag.toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('throws for tag lengths outside 16..32 bytes', () => {
    for (const tagBytes of [0, 8, 15, 33, 16.5, Number.NaN]) {
      expect(() => hmacSha256(Buffer.from('k'), Buffer.from('m'), tagBytes)).toThrow(RangeError);
    }
  });
});
