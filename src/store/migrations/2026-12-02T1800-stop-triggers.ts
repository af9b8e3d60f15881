// A book's pending trigger checks, kept with its sequence and last price: the stops a trade
// triggered that have not all entered the book yet. With the open orders this rebuilds the
// trigger queue after a restart, in the same order (see src/engine/trigger-queue.ts).

import type { MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('symbols')
    .addColumn('stop_triggers', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('symbols').dropColumn('stop_triggers').execute();
}
