// A user's own security events (GET /api/auth/security-events) are read newest first by user:
// an index on (user_id, id) keeps that a range read however many events others have.

import type { MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('security_events_user')
    .on('security_events')
    .columns(['user_id', 'id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('security_events_user').execute();
}
