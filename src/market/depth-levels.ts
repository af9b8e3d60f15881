// One book's visible price levels rebuilt from its engine events, for nodes that do not run the
// book: every BOOK_LEVEL event carries a level's new total, so applying a command's events in
// order gives the book's depth at exactly that command's sequence. Pure.

import {
  asPrice,
  asQuantity,
  asSequence,
  type BookDepth,
  type EngineEvent,
  type LevelView,
  type Side,
  type TopOfBook,
} from '../engine/index.ts';

/** An open order's part of the visible book: what a snapshot from the database is built from. */
export interface RestingOrder {
  side: Side;
  price: number;
  /** Open quantity (quantity less filled). */
  remaining: number;
}

class Levels {
  private readonly quantities = new Map<number, number>();
  /** Prices best first, rebuilt on the first read after a level appeared or went. */
  private sorted: number[] | undefined;

  constructor(private readonly descending: boolean) {}

  set(price: number, quantity: number): void {
    const had = this.quantities.has(price);
    if (quantity === 0) this.quantities.delete(price);
    else this.quantities.set(price, quantity);
    if (had !== (quantity !== 0)) this.sorted = undefined;
  }

  add(price: number, quantity: number): void {
    this.set(price, (this.quantities.get(price) ?? 0) + quantity);
  }

  best(levels: number): LevelView[] {
    this.sorted ??= [...this.quantities.keys()].sort((a, b) => (this.descending ? b - a : a - b));
    return this.sorted.slice(0, levels).map((price) => ({
      price: asPrice(price),
      quantity: asQuantity(this.quantities.get(price) ?? 0),
    }));
  }
}

export class DepthLevels {
  private readonly bids = new Levels(true);
  private readonly asks = new Levels(false);

  /**
   * The book at `sequence` with its last trade price, from the open orders the database holds at
   * that point (orders waiting for their stop are not in the visible book: leave them out).
   */
  constructor(
    public sequence: number,
    public lastPrice: number | null,
    resting: Iterable<RestingOrder> = [],
  ) {
    for (const order of resting) this.side(order.side).add(order.price, order.remaining);
  }

  /** Applies one command's events, which must follow `sequence`. */
  apply(events: readonly EngineEvent[], sequence: number): void {
    for (const event of events) {
      if (event.type === 'BOOK_LEVEL') this.side(event.side).set(event.price, event.quantity);
      else if (event.type === 'FILL') this.lastPrice = event.price;
    }
    this.sequence = sequence;
  }

  depth(levels: number): BookDepth {
    return {
      sequence: asSequence(this.sequence),
      bids: this.bids.best(levels),
      asks: this.asks.best(levels),
    };
  }

  top(): TopOfBook {
    return {
      sequence: asSequence(this.sequence),
      bid: this.bids.best(1)[0] ?? null,
      ask: this.asks.best(1)[0] ?? null,
    };
  }

  private side(side: Side): Levels {
    return side === 'BUY' ? this.bids : this.asks;
  }
}
