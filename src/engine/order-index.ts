// Open orders by id: an open-addressing hash table (linear probing, backward-shift deletion).
// O(1) get/set/delete with no tombstones, so heavy order churn never degrades or rehashes it.
import type { Order } from './order.ts';

/**
 * Fibonacci hashing: multiply by 2^32 / golden ratio and keep the top `bits`, which spreads
 * sequential ids evenly. The high word of a safe-integer id is folded in first (exact integer
 * operations only).
 */
function home(id: number, shift: number): number {
  return Math.imul((id | 0) ^ ((id / 4_294_967_296) | 0), 0x9e3779b1) >>> shift;
}

export class OrderIndex {
  /** 0 marks an empty slot; order ids start at 1. */
  private keys: Float64Array;
  private values: (Order | null)[];
  private mask: number;
  /** 32 - log2(capacity): the hash keeps the top log2(capacity) bits. */
  private shift: number;
  size = 0;

  /** `minCapacity` is a power of two, at least 8; the table never shrinks below it. */
  constructor(private readonly minCapacity = 1_024) {
    this.keys = new Float64Array(minCapacity);
    this.values = new Array<Order | null>(minCapacity).fill(null);
    this.mask = minCapacity - 1;
    this.shift = 1 + Math.clz32(minCapacity);
  }

  get(id: number): Order | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = home(id, this.shift); ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === 0) return undefined; // checked first, so id 0 never matches an empty slot
      if (k === id) return this.values[i]!;
    }
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds an order whose id is not in the index. */
  add(order: Order): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    const keys = this.keys;
    const mask = this.mask;
    let i = home(order.id, this.shift);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = order.id;
    this.values[i] = order;
    this.size++;
  }

  delete(id: number): void {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    const shift = this.shift;
    let i = home(id, shift);
    for (;;) {
      const k = keys[i]!;
      if (k === 0) return;
      if (k === id) break;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole, so no tombstones.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const h = home(keys[j]!, shift);
      // Move j into the hole unless its home lies cyclically within (hole, j].
      if (hole <= j ? h <= hole || h > j : h <= hole && h > j) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = null;
    this.size--;
    if (this.mask + 1 > this.minCapacity && this.size * 8 < this.mask + 1) {
      this.resize((this.mask + 1) / 2);
    }
  }

  /** Every open order, in no particular order. */
  all(): Order[] {
    const out: Order[] = [];
    for (const v of this.values) if (v !== null) out.push(v);
    return out;
  }

  private resize(capacity: number): void {
    const oldValues = this.values;
    this.keys = new Float64Array(capacity);
    this.values = new Array<Order | null>(capacity).fill(null);
    this.mask = capacity - 1;
    this.shift = 1 + Math.clz32(capacity);
    this.size = 0;
    for (const v of oldValues) if (v !== null) this.add(v);
  }
}
