// The id index behaves exactly like a Map under any mix of adds, deletes and lookups,
// across growth, shrinking and long probe runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Order } from './order.ts';
import { OrderIndex } from './order-index.ts';
import { asOrderId } from './types.ts';

const orderWithId = (id: number) => {
  const o = new Order();
  o.id = asOrderId(id);
  return o;
};

// Huge ids exercise the high bits of the hash.
const id = fc.oneof(
  fc.integer({ min: 1, max: 3_000 }),
  fc.integer({ min: 2 ** 32 - 50, max: 2 ** 32 + 50 }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 100, max: Number.MAX_SAFE_INTEGER }),
);
const kind = fc.constantFrom('add', 'add', 'delete', 'delete', 'get');
type Op = { kind: string; id: number; pick: number };

/** Applies ops to the index and a Map; `everyStep` compares every entry after each op. */
function agreeWithMap(index: OrderIndex, ops: Op[], everyStep: boolean): void {
  const model = new Map<number, Order>();
  const present: number[] = [];
  // Plain checks (not expect) because they run after every op.
  const compare = () => {
    if (index.size !== model.size) throw new Error(`size ${index.size} != ${model.size}`);
    for (const [key, o] of model) if (index.get(key) !== o) throw new Error(`lost id ${key}`);
  };
  for (const { kind, id, pick } of ops) {
    if (kind === 'add' && !model.has(id)) {
      const o = orderWithId(id);
      index.add(o);
      model.set(id, o);
      present.push(id);
    } else if (kind === 'delete') {
      // Mostly a present id, so the table can stay small over many distinct ids.
      const at = pick % 4 === 0 || present.length === 0 ? -1 : pick % present.length;
      const target = at < 0 ? id : present[at]!;
      index.delete(target);
      if (model.delete(target)) {
        const i = at < 0 ? present.indexOf(target) : at;
        present[i] = present[present.length - 1]!;
        present.pop();
      }
    } else if (index.get(id) !== model.get(id)) {
      throw new Error(`get(${id}) disagrees`);
    }
    if (everyStep) compare();
  }
  compare();
  const all = index.all().map((o) => o.id);
  expect(all.sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
}

describe('OrderIndex', () => {
  it('agrees with a Map while a tiny table wraps its probe runs around the end', () => {
    const op = fc.record({ kind, id: fc.integer({ min: 1, max: 400 }), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
        agreeWithMap(new OrderIndex(8), ops, true);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a Map while it grows and shrinks', () => {
    const op = fc.record({ kind, id, pick: fc.nat() });
    fc.assert(
      fc.property(
        fc.constantFrom(8, 1_024),
        fc.array(op, { maxLength: 2_000, size: 'max' }),
        (min, ops) => {
          agreeWithMap(new OrderIndex(min), ops, false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('grows past its initial capacity and shrinks back when emptied', () => {
    const index = new OrderIndex();
    for (let i = 1; i <= 50_000; i++) index.add(orderWithId(i));
    expect(index.size).toBe(50_000);
    expect(index.get(31_337)?.id).toBe(31_337);
    for (let i = 1; i <= 50_000; i++) index.delete(i);
    expect(index.size).toBe(0);
    expect(index.get(31_337)).toBeUndefined();
    expect(index.all()).toEqual([]);
    index.add(orderWithId(7));
    expect(index.has(7)).toBe(true);
  });
});
