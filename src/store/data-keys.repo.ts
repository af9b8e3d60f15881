// All SQL about wrapped data keys, and opening the keyring they make up.

import type { Kysely } from 'kysely';
import { Keyring, newDataKey } from '../crypto/keyring.ts';
import type { Database } from './schema.ts';

export interface DataKeyRecord {
  readonly id: number;
  readonly wrapped: string;
  readonly createdAt: number;
  /** Set once no stored value refers to the key; it still opens what users were handed. */
  readonly retiredAt: number | null;
}

export class DataKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<DataKeyRecord[]> {
    const rows = await this.db.selectFrom('data_keys').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      wrapped: r.wrapped_key,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    }));
  }

  /** Adds a key; false if the id exists already (another node won the race: use its key). */
  async insert(id: number, wrapped: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('data_keys')
      .values({ id, wrapped_key: wrapped, created_at: now, retired_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async retire(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('data_keys')
      .set({ retired_at: now })
      .where('id', '=', id)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

/** Loads the data keys, creating the first one on a new database. */
export async function openKeyring(
  db: Kysely<Database>,
  masterKey: Buffer,
  now: number,
): Promise<Keyring> {
  const repo = new DataKeysRepo(db);
  let keys = await repo.list();
  if (keys.length === 0) {
    // Another node starting at the same moment may win the insert; then its key is the one.
    const first = newDataKey(masterKey, 1);
    await repo.insert(first.id, first.wrapped, now);
    keys = await repo.list();
  }
  return new Keyring(masterKey, keys);
}
