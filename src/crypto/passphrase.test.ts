import { describe, expect, it } from 'vitest';
import {
  SCRYPT_DEFAULT,
  SCRYPT_MINIMUM,
  openWithPassphrase,
  sealWithPassphrase,
  type PassphraseBox,
} from './passphrase.ts';

const LABEL = 'test-box/1';
const PASS = 'correct horse battery staple';
// The weakest accepted cost keeps the test quick; the default is checked separately below.
const params = SCRYPT_MINIMUM;

describe('sealWithPassphrase / openWithPassphrase', () => {
  const box = sealWithPassphrase(PASS, Buffer.from('the key material'), LABEL, { params });

  it('round-trips and records the KDF parameters in the box', () => {
    expect(box.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 15, r: 8, p: 1 });
    expect(Buffer.from(box.kdf.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(box.cipher.iv, 'base64')).toHaveLength(12);
    const opened = openWithPassphrase(PASS, box, LABEL);
    expect(opened.ok && opened.plaintext.toString()).toBe('the key material');
  });

  it('draws a fresh salt and IV each time', () => {
    const again = sealWithPassphrase(PASS, Buffer.from('the key material'), LABEL, { params });
    expect(again.kdf.salt).not.toBe(box.kdf.salt);
    expect(again.cipher.iv).not.toBe(box.cipher.iv);
  });

  it('refuses a wrong passphrase or another label', () => {
    expect(openWithPassphrase('correct horse battery stapler', box, LABEL)).toEqual({
      ok: false,
      code: 'auth-failed',
    });
    expect(openWithPassphrase(PASS, box, 'other/1')).toEqual({ ok: false, code: 'auth-failed' });
  });

  it('refuses any modified field, including the authenticated header', () => {
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const tampered: PassphraseBox[] = [
      { ...box, ciphertext: flip(box.ciphertext) },
      { ...box, tag: flip(box.tag) },
      { ...box, cipher: { ...box.cipher, iv: flip(box.cipher.iv) } },
      { ...box, kdf: { ...box.kdf, salt: flip(box.kdf.salt) } },
      { ...box, kdf: { ...box.kdf, N: 2 ** 16 } },
    ];
    for (const t of tampered) {
      expect(openWithPassphrase(PASS, t, LABEL)).toEqual({ ok: false, code: 'auth-failed' });
    }
  });

  it('refuses weak or malformed parameters before deriving anything', () => {
    expect(openWithPassphrase(PASS, { ...box, kdf: { ...box.kdf, N: 2 ** 10 } }, LABEL)).toEqual({
      ok: false,
      code: 'weak-parameters',
    });
    expect(openWithPassphrase(PASS, { ...box, kdf: { ...box.kdf, N: 40_000 } }, LABEL)).toEqual({
      ok: false,
      code: 'weak-parameters',
    });
    expect(openWithPassphrase(PASS, { ...box, tag: 'not base64!' }, LABEL)).toEqual({
      ok: false,
      code: 'malformed',
    });
    expect(() =>
      sealWithPassphrase(PASS, Buffer.alloc(1), LABEL, { params: { N: 1024, r: 8, p: 1 } }),
    ).toThrow(RangeError);
  });

  it('defaults to N=2^17, r=8, p=1', () => {
    expect(SCRYPT_DEFAULT).toEqual({ N: 131072, r: 8, p: 1 });
    const strong = sealWithPassphrase(PASS, Buffer.from('x'), LABEL);
    expect(strong.kdf.N).toBe(131072);
    const opened = openWithPassphrase(PASS, strong, LABEL);
    expect(opened.ok).toBe(true);
  });
});
