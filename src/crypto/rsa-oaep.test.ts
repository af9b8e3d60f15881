import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rsaOaepDecrypt, rsaOaepEncrypt } from './rsa-oaep.ts';
import { hexField, loadWycheproof, stringField } from './wycheproof-vectors.ts';

const groups = loadWycheproof('rsa_oaep_2048_sha256_mgf1sha256_test.json');
const firstGroup = groups[0];
if (firstGroup === undefined) throw new Error('no RSA-OAEP test groups');
const privatePem = stringField(firstGroup.fields, 'privateKeyPem');
const publicKey = createPublicKey(privatePem);

describe('rsaOaepDecrypt against Wycheproof rsa_oaep_2048_sha256_mgf1sha256_test.json', () => {
  const cases = groups.flatMap((group) =>
    group.tests.map((test) => ({ pem: stringField(group.fields, 'privateKeyPem'), test })),
  );

  it(`checks ${cases.length} cases`, () => {
    const failures: number[] = [];
    for (const { pem, test } of cases) {
      const label = hexField(test.fields, 'label');
      const opened = rsaOaepDecrypt(pem, hexField(test.fields, 'ct'), label);
      const ok =
        test.result === 'valid'
          ? opened !== undefined && opened.equals(hexField(test.fields, 'msg'))
          : test.result === 'invalid' && opened === undefined;
      if (!ok) failures.push(test.tcId);
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter(({ test }) => test.result === 'invalid').length).toBeGreaterThan(10);
    // This vector set has no `acceptable` RSA-OAEP cases; a new set adding some needs a decision.
    expect(cases.filter(({ test }) => test.result === 'acceptable')).toEqual([]);
  });
});

describe('rsaOaepEncrypt', () => {
  it('round-trips any message up to 190 bytes, with or without a label', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 190 }),
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
        (message, label) => {
          const ciphertext = rsaOaepEncrypt(publicKey, message, label);
          expect(ciphertext).toHaveLength(256);
          expect(rsaOaepDecrypt(privatePem, ciphertext, label)).toEqual(Buffer.from(message));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('is randomized: the same message encrypts differently each time', () => {
    const message = Buffer.from('session key');
    expect(rsaOaepEncrypt(publicKey, message)).not.toEqual(rsaOaepEncrypt(publicKey, message));
  });

  it('refuses to decrypt under a different label', () => {
    const ciphertext = rsaOaepEncrypt(publicKey, Buffer.from('hi'), Buffer.from('label-a'));
    expect(rsaOaepDecrypt(privatePem, ciphertext, Buffer.from('label-b'))).toBeUndefined();
    expect(rsaOaepDecrypt(privatePem, ciphertext)).toBeUndefined();
    expect(rsaOaepDecrypt(privatePem, ciphertext, Buffer.from('label-a'))?.toString()).toBe('hi');
  });

  it('accepts a PEM public key and throws on messages too long for OAEP-SHA256', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ciphertext = rsaOaepEncrypt(pem, Buffer.from('pem'));
    expect(rsaOaepDecrypt(privatePem, ciphertext)?.toString()).toBe('pem');
    expect(() => rsaOaepEncrypt(publicKey, Buffer.alloc(191))).toThrow();
  });

  it('throws for keys that are not RSA or are shorter than 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => rsaOaepEncrypt(small.publicKey, Buffer.from('x'))).toThrow(RangeError);
    expect(() => rsaOaepDecrypt(small.privateKey, Buffer.alloc(128))).toThrow(RangeError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => rsaOaepEncrypt(ec.publicKey, Buffer.from('x'))).toThrow(TypeError);
    expect(() => rsaOaepDecrypt(publicKey, Buffer.alloc(256))).toThrow(TypeError);
  });
});
