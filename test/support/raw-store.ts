// What an attacker holding the database sees: the whole SQLite file (after a WAL checkpoint), or
// every users row as PostgreSQL returns it. For tests that look for plaintext at rest.

import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Store } from '../../src/store/db.ts';

/** The raw bytes as latin1 text, so any ASCII needle can be searched for. */
export async function rawUserData(store: Store, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    return readFileSync(file).toString('latin1');
  }
  const rows = await sql<Record<string, unknown>>`select * from users`.execute(store.db);
  return JSON.stringify(rows.rows);
}
