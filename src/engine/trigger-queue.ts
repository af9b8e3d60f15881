// Triggered stops waiting their turn to enter the book: one FIFO batch per trigger check, oldest
// check first, priority order within a batch. A batch remembers its check (sequence and last
// price), which with the open stops is all a restart needs to rebuild the same queue.
import type { Order } from './order.ts';
import { PriceLevel } from './price-level.ts';
import { stopTriggers } from './command-validation.ts';
import type { Price, Sequence, StopTrigger } from './types.ts';

/** The stops one trigger check took from the stop book; `price` is the last price it met. */
export class TriggerBatch extends PriceLevel {
  constructor(
    readonly sequence: number,
    lastPrice: number,
  ) {
    super();
    this.price = lastPrice;
  }
}

export class TriggerQueue {
  /** Oldest check first; a batch that empties leaves at once (restored ones when reached). */
  private batches: TriggerBatch[] = [];
  count = 0;

  /** Starts the batch of a trigger check; its stops follow with `append`, in priority order. */
  open(sequence: number, lastPrice: number): TriggerBatch {
    const batch = new TriggerBatch(sequence, lastPrice);
    this.batches.push(batch);
    return batch;
  }

  append(batch: TriggerBatch, order: Order): void {
    batch.append(order);
    this.count++;
  }

  remove(order: Order): void {
    const batch = order.level as TriggerBatch;
    batch.remove(order);
    this.count--;
    if (batch.count === 0) this.batches.splice(this.batches.indexOf(batch), 1);
  }

  /** The batch whose first stop runs next, if any stop waits. */
  front(): TriggerBatch | undefined {
    while (this.batches[0]?.count === 0) this.batches.shift();
    return this.batches[0];
  }

  /** The checks that still have stops waiting, oldest first. */
  triggers(): StopTrigger[] {
    return this.batches
      .filter((b) => b.count > 0)
      .map((b) => ({ sequence: b.sequence as Sequence, lastPrice: b.price as Price }));
  }

  /** The batch a restored stop belongs to: the first restored check that met it. */
  batchFor(isBuy: boolean, stopPrice: number, priority: number): TriggerBatch | undefined {
    return this.batches.find(
      (b) => priority <= b.sequence && stopTriggers(isBuy, stopPrice, b.price),
    );
  }
}

export const isQueued = (order: Order): boolean => order.level instanceof TriggerBatch;
