// A price level is a FIFO whose total always equals the sum of its orders' open quantity.
import { describe, expect, it } from 'vitest';
import { Order } from './order.ts';
import { PriceLevel } from './price-level.ts';
import { asOrderId, asOwnerId } from './types.ts';

const order = (id: number, remaining: number) =>
  new Order().init(
    asOrderId(id),
    asOwnerId(1),
    true,
    'LIMIT',
    'GTC',
    'CANCEL_NEWEST',
    false,
    false,
    100,
    0,
    0,
    remaining,
    remaining,
    id,
  );

const ids = (level: PriceLevel) => {
  const out: number[] = [];
  for (let o = level.head; o !== null; o = o.next) out.push(o.id);
  return out;
};

describe('PriceLevel', () => {
  it('keeps arrival order and the open total', () => {
    const level = new PriceLevel();
    const [a, b, c] = [order(1, 5), order(2, 3), order(3, 2)];
    level.append(a);
    level.append(b);
    level.append(c);
    expect(ids(level)).toEqual([1, 2, 3]);
    expect([level.total, level.count]).toEqual([10, 3]);
    expect(b.level).toBe(level);
  });

  it('unlinks an order from the head, middle or tail in O(1)', () => {
    const level = new PriceLevel();
    const orders = [order(1, 1), order(2, 2), order(3, 3), order(4, 4)];
    for (const o of orders) level.append(o);
    level.remove(orders[1]!);
    expect(ids(level)).toEqual([1, 3, 4]);
    level.remove(orders[0]!);
    expect(ids(level)).toEqual([3, 4]);
    level.remove(orders[3]!);
    expect(ids(level)).toEqual([3]);
    expect([level.total, level.count, level.head, level.tail]).toEqual([
      3,
      1,
      orders[2],
      orders[2],
    ]);
    expect(orders[1]!.level).toBeNull();
    expect(orders[1]!.next).toBeNull();
  });
});
