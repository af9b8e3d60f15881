// RSA-OAEP with SHA-256 and MGF1-SHA-256 on keys of at least 2048 bits, via node:crypto.
// Decryption failures are a value (undefined), never partial plaintext or an exception.
import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';

export const RSA_MIN_MODULUS_BITS = 2048;

/** A KeyObject, or a PEM string (SPKI or PKCS#1 for public keys, PKCS#8 or PKCS#1 for private). */
export type RsaKeyInput = KeyObject | string;

/**
 * Encrypts with RSA-OAEP-SHA256. `label` is the optional OAEP label (empty by default); the
 * same label must be given to decrypt. Throws if the key is not an RSA public key of at least
 * 2048 bits, or if the plaintext is too long for the key (190 bytes at 2048 bits).
 */
export function rsaOaepEncrypt(
  publicKey: RsaKeyInput,
  plaintext: Uint8Array,
  label?: Uint8Array,
): Buffer {
  const key = toRsaKey(publicKey, 'public');
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
    plaintext,
  );
}

/**
 * Decrypts RSA-OAEP-SHA256. Returns undefined for any ciphertext that does not decrypt
 * (bad padding, wrong label, wrong length). Throws only if the key is not an RSA private key
 * of at least 2048 bits.
 */
export function rsaOaepDecrypt(
  privateKey: RsaKeyInput,
  ciphertext: Uint8Array,
  label?: Uint8Array,
): Buffer | undefined {
  const key = toRsaKey(privateKey, 'private');
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (ciphertext.length !== modulusBytes) return undefined;
  try {
    return privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
      ciphertext,
    );
  } catch {
    return undefined;
  }
}

function toRsaKey(input: RsaKeyInput, type: 'public' | 'private'): KeyObject {
  const key =
    typeof input === 'string'
      ? type === 'public'
        ? createPublicKey(input)
        : createPrivateKey(input)
      : input;
  if (key.type !== type || key.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`expected an RSA ${type} key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < RSA_MIN_MODULUS_BITS) {
    throw new RangeError(`RSA key must be at least ${RSA_MIN_MODULUS_BITS} bits, got ${bits}`);
  }
  return key;
}
