// Registration is one durable step: the user row is written unopened (and disabled), and the
// journal write that credits its starting cash opens it in the same transaction. An account that
// is still unopened lost its second write (a crash in between); startup removes it.

import type { MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  // Every account that exists already was opened by the registration that made it.
  await db.schema
    .alterTable('users')
    .addColumn('opened', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('opened').execute();
}
