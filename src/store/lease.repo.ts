// All SQL about the sequencer's lease (PostgreSQL only). Every time is the database server's
// clock, so that no node's clock decides who leads. A takeover waits at most LOCK_WAIT_MS for
// the row: a paused holder's open transaction (see the fence) must not hang the standbys.

import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, LeaseRow } from './schema.ts';

const LEASE_ID = 1;
/** How long a takeover or renewal waits for the lease row before trying again later. */
const LOCK_WAIT_MS = 500;
/** PostgreSQL's lock_not_available: lock_timeout expired. */
const LOCK_NOT_AVAILABLE = '55P03';

const DB_NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The lease row with the database's clock read in the same statement. */
export type LeaseState = LeaseRow & { now: number };

function lockTimedOut(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === LOCK_NOT_AVAILABLE;
}

export class LeaseRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async read(): Promise<LeaseState | undefined> {
    return this.db
      .selectFrom('cluster_lease')
      .selectAll()
      .select(DB_NOW.as('now'))
      .where('id', '=', LEASE_ID)
      .executeTakeFirst();
  }

  /**
   * Takes the lease if it has expired (or never existed), with the next epoch; undefined when a
   * live holder has it, or its row stayed locked. Atomic: of two nodes racing, one wins.
   */
  async acquire(nodeId: string, address: string, ttlMs: number): Promise<number | undefined> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        await sql`set local lock_timeout = ${sql.lit(`${LOCK_WAIT_MS}ms`)}`.execute(tx);
        await tx
          .insertInto('cluster_lease')
          .values({
            id: LEASE_ID,
            epoch: 0,
            node_id: '',
            address: '',
            acquired_at: 0,
            expires_at: 0,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        const row = await tx
          .updateTable('cluster_lease')
          .set((eb) => ({
            epoch: eb('epoch', '+', 1),
            node_id: nodeId,
            address,
            acquired_at: DB_NOW,
            expires_at: sql<number>`${DB_NOW} + ${ttlMs}`,
          }))
          .where('id', '=', LEASE_ID)
          .where('expires_at', '<', DB_NOW)
          .returning('epoch')
          .executeTakeFirst();
        return row?.epoch;
      });
    } catch (error) {
      if (lockTimedOut(error)) return undefined;
      throw error;
    }
  }

  /**
   * Extends the lease held under `epoch`: 'renewed', 'lost' (another epoch holds it now), or
   * 'busy' (the row stayed locked; neither proves nor disproves that it is still ours).
   */
  async renew(epoch: number, ttlMs: number): Promise<'renewed' | 'lost' | 'busy'> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        await sql`set local lock_timeout = ${sql.lit(`${LOCK_WAIT_MS}ms`)}`.execute(tx);
        const row = await tx
          .updateTable('cluster_lease')
          .set({ expires_at: sql<number>`${DB_NOW} + ${ttlMs}` })
          .where('id', '=', LEASE_ID)
          .where('epoch', '=', epoch)
          .returning('epoch')
          .executeTakeFirst();
        return row === undefined ? 'lost' : 'renewed';
      });
    } catch (error) {
      if (lockTimedOut(error)) return 'busy';
      throw error;
    }
  }

  /** Ends the lease held under `epoch` at once, so that a standby takes over without waiting. */
  async release(epoch: number): Promise<void> {
    await this.db
      .updateTable('cluster_lease')
      .set({ expires_at: 0 })
      .where('id', '=', LEASE_ID)
      .where('epoch', '=', epoch)
      .execute();
  }

  /**
   * Inside a writing transaction: the lease's epoch now, with the row locked against a takeover
   * until the transaction ends (a takeover is an UPDATE of the row, which waits for the lock).
   */
  async epochForWrite(tx: Transaction<Database>): Promise<number | undefined> {
    const row = await tx
      .selectFrom('cluster_lease')
      .select('epoch')
      .where('id', '=', LEASE_ID)
      .forShare()
      .executeTakeFirst();
    return row?.epoch;
  }
}
