// Group commit: every change the sequencer makes is queued here, and all changes queued while the
// previous transaction ran are written together in the next one. A caller's promise resolves only
// once its changes are durable. After a failed write nothing more is accepted until `resume`:
// memory is then ahead of the database (or, if the write landed after all, level with it), so the
// exchange must first recover from the database (see outage.ts).

import type { WriteBatch } from '../store/trading.repo.ts';

/**
 * Why a commit was refused. `unknown`: its transaction failed, and may still have committed (a
 * connection lost after COMMIT); only the database can say. `not-written`: it never reached the
 * database, because an earlier write had failed.
 */
export class JournalFailure extends Error {
  constructor(
    readonly reason: Error,
    readonly outcome: 'unknown' | 'not-written',
  ) {
    super(reason.message);
    this.name = 'JournalFailure';
  }
}

interface Waiting {
  batch: WriteBatch;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function emptyBatch(): WriteBatch {
  return { orders: [], trades: [], entries: [], balances: [], symbols: [], openings: [] };
}

/** Folds batches in order: later states of the same order, balance or symbol win. */
export function mergeBatches(batches: readonly WriteBatch[]): WriteBatch {
  if (batches.length === 1 && batches[0] !== undefined) return batches[0];
  const orders = new Map<number, WriteBatch['orders'][number]>();
  const balances = new Map<string, WriteBatch['balances'][number]>();
  const symbols = new Map<string, WriteBatch['symbols'][number]>();
  const merged = emptyBatch();
  for (const batch of batches) {
    for (const o of batch.orders) orders.set(o.id, o);
    for (const b of batch.balances) balances.set(`${b.user_id}\u0000${b.asset}`, b);
    for (const s of batch.symbols) symbols.set(s.symbol, s);
    for (const t of batch.trades) merged.trades.push(t);
    for (const e of batch.entries) merged.entries.push(e);
    for (const a of batch.openings) merged.openings.push(a);
  }
  merged.orders = [...orders.values()];
  merged.balances = [...balances.values()];
  merged.symbols = [...symbols.values()];
  return merged;
}

export interface JournalStats {
  commits: number;
  batches: number;
}

export class Journal {
  private queue: Waiting[] = [];
  private flushing = false;
  private scheduled = false;
  private failure: Error | undefined;
  private idle: (() => void)[] = [];
  readonly stats: JournalStats = { commits: 0, batches: 0 };

  /** `write` gets each group's batches in order; it merges them (see mergeBatches) to store. */
  constructor(
    private readonly write: (batches: readonly WriteBatch[]) => Promise<void>,
    private readonly onFailure: (error: Error) => void,
  ) {}

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Accepts commits again, once the exchange has recovered from the database. */
  resume(): void {
    this.failure = undefined;
  }

  /** Resolves when `batch` is durable; rejects with a JournalFailure if it may not be. */
  commit(batch: WriteBatch): Promise<void> {
    if (this.failure !== undefined)
      return Promise.reject(new JournalFailure(this.failure, 'not-written'));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far is written (or has failed). */
  drain(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every request already in this turn of the event loop join the batch.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const group = this.queue;
    this.queue = [];
    try {
      await this.write(group.map((w) => w.batch));
      this.stats.commits += 1;
      this.stats.batches += group.length;
      for (const w of group) w.resolve();
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      this.failure = error;
      for (const w of group) w.reject(new JournalFailure(error, 'unknown'));
      for (const w of this.queue) w.reject(new JournalFailure(error, 'not-written'));
      this.queue = [];
      this.onFailure(error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
      else for (const done of this.idle.splice(0)) done();
    }
  }
}
