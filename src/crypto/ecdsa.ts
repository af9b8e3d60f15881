// ECDSA on P-256 with SHA-256 via node:crypto, in DER or IEEE P1363 (r‖s) encoding.
// Only P-256 keys get through: anything else is refused before any signature is checked.
import {
  createPrivateKey,
  createPublicKey,
  KeyObject,
  sign,
  verify,
  type JsonWebKey,
} from 'node:crypto';

/** `der`: ASN.1 SEQUENCE { r, s } (X.509, TLS). `p1363`: 64 raw bytes r‖s (JOSE, WebCrypto). */
export type SignatureEncoding = 'der' | 'p1363';

export const P1363_SIGNATURE_BYTES = 64;

/** A public key: KeyObject, SPKI PEM (`BEGIN PUBLIC KEY`), or P-256 JWK (object or JSON text). */
export type P256PublicKeyInput = KeyObject | string | JsonWebKey;
/** A private key as a KeyObject or a PEM string (PKCS#8 or SEC1). */
export type P256PrivateKeyInput = KeyObject | string;

/**
 * Why a key was refused:
 * - `malformed`: not parseable as SPKI PEM or JWK, or the point is not on the curve
 * - `private-key`: private material was supplied where a public key belongs
 * - `not-p256`: a valid key of another type or curve
 */
export type P256KeyErrorCode = 'malformed' | 'private-key' | 'not-p256';

export type P256KeyResult =
  | { readonly ok: true; readonly key: KeyObject }
  | { readonly ok: false; readonly code: P256KeyErrorCode; readonly message: string };

/** Thrown by sign/verify when handed a key that is not a usable P-256 key. */
export class P256KeyError extends Error {
  override readonly name = 'P256KeyError';
  constructor(
    readonly code: P256KeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/;
const COORDINATE_BYTES = 32;
const P256_CURVE = 'prime256v1';

/**
 * Parses a user-supplied P-256 public key: SPKI PEM, a JWK object, or a JWK as JSON text.
 * Never throws; refusals come back as a result with a code and a message fit for a 400.
 */
export function parseP256PublicKey(input: string | JsonWebKey): P256KeyResult {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('{')) {
      let jwk: unknown;
      try {
        jwk = JSON.parse(text);
      } catch {
        return refuse('malformed', 'key is neither a PEM public key nor valid JWK JSON');
      }
      return parseJwk(jwk);
    }
    return parsePem(text);
  }
  return parseJwk(input);
}

/** Signs SHA-256(message) with a P-256 private key. Throws {@link P256KeyError} for other keys. */
export function signP256(
  privateKey: P256PrivateKeyInput,
  message: Uint8Array,
  encoding: SignatureEncoding,
): Buffer {
  const key = toPrivateKey(privateKey);
  return sign('sha256', message, { key, dsaEncoding: dsaEncoding(encoding) });
}

/**
 * Verifies a signature over SHA-256(message). Returns false for any signature that is invalid
 * or not in `encoding` (P1363 must be exactly 64 bytes; DER must be strict DER, BER is refused).
 * Both s and n-s verify (ECDSA is malleable): never key a replay cache on signature bytes.
 * Throws {@link P256KeyError} if the key is not a P-256 public key; parse untrusted keys
 * with {@link parseP256PublicKey} first.
 */
export function verifyP256(
  publicKey: P256PublicKeyInput,
  message: Uint8Array,
  signature: Uint8Array,
  encoding: SignatureEncoding,
): boolean {
  const key = toPublicKey(publicKey);
  if (encoding === 'p1363' && signature.length !== P1363_SIGNATURE_BYTES) return false;
  try {
    return verify('sha256', message, { key, dsaEncoding: dsaEncoding(encoding) }, signature);
  } catch {
    return false;
  }
}

function dsaEncoding(encoding: SignatureEncoding): 'der' | 'ieee-p1363' {
  return encoding === 'der' ? 'der' : 'ieee-p1363';
}

function toPublicKey(input: P256PublicKeyInput): KeyObject {
  const parsed =
    input instanceof KeyObject ? checkP256(input, 'public') : parseP256PublicKey(input);
  if (!parsed.ok) throw new P256KeyError(parsed.code, parsed.message);
  return parsed.key;
}

function toPrivateKey(input: P256PrivateKeyInput): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    key = input;
  } else {
    try {
      key = createPrivateKey(input);
    } catch {
      throw new P256KeyError('malformed', 'private key is not a valid PEM');
    }
  }
  const checked = checkP256(key, 'private');
  if (!checked.ok) throw new P256KeyError(checked.code, checked.message);
  return checked.key;
}

function parsePem(text: string): P256KeyResult {
  if (text.includes('PRIVATE KEY-----')) {
    return refuse('private-key', 'a private key was supplied; send only the public key');
  }
  if (!SPKI_PEM.test(text)) {
    return refuse('malformed', 'expected a PEM block "-----BEGIN PUBLIC KEY-----" (SPKI)');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    return refuse('malformed', 'the PEM public key could not be parsed');
  }
  return checkP256(key, 'public');
}

function parseJwk(jwk: unknown): P256KeyResult {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    return refuse('malformed', 'JWK must be a JSON object');
  }
  const fields = jwk as Record<string, unknown>;
  if (fields['d'] !== undefined) {
    return refuse('private-key', 'JWK holds a private key ("d"); send only the public key');
  }
  if (fields['kty'] !== 'EC' || fields['crv'] !== 'P-256') {
    return refuse('not-p256', 'JWK must have kty "EC" and crv "P-256"');
  }
  if (fields['alg'] !== undefined && fields['alg'] !== 'ES256') {
    return refuse('not-p256', 'JWK alg must be "ES256" when present');
  }
  const { x, y } = fields;
  if (!isCoordinate(x) || !isCoordinate(y)) {
    return refuse('malformed', 'JWK x and y must be 32-byte base64url values');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
  } catch {
    return refuse('malformed', 'JWK point is not on the P-256 curve');
  }
  return checkP256(key, 'public');
}

function isCoordinate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === COORDINATE_BYTES && bytes.toString('base64url') === value;
}

function checkP256(key: KeyObject, type: 'public' | 'private'): P256KeyResult {
  if (key.type !== type) {
    return type === 'public'
      ? refuse('private-key', 'expected a public key')
      : refuse('not-p256', 'expected a private key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== P256_CURVE) {
    return refuse('not-p256', 'key is not an EC key on P-256 (secp256r1)');
  }
  return { ok: true, key };
}

function refuse(code: P256KeyErrorCode, message: string): P256KeyResult {
  return { ok: false, code, message };
}
