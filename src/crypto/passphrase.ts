// Sealing bytes under a passphrase: scrypt (node:crypto) derives an AES-256-GCM key; the KDF
// parameters travel with the ciphertext and are authenticated with it. Pure except for randomness.

import { randomBytes as nodeRandomBytes, scryptSync } from 'node:crypto';
import {
  AES_KEY_BYTES,
  GCM_IV_BYTES,
  aesGcmDecrypt,
  aesGcmEncrypt,
  type RandomBytes,
} from './aes-gcm.ts';

/** scrypt cost: N (a power of two), block size r, parallelism p. Memory is 128·N·r bytes. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^17 · 8 · 128 B = 128 MiB and about half a second per derivation: slow to guess at scale. */
export const SCRYPT_DEFAULT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
/** The weakest parameters a sealed box is opened with; lower ones are refused as tampering. */
export const SCRYPT_MINIMUM: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const SCRYPT_MAXIMUM_N = 2 ** 20;
const SALT_BYTES = 16;

/** Everything needed to open the box again except the passphrase. */
export interface PassphraseBox {
  readonly kdf: { readonly name: 'scrypt'; readonly salt: string } & ScryptParams;
  readonly cipher: { readonly name: 'aes-256-gcm'; readonly iv: string };
  readonly ciphertext: string;
  readonly tag: string;
}

export type PassphraseOpenResult =
  | { readonly ok: true; readonly plaintext: Buffer }
  | { readonly ok: false; readonly code: 'malformed' | 'weak-parameters' | 'auth-failed' };

/** Throws RangeError on parameters below {@link SCRYPT_MINIMUM} or above a sane maximum. */
function assertParams({ N, r, p }: ScryptParams): void {
  const powerOfTwo = Number.isInteger(Math.log2(N));
  if (
    !powerOfTwo ||
    N < SCRYPT_MINIMUM.N ||
    N > SCRYPT_MAXIMUM_N ||
    !Number.isInteger(r) ||
    r < SCRYPT_MINIMUM.r ||
    r > 32 ||
    !Number.isInteger(p) ||
    p < 1 ||
    p > 16
  ) {
    throw new RangeError(`scrypt parameters N=${N} r=${r} p=${p} are outside the accepted range`);
  }
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Buffer {
  const { N, r, p } = params;
  // Node refuses above maxmem (32 MiB by default); allow exactly what these parameters need.
  const maxmem = 128 * N * r * p + 128 * r * 1024 + 1024 * 1024;
  return scryptSync(passphrase.normalize('NFC'), salt, AES_KEY_BYTES, { N, r, p, maxmem });
}

/**
 * The additional data: every header field in a fixed order, so a changed salt, cost or label is
 * an authentication failure, not a different derivation that happens to be tried.
 */
function headerAad(label: string, box: Omit<PassphraseBox, 'ciphertext' | 'tag'>): Buffer {
  const { kdf, cipher } = box;
  return Buffer.from(
    JSON.stringify([label, kdf.name, kdf.N, kdf.r, kdf.p, kdf.salt, cipher.name, cipher.iv]),
    'utf8',
  );
}

/**
 * Encrypts `plaintext` under `passphrase`. `label` names what the box is for (e.g. a file
 * format and version) and is authenticated, never stored here: the opener must name it too.
 */
export function sealWithPassphrase(
  passphrase: string,
  plaintext: Uint8Array,
  label: string,
  options: { params?: ScryptParams; randomBytes?: RandomBytes } = {},
): PassphraseBox {
  const params = options.params ?? SCRYPT_DEFAULT;
  assertParams(params);
  const random = options.randomBytes ?? nodeRandomBytes;
  const salt = Buffer.from(random(SALT_BYTES));
  const iv = Buffer.from(random(GCM_IV_BYTES));
  const header = {
    kdf: {
      name: 'scrypt' as const,
      N: params.N,
      r: params.r,
      p: params.p,
      salt: salt.toString('base64'),
    },
    cipher: { name: 'aes-256-gcm' as const, iv: iv.toString('base64') },
  };
  const key = deriveKey(passphrase, salt, params);
  const { ciphertext, tag } = aesGcmEncrypt(key, iv, plaintext, headerAad(label, header));
  return { ...header, ciphertext: ciphertext.toString('base64'), tag: tag.toString('base64') };
}

/** Opens a box; a wrong passphrase and any modified byte or field both give `auth-failed`. */
export function openWithPassphrase(
  passphrase: string,
  box: PassphraseBox,
  label: string,
): PassphraseOpenResult {
  const { kdf, cipher } = box;
  if (kdf.name !== 'scrypt' || cipher.name !== 'aes-256-gcm')
    return { ok: false, code: 'malformed' };
  try {
    assertParams(kdf);
  } catch {
    return { ok: false, code: 'weak-parameters' };
  }
  const fields = [kdf.salt, cipher.iv, box.ciphertext, box.tag].map(strictBase64);
  const [salt, iv, ciphertext, tag] = fields;
  if (salt === undefined || iv === undefined || ciphertext === undefined || tag === undefined) {
    return { ok: false, code: 'malformed' };
  }
  const key = deriveKey(passphrase, salt, kdf);
  const plaintext = aesGcmDecrypt(key, iv, ciphertext, tag, headerAad(label, box));
  return plaintext === undefined ? { ok: false, code: 'auth-failed' } : { ok: true, plaintext };
}

function strictBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
