// The audit log becomes append-only in the database itself: UPDATE, DELETE (and on PostgreSQL
// TRUNCATE) of a leaf, a tile or a signed tree head are refused by triggers. Tree heads keep the
// consistency proof from the head before them; tiles keep the root of each 64 leaves, so a
// restart rebuilds the tree without rehashing every leaf.

import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './schema-builder.ts';

const TABLES = ['audit_log', 'tree_heads', 'audit_tiles'] as const;

export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('tree_heads').addColumn('consistency_proof', 'text').execute();
  await db.schema
    .createTable('audit_tiles')
    .addColumn('tile', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  if (isPostgres(db)) {
    await sql`
      create function audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only', tg_table_name using errcode = 'insufficient_privilege';
      end $$`.execute(db);
    for (const table of TABLES) {
      await sql`
        create trigger ${sql.raw(`${table}_append_only`)}
        before update or delete on ${sql.table(table)}
        for each row execute function audit_append_only()`.execute(db);
      await sql`
        create trigger ${sql.raw(`${table}_no_truncate`)}
        before truncate on ${sql.table(table)}
        for each statement execute function audit_append_only()`.execute(db);
    }
    return;
  }
  for (const table of TABLES) {
    for (const action of ['update', 'delete'] as const) {
      await sql`
        create trigger ${sql.raw(`${table}_no_${action}`)}
        before ${sql.raw(action)} on ${sql.table(table)}
        begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db);
    }
  }
}

export async function down(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    for (const table of TABLES) {
      await sql`drop trigger ${sql.raw(`${table}_append_only`)} on ${sql.table(table)}`.execute(db);
      await sql`drop trigger ${sql.raw(`${table}_no_truncate`)} on ${sql.table(table)}`.execute(db);
    }
    await sql`drop function audit_append_only()`.execute(db);
  } else {
    for (const table of TABLES) {
      for (const action of ['update', 'delete'] as const) {
        await sql`drop trigger ${sql.raw(`${table}_no_${action}`)}`.execute(db);
      }
    }
  }
  await db.schema.dropTable('audit_tiles').execute();
  await db.schema.alterTable('tree_heads').dropColumn('consistency_proof').execute();
}
