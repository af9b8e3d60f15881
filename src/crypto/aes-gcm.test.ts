import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  decryptEnvelope,
  encryptEnvelope,
  envelopeKeyId,
  type EnvelopeKey,
  type KeyLookup,
} from './aes-gcm.ts';
import { hexField, loadWycheproof, numberField } from './wycheproof-vectors.ts';

const KEY: EnvelopeKey = { id: 'k1', key: Buffer.alloc(32, 7) };
const lookup: KeyLookup = (id) => (id === KEY.id ? KEY.key : undefined);
const fixedIv = () => Buffer.from('000102030405060708090a0b', 'hex');

describe('aesGcmEncrypt / aesGcmDecrypt against Wycheproof aes_gcm_test.json', () => {
  const groups = loadWycheproof('aes_gcm_test.json').filter(
    (group) =>
      numberField(group.fields, 'keySize') === 256 &&
      numberField(group.fields, 'ivSize') === 96 &&
      numberField(group.fields, 'tagSize') === 128,
  );
  const tests = groups.flatMap((group) => group.tests);

  it(`checks ${tests.length} cases (256-bit key, 96-bit IV)`, () => {
    const failures: number[] = [];
    for (const test of tests) {
      const key = hexField(test.fields, 'key');
      const iv = hexField(test.fields, 'iv');
      const aad = hexField(test.fields, 'aad');
      const msg = hexField(test.fields, 'msg');
      const ct = hexField(test.fields, 'ct');
      const tag = hexField(test.fields, 'tag');
      const opened = aesGcmDecrypt(key, iv, ct, tag, aad);
      let ok: boolean;
      if (test.result === 'valid') {
        const sealed = aesGcmEncrypt(key, iv, msg, aad);
        ok =
          opened !== undefined &&
          opened.equals(msg) &&
          sealed.ciphertext.equals(ct) &&
          sealed.tag.equals(tag);
      } else {
        ok = test.result === 'invalid' && opened === undefined;
      }
      if (!ok) failures.push(test.tcId);
    }
    expect(failures).toEqual([]);
    expect(tests.length).toBeGreaterThanOrEqual(60);
    expect(tests.filter((test) => test.result === 'invalid').length).toBeGreaterThan(20);
    // This vector set has no `acceptable` AES-GCM cases; a new set adding some needs a decision.
    expect(tests.filter((test) => test.result === 'acceptable')).toEqual([]);
  });
});

describe('aesGcmDecrypt', () => {
  const key = Buffer.alloc(32, 1);
  const iv = fixedIv();
  const aad = Buffer.from('aad');
  const { ciphertext, tag } = aesGcmEncrypt(key, iv, Buffer.from('secret'), aad);

  it('refuses tags that are not exactly 16 bytes', () => {
    for (const length of [0, 4, 8, 12, 15]) {
      expect(aesGcmDecrypt(key, iv, ciphertext, tag.subarray(0, length), aad)).toBeUndefined();
    }
    const longer = Buffer.concat([tag, Buffer.from([0])]);
    expect(aesGcmDecrypt(key, iv, ciphertext, longer, aad)).toBeUndefined();
    expect(aesGcmDecrypt(key, iv, ciphertext, tag, aad)?.toString()).toBe('secret');
  });

  it('refuses IVs that are not 96 bits', () => {
    expect(aesGcmDecrypt(key, iv.subarray(0, 8), ciphertext, tag, aad)).toBeUndefined();
    expect(() => aesGcmEncrypt(key, Buffer.alloc(16), Buffer.alloc(1), aad)).toThrow(RangeError);
  });

  it('throws for keys that are not 256 bits', () => {
    expect(() => aesGcmEncrypt(Buffer.alloc(16), iv, Buffer.alloc(1), aad)).toThrow(RangeError);
    expect(() => aesGcmDecrypt(Buffer.alloc(16), iv, ciphertext, tag, aad)).toThrow(RangeError);
  });
});

describe('envelope format', () => {
  it('is v1.<keyId>.<base64url(iv ‖ ct ‖ tag)>, with version and key id in the AAD', () => {
    const envelope = encryptEnvelope(KEY, Buffer.from('alice@example.com'), 'users:42:email', {
      randomBytes: fixedIv,
    });
    const { ciphertext, tag } = aesGcmEncrypt(
      KEY.key,
      fixedIv(),
      Buffer.from('alice@example.com'),
      Buffer.from('v1.k1.users:42:email'),
    );
    const body = Buffer.concat([fixedIv(), ciphertext, tag]).toString('base64url');
    expect(envelope).toBe(`v1.k1.${body}`);
    // Pinned (computed independently with Python's cryptography AESGCM) so a format change shows.
    expect(envelope).toBe('v1.k1.AAECAwQFBgcICQoLee2AE3hJvDEW35Xwh3YPlYxCaoVNnYcF1SvuYPR1tpTg');
    expect(envelopeKeyId(envelope)).toBe('k1');
  });

  it('draws a fresh IV per encryption by default', () => {
    const a = encryptEnvelope(KEY, Buffer.from('same'), 'users:1:email');
    const b = encryptEnvelope(KEY, Buffer.from('same'), 'users:1:email');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split('.')[2] ?? '', 'base64url').subarray(0, 12)).not.toEqual(
      Buffer.from(b.split('.')[2] ?? '', 'base64url').subarray(0, 12),
    );
  });

  it('encrypts the empty plaintext to an IV and a tag only', () => {
    const envelope = encryptEnvelope(KEY, Buffer.alloc(0), 'users:1:note');
    expect(Buffer.from(envelope.split('.')[2] ?? '', 'base64url')).toHaveLength(28);
    const result = decryptEnvelope(envelope, 'users:1:note', lookup);
    expect(result).toEqual({ ok: true, plaintext: Buffer.alloc(0) });
  });

  it('throws on programming errors: bad key id, key size, IV source or context', () => {
    const plaintext = Buffer.from('x');
    expect(() => encryptEnvelope({ id: 'a.b', key: KEY.key }, plaintext, 'c')).toThrow(RangeError);
    expect(() => encryptEnvelope({ id: '', key: KEY.key }, plaintext, 'c')).toThrow(RangeError);
    expect(() => encryptEnvelope({ id: 'k', key: Buffer.alloc(16) }, plaintext, 'c')).toThrow(
      RangeError,
    );
    expect(() =>
      encryptEnvelope(KEY, plaintext, 'c', { randomBytes: () => Buffer.alloc(8) }),
    ).toThrow(RangeError);
    expect(() => encryptEnvelope(KEY, plaintext, '')).toThrow(TypeError);
    expect(() => encryptEnvelope(KEY, plaintext, 'users:\ud800')).toThrow(TypeError);
    expect(() => decryptEnvelope('v1.k1.AAAA', '', lookup)).toThrow(TypeError);
  });
});

describe('decryptEnvelope failures are values', () => {
  const envelope = encryptEnvelope(KEY, Buffer.from('4111 1111 1111 1111'), 'users:42:card');
  const [, , body = ''] = envelope.split('.');

  it.each([
    ['', 'malformed'],
    ['garbage', 'malformed'],
    ['v1.k1', 'malformed'],
    ['v1.k1.', 'malformed'],
    [`v1..${body}`, 'malformed'],
    [`v1.k1.${body}.extra`, 'malformed'],
    [`v1.k1.${body}=`, 'malformed'],
    [`v1.k1.${body.replace(/-/g, '+')}+`, 'malformed'],
    [`V1.k1.${body}`, 'malformed'],
    [`v2.k1.${body}`, 'unsupported-version'],
    [`v1.k9.${body}`, 'unknown-key'],
    [`v1.k1.${body.slice(0, 37)}`, 'malformed'],
    [`v1.k1.${body.slice(0, 40)}`, 'auth-failed'],
  ])('%j -> %s', (input, code) => {
    expect(decryptEnvelope(input, 'users:42:card', lookup)).toEqual({ ok: false, code });
  });

  it('refuses a non-canonical base64url body (unused low bits set)', () => {
    const bytes = Buffer.from(body, 'base64url');
    expect(bytes.length % 3).not.toBe(0);
    const last = body.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    const tweaked = body.slice(0, -1) + sibling;
    expect(Buffer.from(tweaked, 'base64url')).toEqual(bytes);
    expect(decryptEnvelope(`v1.k1.${tweaked}`, 'users:42:card', lookup)).toEqual({
      ok: false,
      code: 'malformed',
    });
  });

  it('refuses a ciphertext relabelled to another key id, even one mapping to the same key', () => {
    const sameKeyForAnyId: KeyLookup = () => KEY.key;
    expect(decryptEnvelope(`v1.k2.${body}`, 'users:42:card', sameKeyForAnyId)).toEqual({
      ok: false,
      code: 'auth-failed',
    });
    expect(decryptEnvelope(envelope, 'users:42:card', sameKeyForAnyId).ok).toBe(true);
  });

  it('refuses the right envelope under another record or field', () => {
    for (const context of ['users:43:card', 'users:42:email', 'users:42:card ', 'USERS:42:card']) {
      expect(decryptEnvelope(envelope, context, lookup)).toEqual({
        ok: false,
        code: 'auth-failed',
      });
    }
  });

  it('refuses every truncation of the envelope', () => {
    for (let length = 0; length < envelope.length; length += 1) {
      expect(decryptEnvelope(envelope.slice(0, length), 'users:42:card', lookup).ok).toBe(false);
    }
  });
});

describe('envelope properties', () => {
  const plaintextArb = fc.uint8Array({ maxLength: 300 });
  const contextArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

  it('round-trips any plaintext under any context', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, (plaintext, context) => {
        const envelope = encryptEnvelope(KEY, plaintext, context);
        const result = decryptEnvelope(envelope, context, lookup);
        expect(result).toEqual({ ok: true, plaintext: Buffer.from(plaintext) });
      }),
    );
  });

  it('fails under any other context', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, contextArb, (plaintext, context, other) => {
        fc.pre(context !== other);
        const envelope = encryptEnvelope(KEY, plaintext, context);
        expect(decryptEnvelope(envelope, other, lookup)).toEqual({
          ok: false,
          code: 'auth-failed',
        });
      }),
    );
  });

  it('fails after any single bit flip in the envelope text', () => {
    const sameKeyForAnyId: KeyLookup = () => KEY.key;
    fc.assert(
      fc.property(
        plaintextArb,
        fc.nat(),
        fc.integer({ min: 0, max: 15 }),
        (plaintext, position, bit) => {
          const envelope = encryptEnvelope(KEY, plaintext, 'orders:7:note');
          const index = position % envelope.length;
          const flipped =
            envelope.slice(0, index) +
            String.fromCharCode(envelope.charCodeAt(index) ^ (1 << bit)) +
            envelope.slice(index + 1);
          expect(decryptEnvelope(flipped, 'orders:7:note', sameKeyForAnyId).ok).toBe(false);
        },
      ),
    );
  });

  it('fails after any single bit flip in the IV, ciphertext or tag bytes', () => {
    fc.assert(
      fc.property(plaintextArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (plaintext, pos, bit) => {
        const envelope = encryptEnvelope(KEY, plaintext, 'orders:7:note');
        const bytes = Buffer.from(envelope.slice('v1.k1.'.length), 'base64url');
        const index = pos % bytes.length;
        bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
        const tampered = `v1.k1.${bytes.toString('base64url')}`;
        expect(decryptEnvelope(tampered, 'orders:7:note', lookup)).toEqual({
          ok: false,
          code: 'auth-failed',
        });
      }),
    );
  });
});
