// One price level: a FIFO of orders (intrusive doubly linked list) and its open total.
// Append and remove are O(1); iteration from head is time priority.
import type { Order } from './order.ts';

export class PriceLevel {
  price = 0;
  /** True while the level is in its side's sorted list. */
  listed = false;
  /** Sum of `remaining` over the orders in the level. */
  total = 0;
  count = 0;
  head: Order | null = null;
  tail: Order | null = null;

  append(order: Order): void {
    order.level = this;
    order.next = null;
    order.prev = this.tail;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.total += order.remaining;
    this.count++;
  }

  /** Unlinks the order and takes its current `remaining` off the total. */
  remove(order: Order): void {
    const prev = order.prev;
    const next = order.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    order.prev = null;
    order.next = null;
    order.level = null;
    this.total -= order.remaining;
    this.count--;
  }
}
