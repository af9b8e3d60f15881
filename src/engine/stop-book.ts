// Pending stop orders, kept by trigger price so a trade finds the triggered ones without a
// scan; each trigger level is a FIFO, and a triggered batch comes out in priority order.
import { BookSide } from './book-side.ts';
import type { Order } from './order.ts';

const byPriority = (a: Order, b: Order): number => a.priority - b.priority;

export class StopBook {
  /** Buy stops trigger when last >= stop: the lowest stop price goes first. */
  private readonly buys = new BookSide(false);
  /** Sell stops trigger when last <= stop: the highest stop price goes first. */
  private readonly sells = new BookSide(true);
  private readonly batch: Order[] = [];
  count = 0;

  add(order: Order): void {
    (order.isBuy ? this.buys : this.sells).levelAt(order.stopPrice).append(order);
    this.count++;
  }

  remove(order: Order): void {
    const level = order.level!;
    level.remove(order);
    if (level.count === 0) (order.isBuy ? this.buys : this.sells).removeLevel(level);
    this.count--;
  }

  /** Removes every stop that `lastPrice` triggers and appends them to `out` by priority. */
  takeTriggered(lastPrice: number, out: Order[]): void {
    if (this.count === 0) return;
    const batch = this.batch;
    let levelsTaken = 0;
    for (let level = this.buys.best(); level !== undefined && level.price <= lastPrice;) {
      this.drain(level, batch);
      this.buys.removeLevel(level);
      levelsTaken++;
      level = this.buys.best();
    }
    for (let level = this.sells.best(); level !== undefined && level.price >= lastPrice;) {
      this.drain(level, batch);
      this.sells.removeLevel(level);
      levelsTaken++;
      level = this.sells.best();
    }
    if (levelsTaken === 0) return;
    if (levelsTaken > 1) batch.sort(byPriority);
    for (let i = 0; i < batch.length; i++) out.push(batch[i]!);
    this.count -= batch.length;
    batch.length = 0;
  }

  /** The last stop queued at this trigger price, if any (recovery checks queue order). */
  tailAt(isBuy: boolean, stopPrice: number): Order | null {
    return (isBuy ? this.buys : this.sells).get(stopPrice)?.tail ?? null;
  }

  private drain(level: { head: Order | null }, into: Order[]): void {
    let order = level.head;
    while (order !== null) {
      const next = order.next;
      order.prev = null;
      order.next = null;
      order.level = null;
      into.push(order);
      order = next;
    }
  }
}
