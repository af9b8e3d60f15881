// Applies the timestamped migrations in order; the same set runs on SQLite and PostgreSQL.

import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.ts';
import * as initial from './migrations/2026-11-22T1600-initial.ts';
import * as auditLog from './migrations/2026-11-22T1800-audit-log.ts';
import * as hashedSessionIds from './migrations/2026-12-02T1600-hashed-session-ids.ts';
import * as securityEventsByUser from './migrations/2026-12-02T1700-security-events-by-user.ts';
import * as stopTriggers from './migrations/2026-12-02T1800-stop-triggers.ts';
import * as ledgerByUserTx from './migrations/2026-12-03T0930-ledger-by-user-tx.ts';
import * as ipBlocks from './migrations/2026-12-03T1000-ip-blocks.ts';
import * as accountOpening from './migrations/2026-12-03T1100-account-opening.ts';
import * as cluster from './migrations/2026-12-03T1400-cluster.ts';

/** Listed here, not globbed, so the set is explicit and works the same under every loader. */
const migrations: Record<string, Migration> = {
  '2026-11-22T1600-initial': initial,
  '2026-11-22T1800-audit-log': auditLog,
  '2026-12-02T1600-hashed-session-ids': hashedSessionIds,
  '2026-12-02T1700-security-events-by-user': securityEventsByUser,
  '2026-12-02T1800-stop-triggers': stopTriggers,
  '2026-12-03T0930-ledger-by-user-tx': ledgerByUserTx,
  '2026-12-03T1000-ip-blocks': ipBlocks,
  '2026-12-03T1100-account-opening': accountOpening,
  '2026-12-03T1400-cluster': cluster,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/** Brings the schema up to date; throws with the failing migration's name on error. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  // With a schema named, Kysely looks for its bookkeeping tables there and nowhere else.
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema === undefined ? {} : { migrationTableSchema: store.schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
