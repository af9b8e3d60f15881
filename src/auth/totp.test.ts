import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchTotp, newTotpSecret, otpauthUri, totpCode, type TotpAlgorithm } from './totp.ts';

// RFC 6238 Appendix B, as listed in ../shared/vectors/README.md.
const SECRETS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it.each(VECTORS)('matches RFC 6238 at t=%i', (time, sha1, sha256, sha512) => {
    const expected: Record<TotpAlgorithm, string> = { SHA1: sha1, SHA256: sha256, SHA512: sha512 };
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      const params = { secret: Buffer.from(SECRETS[algorithm], 'ascii'), algorithm, digits: 8 };
      expect(totpCode(params, time * 1000)).toBe(expected[algorithm]);
      expect(matchTotp(params, expected[algorithm], time * 1000)).toBe(Math.floor(time / 30));
    }
  });

  it('accepts one step of drift either way, not two', () => {
    const params = { secret: newTotpSecret() };
    const now = 1_795_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(params, totpCode(params, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(params, totpCode(params, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(params, totpCode(params, now - 60_000), now)).toBeUndefined();
    expect(matchTotp(params, totpCode(params, now + 60_000), now)).toBeUndefined();
  });

  it('rejects any other code', () => {
    const params = { secret: newTotpSecret() };
    const now = 1_795_000_000_000;
    const good = new Set([-1, 0, 1].map((d) => totpCode(params, now + d * 30_000)));
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), (code) => {
        expect(matchTotp(params, code, now) !== undefined).toBe(good.has(code));
      }),
    );
  });

  it('writes an otpauth URI for authenticator apps', () => {
    const uri = otpauthUri(Buffer.from(SECRETS.SHA1, 'ascii'), 'alice', 'Secure Stock Exchange');
    expect(uri).toBe(
      'otpauth://totp/Secure%20Stock%20Exchange:alice?issuer=Secure%20Stock%20Exchange&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30',
    );
  });
});
