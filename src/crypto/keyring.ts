// Envelope encryption for fields at rest: data keys wrapped by the master key, each ciphertext
// naming its key version. Pure: the caller loads and stores the wrapped keys.

import { hkdfSync, randomBytes as nodeRandomBytes } from 'node:crypto';
import {
  AES_KEY_BYTES,
  decryptEnvelope,
  encryptEnvelope,
  type EnvelopeErrorCode,
} from './aes-gcm.ts';
import { hmacSha256 } from './hmac.ts';

export interface WrappedDataKey {
  readonly id: number;
  /** The data key sealed under the master key, bound to `data-key:<id>`. */
  readonly wrapped: string;
}

const MASTER_KEY_ID = 'master';

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

export type OpenResult =
  | { readonly ok: true; readonly plaintext: string }
  | { readonly ok: false; readonly code: EnvelopeErrorCode };

/** Seals a fresh random data key with the master key. */
export function newDataKey(
  masterKey: Uint8Array,
  id: number,
  randomBytes: (n: number) => Uint8Array = nodeRandomBytes,
): WrappedDataKey {
  const wrapped = encryptEnvelope(
    { id: MASTER_KEY_ID, key: masterKey },
    randomBytes(AES_KEY_BYTES),
    `data-key:${id}`,
  );
  return { id, wrapped };
}

export class Keyring {
  private readonly keys = new Map<string, Uint8Array>();
  private currentId = '';

  /**
   * Unwraps every data key; the highest id encrypts new data. Throws KeyringError if a key does
   * not open, which means the master key is not the one these keys were made with.
   */
  constructor(
    private readonly masterKey: Uint8Array,
    dataKeys: readonly WrappedDataKey[],
  ) {
    if (dataKeys.length === 0) throw new KeyringError('the keyring needs at least one data key');
    this.load(dataKeys);
  }

  /**
   * Adds the data keys not loaded yet (a rotation made elsewhere) and moves sealing to the
   * highest id. Keys already loaded stay: a retired key still opens what it sealed.
   */
  load(dataKeys: readonly WrappedDataKey[]): void {
    for (const { id, wrapped } of dataKeys) {
      if (this.keys.has(String(id))) continue;
      const opened = decryptEnvelope(wrapped, `data-key:${id}`, (keyId) =>
        keyId === MASTER_KEY_ID ? this.masterKey : undefined,
      );
      if (!opened.ok) {
        throw new KeyringError(
          `data key ${id} does not open with this master key (${opened.code}); is MASTER_KEY or MASTER_KEY_PATH the key this database was made with?`,
        );
      }
      this.keys.set(String(id), opened.plaintext);
    }
    const highest = Math.max(...[...this.keys.keys()].map(Number));
    this.currentId = String(highest);
  }

  get currentKeyId(): number {
    return Number(this.currentId);
  }

  /** Encrypts a UTF-8 field for `context`, e.g. `users:42:email`. */
  seal(context: string, plaintext: string): string {
    const key = this.keys.get(this.currentId);
    if (key === undefined) throw new KeyringError('the current data key is missing');
    return encryptEnvelope({ id: this.currentId, key }, Buffer.from(plaintext, 'utf8'), context);
  }

  open(context: string, envelope: string): OpenResult {
    const result = decryptEnvelope(envelope, context, (keyId) => this.keys.get(keyId));
    return result.ok ? { ok: true, plaintext: result.plaintext.toString('utf8') } : result;
  }

  /** Like `open`, for data the exchange wrote itself: a failure there is corruption and throws. */
  openOwn(context: string, envelope: string): string {
    const result = this.open(context, envelope);
    if (!result.ok) throw new KeyringError(`cannot decrypt ${context}: ${result.code}`);
    return result.plaintext;
  }

  /**
   * A keyed hash for looking up an encrypted value by equality (a blind index). The key is
   * derived from the master key per purpose, so indexes of different fields do not correlate.
   */
  blindIndex(purpose: string, value: string): string {
    const key = this.derivedKey(`blind-index:${purpose}`);
    return hmacSha256(key, Buffer.from(value, 'utf8')).toString('hex');
  }

  /**
   * A 256-bit key for one purpose, HKDF-SHA256 of the master key with `label` as its info: keys
   * of different labels are independent, and none is the master key or a data key.
   */
  derivedKey(label: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, '', label, 32));
  }
}
