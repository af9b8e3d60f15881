// The audit log becomes append-only in the database itself: UPDATE, DELETE (and on PostgreSQL
// TRUNCATE) of a leaf or a signed tree head are refused by triggers. Tree heads keep the
// consistency proof from the head before them.

import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './schema-builder.ts';

const TABLES = ['audit_log', 'tree_heads'] as const;

export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('tree_heads').addColumn('consistency_proof', 'text').execute();
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
  await db.schema.alterTable('tree_heads').dropColumn('consistency_proof').execute();
}
