// Public face of src/crypto: thin wrappers over node:crypto, no I/O, no clock, no hand-written
// primitives. Bad input comes back as a value; a bad key or argument is a bug and throws.
export {
  AES_KEY_BYTES,
  ENVELOPE_VERSION,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  KEY_ID_PATTERN,
  aesGcmDecrypt,
  aesGcmEncrypt,
  decryptEnvelope,
  encryptEnvelope,
  envelopeKeyId,
  type AesGcmSealed,
  type EncryptOptions,
  type EnvelopeErrorCode,
  type EnvelopeKey,
  type EnvelopeResult,
  type KeyLookup,
  type RandomBytes,
} from './aes-gcm.ts';
export {
  P1363_SIGNATURE_BYTES,
  P256KeyError,
  parseP256PublicKey,
  signP256,
  verifyP256,
  type P256KeyErrorCode,
  type P256KeyResult,
  type P256PrivateKeyInput,
  type P256PublicKeyInput,
  type SignatureEncoding,
} from './ecdsa.ts';
export { HMAC_MIN_TAG_BYTES, HMAC_SHA256_BYTES, hmacSha256, verifyHmacSha256 } from './hmac.ts';
export {
  SCRYPT_DEFAULT,
  SCRYPT_MINIMUM,
  openWithPassphrase,
  sealWithPassphrase,
  type PassphraseBox,
  type PassphraseOpenResult,
  type ScryptParams,
} from './passphrase.ts';
export {
  RSA_MIN_MODULUS_BITS,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  type RsaKeyInput,
} from './rsa-oaep.ts';
