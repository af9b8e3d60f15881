// A local copy of one symbol's order book, kept from a snapshot and the updates after it.
// Updates at or below the current sequence are already in the book (the snapshot can run ahead
// of what was published); an update whose prev_sequence is not the current one is a gap, and
// the owner must ask for a new snapshot. Prices are integer paise.

import { paiseOf } from '../money.ts';
import type { BookSnapshot, BookUpdate } from './messages.ts';

export type ApplyResult = 'applied' | 'stale' | 'gap';

export interface LadderLevel {
  price: string;
  paise: number;
  quantity: number;
}

export class LocalBook {
  sequence: number | undefined;
  private bids = new Map<number, LadderLevel>();
  private asks = new Map<number, LadderLevel>();

  get synced(): boolean {
    return this.sequence !== undefined;
  }

  applySnapshot(snapshot: BookSnapshot): void {
    this.bids = new Map();
    this.asks = new Map();
    for (const [price, quantity] of snapshot.bids) this.set(this.bids, price, quantity);
    for (const [price, quantity] of snapshot.asks) this.set(this.asks, price, quantity);
    this.sequence = snapshot.sequence;
  }

  applyUpdate(update: BookUpdate): ApplyResult {
    if (this.sequence === undefined) return 'gap';
    if (update.sequence <= this.sequence) return 'stale';
    if (update.prev_sequence !== this.sequence) {
      this.sequence = undefined;
      return 'gap';
    }
    for (const change of update.changes) {
      this.set(change.side === 'BUY' ? this.bids : this.asks, change.price, change.quantity);
    }
    this.sequence = update.sequence;
    return 'applied';
  }

  /** A heartbeat says what was published; a book behind it has missed an update. */
  isBehind(publishedSequence: number): boolean {
    return this.sequence === undefined || publishedSequence > this.sequence;
  }

  /** Best first: bids high to low, asks low to high. */
  levels(side: 'BUY' | 'SELL', count: number): LadderLevel[] {
    const levels = [...(side === 'BUY' ? this.bids : this.asks).values()];
    levels.sort((a, b) => (side === 'BUY' ? b.paise - a.paise : a.paise - b.paise));
    return levels.slice(0, count);
  }

  private set(side: Map<number, LadderLevel>, price: string, quantity: number): void {
    const paise = paiseOf(price);
    if (quantity === 0) side.delete(paise);
    else side.set(paise, { price, paise, quantity });
  }
}
