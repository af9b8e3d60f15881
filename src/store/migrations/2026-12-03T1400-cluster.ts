// What a cluster needs in the database. The sequencer's lease (src/cluster/lease.ts): one row,
// whose epoch grows by one each time a node takes the lease; times are the database server's
// clock, in ms, so that no node's clock decides who leads. And the inbox of security events that
// the other nodes saw: only the leader appends to the audit log, so it stores them with their
// leaves, in the order it takes them from the inbox.

import type { MigrationDb } from './schema-builder.ts';
import { notNull, withAutoId } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('cluster_lease')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('epoch', 'bigint', notNull)
    .addColumn('node_id', 'text', notNull)
    .addColumn('address', 'text', notNull)
    .addColumn('acquired_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .execute();
  await withAutoId(db, db.schema.createTable('security_event_inbox'))
    .addColumn('event_type', 'text', notNull)
    .addColumn('severity', 'text', notNull)
    .addColumn('source_ip', 'text')
    .addColumn('user_id', 'bigint')
    .addColumn('description', 'text', notNull)
    .addColumn('details', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('security_event_inbox').execute();
  await db.schema.dropTable('cluster_lease').execute();
}
