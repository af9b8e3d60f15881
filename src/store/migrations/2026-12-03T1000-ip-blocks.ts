// Blocks an administrator (or the operator, over the control socket) placed: one row per
// address key, so that they outlive a restart. Automatic blocks (failed logins, the IDS) are
// not stored: they are short, and an attacker must not be able to make the exchange write.

import type { MigrationDb } from './schema-builder.ts';
import { notNull } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('ip_blocks')
    .addColumn('address_key', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', notNull)
    .addColumn('actor', 'text', notNull)
    .addColumn('since', 'bigint', notNull)
    .addColumn('until', 'bigint', notNull)
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('ip_blocks').execute();
}
