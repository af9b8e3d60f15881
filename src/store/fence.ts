// The fence on every write of the sequencer's state (orders, trades, the ledger, the audit log):
// in a cluster, each such transaction first locks the lease row and checks that its epoch is
// still this node's. A leader that lost its lease (paused, or cut off) therefore commits nothing,
// and a takeover waits until a write already past its check has ended.

import type { Kysely, Transaction } from 'kysely';
import type { LeaseRepo } from './lease.repo.ts';
import type { Database } from './schema.ts';

/** A write was refused because this node does not hold the lease under its epoch. */
export class FencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FencedError';
  }
}

export interface WriteFence {
  /** Inside the writing transaction, before its first write; throws FencedError if fenced. */
  check(tx: Transaction<Database>): Promise<void>;
}

/** One process on its database (its writer lock excludes every other): nothing to check. */
export const UNFENCED: WriteFence = { check: () => Promise.resolve() };

/** A cluster node's fence: open only while it leads, and only under the epoch it leads with. */
export class EpochFence implements WriteFence {
  private epoch: number | undefined;

  constructor(private readonly lease: LeaseRepo) {}

  /** Writes are allowed under `epoch` from now on. */
  lead(epoch: number): void {
    this.epoch = epoch;
  }

  /** Every write is refused from now on. */
  close(): void {
    this.epoch = undefined;
  }

  async check(tx: Transaction<Database>): Promise<void> {
    const mine = this.epoch;
    if (mine === undefined) throw new FencedError('this node is not the leader: it writes nothing');
    const current = await this.lease.epochForWrite(tx);
    if (current !== mine) {
      throw new FencedError(
        `this node was fenced: it led under epoch ${mine}, and epoch ${current ?? 'none'} holds the lease now`,
      );
    }
  }
}

/**
 * Runs a write that needs no transaction of its own in one that checks `fence` first; without a
 * fence, as it is.
 */
export function fencedWrite<T>(
  db: Kysely<Database>,
  fence: WriteFence,
  write: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (fence === UNFENCED) return write(db);
  return db.transaction().execute(async (tx) => {
    await fence.check(tx);
    return write(tx);
  });
}
