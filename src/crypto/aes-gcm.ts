// AES-256-GCM with a fresh random 96-bit IV for every encryption. An envelope names its key and
// authenticates version, key id and record context, so it cannot be relabelled or moved.
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';

export const AES_KEY_BYTES = 32;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Source of random bytes; injectable so tests can pin IVs. Defaults to node:crypto randomBytes. */
export type RandomBytes = (size: number) => Uint8Array;

export interface AesGcmSealed {
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * Low-level AES-256-GCM encryption with a caller-chosen IV. Never reuse an IV under one key;
 * prefer {@link encryptEnvelope}, which draws a random IV itself.
 * Throws RangeError if the key is not 32 bytes or the IV not 12 bytes (a bug, not bad input).
 */
export function aesGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): AesGcmSealed {
  assertKey(key);
  if (iv.length !== GCM_IV_BYTES) {
    throw new RangeError(`AES-GCM IV must be ${GCM_IV_BYTES} bytes, got ${iv.length}`);
  }
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Low-level AES-256-GCM decryption. Returns the plaintext, or undefined when the IV is not
 * 12 bytes, the tag is not exactly 16 bytes, or authentication fails. No partial plaintext
 * is ever returned. Throws RangeError only if the key is not 32 bytes.
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | undefined {
  assertKey(key);
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Envelope: `v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`

export const ENVELOPE_VERSION = 'v1';
/** Key ids: 1-32 characters of [A-Za-z0-9_-] (an integer version such as "3" is fine). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const LONE_SURROGATE = /\p{Cs}/u;

export interface EnvelopeKey {
  /** Short id written into the envelope; see {@link KEY_ID_PATTERN}. */
  readonly id: string;
  /** 32 raw key bytes. */
  readonly key: Uint8Array;
}

/** Finds the key bytes for a key id, or undefined if the id is unknown (e.g. retired). */
export type KeyLookup = (keyId: string) => Uint8Array | undefined;

/**
 * Why an envelope did not open. All of them mean "bad input" (HTTP 400) to a caller:
 * - `malformed`: not `v1.<keyId>.<base64url>`, non-canonical base64url, or too short to hold
 *   an IV and a tag (truncated)
 * - `unsupported-version`: a well-formed `vN` prefix other than v1
 * - `unknown-key`: the lookup has no key for the envelope's key id
 * - `auth-failed`: wrong key, wrong context, or any tampered byte
 */
export type EnvelopeErrorCode = 'malformed' | 'unsupported-version' | 'unknown-key' | 'auth-failed';

export type EnvelopeResult =
  | { readonly ok: true; readonly plaintext: Buffer }
  | { readonly ok: false; readonly code: EnvelopeErrorCode };

export interface EncryptOptions {
  readonly randomBytes?: RandomBytes;
}

/**
 * Encrypts `plaintext` for the record field named by `context` (e.g. `users:42:email`).
 * The GCM additional data is UTF-8 of `v1.<keyId>.<context>`; it is unambiguous because neither
 * the version nor the key id may contain a dot.
 * Throws RangeError/TypeError on a bad key, key id or context: those are programming errors.
 */
export function encryptEnvelope(
  key: EnvelopeKey,
  plaintext: Uint8Array,
  context: string,
  options: EncryptOptions = {},
): string {
  if (!KEY_ID_PATTERN.test(key.id)) {
    throw new RangeError(`key id must match ${KEY_ID_PATTERN.source}`);
  }
  assertContext(context);
  const iv = (options.randomBytes ?? nodeRandomBytes)(GCM_IV_BYTES);
  const { ciphertext, tag } = aesGcmEncrypt(key.key, iv, plaintext, envelopeAad(key.id, context));
  const body = Buffer.concat([iv, ciphertext, tag]).toString('base64url');
  return `${ENVELOPE_VERSION}.${key.id}.${body}`;
}

/**
 * Opens an envelope made by {@link encryptEnvelope} for the same `context`.
 * Never throws for a bad envelope; returns a result with a {@link EnvelopeErrorCode} instead.
 * Throws TypeError for an empty or non-well-formed context, and RangeError if the lookup
 * returns a key that is not 32 bytes (misconfiguration).
 */
export function decryptEnvelope(
  envelope: string,
  context: string,
  lookup: KeyLookup,
): EnvelopeResult {
  assertContext(context);
  const parsed = parseEnvelope(envelope);
  if (!parsed.ok) return parsed;
  const key = lookup(parsed.keyId);
  if (key === undefined) return { ok: false, code: 'unknown-key' };
  const { bytes } = parsed;
  const iv = bytes.subarray(0, GCM_IV_BYTES);
  const ciphertext = bytes.subarray(GCM_IV_BYTES, bytes.length - GCM_TAG_BYTES);
  const tag = bytes.subarray(bytes.length - GCM_TAG_BYTES);
  const plaintext = aesGcmDecrypt(key, iv, ciphertext, tag, envelopeAad(parsed.keyId, context));
  return plaintext === undefined ? { ok: false, code: 'auth-failed' } : { ok: true, plaintext };
}

/**
 * The key id an envelope claims, without decrypting (for rotation: find what to re-encrypt).
 * Undefined if the envelope is malformed or of another version. The claim is unauthenticated
 * until {@link decryptEnvelope} succeeds.
 */
export function envelopeKeyId(envelope: string): string | undefined {
  const parsed = parseEnvelope(envelope);
  return parsed.ok ? parsed.keyId : undefined;
}

type ParsedEnvelope =
  | { readonly ok: true; readonly keyId: string; readonly bytes: Buffer }
  | { readonly ok: false; readonly code: 'malformed' | 'unsupported-version' };

function parseEnvelope(envelope: string): ParsedEnvelope {
  if (typeof envelope !== 'string') return { ok: false, code: 'malformed' };
  const parts = envelope.split('.');
  if (parts.length !== 3) return { ok: false, code: 'malformed' };
  const [version = '', keyId = '', body = ''] = parts;
  if (version !== ENVELOPE_VERSION) {
    return { ok: false, code: /^v[0-9]{1,9}$/.test(version) ? 'unsupported-version' : 'malformed' };
  }
  if (!KEY_ID_PATTERN.test(keyId) || !BASE64URL_PATTERN.test(body)) {
    return { ok: false, code: 'malformed' };
  }
  const bytes = Buffer.from(body, 'base64url');
  // Reject non-canonical encodings so every envelope string has exactly one byte meaning.
  if (bytes.toString('base64url') !== body) return { ok: false, code: 'malformed' };
  if (bytes.length < GCM_IV_BYTES + GCM_TAG_BYTES) return { ok: false, code: 'malformed' };
  return { ok: true, keyId, bytes };
}

function envelopeAad(keyId: string, context: string): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}.${keyId}.${context}`, 'utf8');
}

function assertKey(key: Uint8Array): void {
  if (key.length !== AES_KEY_BYTES) {
    throw new RangeError(`AES-256 key must be ${AES_KEY_BYTES} bytes, got ${key.length}`);
  }
}

// Lone surrogates would all encode to U+FFFD, letting two different contexts share one AAD.
function assertContext(context: string): void {
  if (typeof context !== 'string' || context.length === 0 || LONE_SURROGATE.test(context)) {
    throw new TypeError('envelope context must be a non-empty, well-formed string');
  }
}
