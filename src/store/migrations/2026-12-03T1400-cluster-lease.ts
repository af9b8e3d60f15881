// The sequencer's lease in a cluster (src/cluster/lease.ts): one row, whose epoch grows by one
// each time a node takes the lease. Times are the database server's clock, in ms, so that the
// nodes' own clocks never decide who leads.

import type { MigrationDb } from './schema-builder.ts';
import { notNull } from './schema-builder.ts';

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
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('cluster_lease').execute();
}
