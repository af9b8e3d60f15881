// TOTP (RFC 6238) through otpauth: 6 digits, 30-second steps, SHA-1 for authenticator-app
// compatibility. A code is accepted one step either side of now, and returns its time step so
// the caller can refuse a second use.

import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW_STEPS = 1;

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  secret: Uint8Array;
  algorithm?: TotpAlgorithm;
  digits?: number;
}

function totp(params: TotpParams, label = 'account', issuer = 'Secure Stock Exchange'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: params.algorithm ?? 'SHA1',
    digits: params.digits ?? TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: Uint8Array.from(params.secret).buffer }),
  });
}

/** A new random 160-bit secret (RFC 4226 recommends at least 128, 160 is the norm). */
export function newTotpSecret(): Uint8Array {
  return new Uint8Array(new Secret({ size: 20 }).bytes);
}

export function base32(secret: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

export function fromBase32(text: string): Uint8Array {
  return new Uint8Array(Secret.fromBase32(text).bytes);
}

export function otpauthUri(secret: Uint8Array, account: string, issuer: string): string {
  return totp({ secret }, account, issuer).toString();
}

export function totpCode(params: TotpParams, timestampMs: number): string {
  return totp(params).generate({ timestamp: timestampMs });
}

/** The time step the code belongs to, or undefined if it matches none in the window. */
export function matchTotp(
  params: TotpParams,
  code: string,
  timestampMs: number,
): number | undefined {
  const delta = totp(params).validate({
    token: code,
    timestamp: timestampMs,
    window: TOTP_WINDOW_STEPS,
  });
  if (delta === null) return undefined;
  return Math.floor(timestampMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}
