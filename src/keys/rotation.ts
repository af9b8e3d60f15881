// Data key rotation: a new data key every ENCRYPTION_KEY_ROTATION_DAYS (or on demand), then every
// sealed value under an older key is re-encrypted with compare-and-swap, and a key nothing refers
// to any more is marked retired. Driven by what the rows hold, so a restart simply continues.

import { envelopeKeyId } from '../crypto/aes-gcm.ts';
import { newDataKey, type Keyring } from '../crypto/keyring.ts';
import type { DataKeyRecord, DataKeysRepo } from '../store/data-keys.repo.ts';
import {
  SEALED_USER_COLUMNS,
  userFieldContext,
  type SealedFieldsRepo,
} from '../store/sealed-fields.repo.ts';

/** How often a running server reloads the data keys and does a slice of rotation work. */
export const KEY_CHECK_INTERVAL_MS = 60_000;
/**
 * A key is retired only once its successor is this old: by then every running node has reloaded
 * and seals with the successor, so no new value under the old key can appear.
 */
export const KEY_PICKUP_MS = 2 * KEY_CHECK_INTERVAL_MS;
const DAY_MS = 86_400_000;

export interface RotationLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface KeyRotationDeps {
  dataKeys: DataKeysRepo;
  sealed: SealedFieldsRepo;
  keyring: Keyring;
  masterKey: Uint8Array;
  rotationDays: number;
  now: () => number;
  log?: RotationLog | undefined;
  /** Rows read per query while re-encrypting. */
  batchSize?: number;
  checkIntervalMs?: number;
}

export interface ReencryptProgress {
  /** Sealed values this run replaced with ones under the current key. */
  readonly rewritten: number;
  /** Values another writer changed first (left to it) or that did not decrypt. */
  readonly skipped: number;
}

export interface KeyStatus {
  readonly currentKeyId: number;
  readonly nextRotationAt: number;
  readonly keys: readonly (Omit<DataKeyRecord, 'wrapped'> & { references: number })[];
  readonly sealedValues: number;
  /** Values still under an older key: the rotation is done when this is 0. */
  readonly remaining: number;
  /** Values that did not decrypt in this process's last pass: corruption, logged as errors. */
  readonly unreadable: number;
}

export class KeyRotation {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unreadable = 0;
  private readonly batchSize: number;

  constructor(private readonly deps: KeyRotationDeps) {
    this.batchSize = deps.batchSize ?? 200;
  }

  /** Loads data keys added since (by the CLI or another node); returns them all. */
  async reload(): Promise<DataKeyRecord[]> {
    const keys = await this.deps.dataKeys.list();
    this.deps.keyring.load(keys);
    return keys;
  }

  /** Makes a new data key and seals with it from now on; returns its id. */
  async rotate(): Promise<number> {
    const keys = await this.reload();
    const id = Math.max(0, ...keys.map((k) => k.id)) + 1;
    const key = newDataKey(this.deps.masterKey, id);
    // Two nodes rotating at once: one insert wins and both load the winner's key.
    if (await this.deps.dataKeys.insert(id, key.wrapped, this.deps.now())) {
      this.deps.log?.info({ keyId: id }, 'new data key; re-encrypting values under older keys');
    }
    await this.reload();
    return this.deps.keyring.currentKeyId;
  }

  /** Rotates if the current key is older than the rotation period. */
  async rotateIfDue(): Promise<boolean> {
    const keys = await this.reload();
    if (this.deps.now() < this.nextRotationAt(keys)) return false;
    await this.rotate();
    return true;
  }

  /**
   * Re-encrypts values under older keys with the current key, batch by batch, until none is
   * left or `limit` values were rewritten. Each write is `UPDATE … WHERE col = old`, so a value
   * changed meanwhile is left to the writer that changed it.
   */
  async reencrypt(
    options: { limit?: number; onProgress?: (p: ReencryptProgress) => void } = {},
  ): Promise<ReencryptProgress> {
    const { keyring, sealed } = this.deps;
    const limit = options.limit ?? Infinity;
    const current = keyring.currentKeyId;
    let rewritten = 0;
    let skipped = 0;
    let unreadable = 0;
    let afterId = 0;
    for (;;) {
      const rows = await sealed.rowsNotSealedBy(current, afterId, this.batchSize);
      for (const row of rows) {
        for (const column of SEALED_USER_COLUMNS) {
          const value = row[column];
          if (value === null || envelopeKeyId(value) === String(current)) continue;
          if (rewritten >= limit) return { rewritten, skipped };
          const context = userFieldContext(column, row.id);
          const opened = keyring.open(context, value);
          if (!opened.ok) {
            unreadable += 1;
            skipped += 1;
            this.deps.log?.error(
              { userId: row.id, column, code: opened.code },
              'a sealed value does not decrypt; left as it is',
            );
            continue;
          }
          if (await sealed.swap(row.id, column, value, keyring.seal(context, opened.plaintext))) {
            rewritten += 1;
          } else {
            skipped += 1;
          }
        }
        afterId = row.id;
      }
      options.onProgress?.({ rewritten, skipped });
      if (rows.length < this.batchSize) break;
    }
    this.unreadable = unreadable;
    return { rewritten, skipped };
  }

  /** Marks retired the older keys no stored value refers to; returns their ids. */
  async retireUnused(): Promise<number[]> {
    const keys = await this.reload();
    const current = keys.find((k) => k.id === this.deps.keyring.currentKeyId);
    if (current === undefined || this.deps.now() < current.createdAt + KEY_PICKUP_MS) return [];
    const candidates = keys.filter((k) => k.id < current.id && k.retiredAt === null);
    const counts = await this.deps.sealed.countByKey(candidates.map((k) => k.id));
    const retired: number[] = [];
    for (const key of candidates) {
      if (counts.has(key.id)) continue;
      if (await this.deps.dataKeys.retire(key.id, this.deps.now())) retired.push(key.id);
    }
    if (retired.length > 0) this.deps.log?.info({ keyIds: retired }, 'data keys retired');
    return retired;
  }

  async status(): Promise<KeyStatus> {
    const keys = await this.reload();
    const counts = await this.deps.sealed.countByKey(keys.map((k) => k.id));
    const currentKeyId = this.deps.keyring.currentKeyId;
    const sealedValues = await this.deps.sealed.countSealed();
    return {
      currentKeyId,
      nextRotationAt: this.nextRotationAt(keys),
      keys: keys.map(({ id, createdAt, retiredAt }) => ({
        id,
        createdAt,
        retiredAt,
        references: counts.get(id) ?? 0,
      })),
      sealedValues,
      remaining: sealedValues - (counts.get(currentKeyId) ?? 0),
      unreadable: this.unreadable,
    };
  }

  /** One round of the background job; concurrent calls share the round in flight. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs {@link tick} every check interval until {@link stop}. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(
      () => void this.tick(),
      this.deps.checkIntervalMs ?? KEY_CHECK_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async round(): Promise<void> {
    try {
      await this.rotateIfDue();
      const { rewritten, skipped } = await this.reencrypt();
      if (rewritten > 0 || skipped > 0) {
        const keyId = this.deps.keyring.currentKeyId;
        this.deps.log?.info(
          { keyId, rewritten, skipped },
          'values re-encrypted with the current data key',
        );
      }
      await this.retireUnused();
    } catch (error) {
      this.deps.log?.error({ err: error }, 'data key rotation round failed; retrying next round');
    }
  }

  private nextRotationAt(keys: readonly DataKeyRecord[]): number {
    const current = keys.find((k) => k.id === this.deps.keyring.currentKeyId);
    return (current?.createdAt ?? 0) + this.deps.rotationDays * DAY_MS;
  }
}
