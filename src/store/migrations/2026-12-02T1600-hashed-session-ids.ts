// Sessions are known to the database by the SHA-256 of their id from now on (src/auth/sessions.ts).
// Sessions made before stored the id itself, which a copy of the database would give away: they
// and their refresh tokens are deleted, so everyone signs in again once.

import { sql } from 'kysely';
import type { MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await sql`delete from refresh_tokens`.execute(db);
  await sql`delete from sessions`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to restore: the deleted sessions had ended.
}
