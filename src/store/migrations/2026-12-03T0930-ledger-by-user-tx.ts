// The transaction history pages a user's postings by ledger transaction, newest first: an index
// on (user_id, tx_id) lets a page read only its own transactions, not every posting the user has.

import type { MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('ledger_user_tx')
    .on('ledger_entries')
    .columns(['user_id', 'tx_id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('ledger_user_tx').execute();
}
