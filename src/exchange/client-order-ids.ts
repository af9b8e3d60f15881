// The client order ids the sequencer answers from memory: those of open orders, and of a bounded
// window of recently closed ones. A closed order's id leaves memory only once the batch that
// closed it is durable, so from then on the database's unique index answers for it; a lookup
// that an eviction may have overtaken is told to look again (see `overtaken`).

import { isOpen, type LiveOrder } from './orders.ts';

/** How many recently closed orders keep their client ids in memory, besides the open ones. */
export const DEFAULT_CLIENT_ORDER_WINDOW = 1_024;

/** Where durability stood when a database lookup began: every generation up to it was written. */
export type LookupMark = number & { readonly __brand: 'LookupMark' };

const keyOf = (userId: number, clientOrderId: string): string => `${userId}:${clientOrderId}`;

export class ClientOrderIds {
  /** `userId:clientOrderId` -> the order, for open orders and the closed ones in the window. */
  private readonly orders = new Map<string, LiveOrder>();
  /** The window: keys of closed orders, oldest first, with the generation that closed them. */
  private readonly closed = new Map<string, number>();
  /** The generation of the journal batch being built; each batch seals one. */
  private building = 1;
  private durableThrough = 0;
  /** The newest generation any evicted id was closed in. */
  private evictedThrough = 0;

  constructor(private readonly window: number = DEFAULT_CLIENT_ORDER_WINDOW) {
    if (!Number.isSafeInteger(window) || window < 0)
      throw new RangeError(`client order id window must be a whole number, not ${window}`);
  }

  /** How many ids are in memory: every open order's plus at most `window` closed ones. */
  get size(): number {
    return this.orders.size;
  }

  find(userId: number, clientOrderId: string): LiveOrder | undefined {
    return this.orders.get(keyOf(userId, clientOrderId));
  }

  /** Notes an order's state as of the batch being built (an order closes only once). */
  track(order: LiveOrder): void {
    if (order.clientOrderId === null) return;
    const key = keyOf(order.userId, order.clientOrderId);
    this.orders.set(key, order);
    if (!isOpen(order) && !this.closed.has(key)) this.closed.set(key, this.building);
  }

  /** Ends the batch being built; pass its generation to `durable` once the journal wrote it. */
  seal(): number {
    return this.building++;
  }

  /** Every batch up to `generation` is written: closed ids beyond the window may go. */
  durable(generation: number): void {
    if (generation > this.durableThrough) this.durableThrough = generation;
    for (const [key, closedIn] of this.closed) {
      if (this.closed.size <= this.window || closedIn > this.durableThrough) break;
      this.closed.delete(key);
      this.orders.delete(key);
      this.evictedThrough = closedIn;
    }
  }

  /**
   * Forgets every id, for recovery to track the open orders again. Lookups begun before cannot be
   * trusted after it (the ids they were checked against are gone): `overtaken` says so.
   */
  clear(): void {
    this.orders.clear();
    this.closed.clear();
    // Every generation so far is settled now, written or lost, and counts as evicted: a mark
    // taken before is behind it, one taken after is level with it.
    this.evictedThrough = this.building;
    this.durableThrough = this.building;
    this.building += 1;
  }

  /** Take before a database lookup; `overtaken` then says whether the lookup can be trusted. */
  mark(): LookupMark {
    return this.durableThrough as LookupMark;
  }

  /**
   * True when an id closed by a batch that was not yet written when the lookup began has left
   * memory since: the lookup may have missed it, so it must be repeated.
   */
  overtaken(mark: LookupMark): boolean {
    return this.evictedThrough > mark;
  }
}
