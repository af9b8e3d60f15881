// All SQL about wrapped data keys, and opening the keyring they make up.

import type { Kysely } from 'kysely';
import { Keyring, newDataKey } from '../crypto/keyring.ts';
import type { Database } from './schema.ts';

export class DataKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<{ id: number; wrapped: string }[]> {
    const rows = await this.db.selectFrom('data_keys').select(['id', 'wrapped_key']).execute();
    return rows.map((r) => ({ id: r.id, wrapped: r.wrapped_key }));
  }

  async insert(id: number, wrapped: string, now: number): Promise<void> {
    await this.db
      .insertInto('data_keys')
      .values({ id, wrapped_key: wrapped, created_at: now, retired_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
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
