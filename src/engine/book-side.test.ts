// BookSide keeps its levels sorted with the best last, finds them by price, and reuses them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BookSide } from './book-side.ts';
import { Order } from './order.ts';
import { asOrderId, asOwnerId } from './types.ts';

describe('BookSide', () => {
  it('puts the best level last: highest for bids, lowest for asks', () => {
    const bids = new BookSide(true);
    const asks = new BookSide(false);
    for (const price of [100, 98, 103, 99]) {
      bids.levelAt(price);
      asks.levelAt(price);
    }
    expect(bids.levels.map((l) => l.price)).toEqual([98, 99, 100, 103]);
    expect(asks.levels.map((l) => l.price)).toEqual([103, 100, 99, 98]);
    expect(bids.best()?.price).toBe(103);
    expect(asks.best()?.price).toBe(98);
  });

  it('matches a sorted set under any sequence of level inserts and removals', () => {
    const op = fc.record({ remove: fc.boolean(), price: fc.integer({ min: 1, max: 60 }) });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(op, { maxLength: 200, size: 'max' }),
        (highestIsBest, ops) => {
          const side = new BookSide(highestIsBest);
          const model = new Set<number>();
          for (const { remove, price } of ops) {
            const level = side.get(price);
            if (remove && level !== undefined) {
              side.removeLevel(level);
              model.delete(price);
            } else if (!remove) {
              const created = side.levelAt(price);
              expect(created.price).toBe(price);
              expect(side.levelAt(price)).toBe(created);
              model.add(price);
            }
            const expected = [...model].sort((a, b) => (highestIsBest ? a - b : b - a));
            expect(side.levels.map((l) => l.price)).toEqual(expected);
            expect(side.size).toBe(model.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lists a removed level again empty, and forgets it once dormant levels pile up', () => {
    const side = new BookSide(true);
    const level = side.levelAt(100);
    const order = new Order().init(
      asOrderId(1),
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
      5,
      5,
      1,
    );
    level.append(order);
    level.remove(order);
    side.removeLevel(level);
    expect(side.get(100)).toBeUndefined();
    expect(side.size).toBe(0);
    const again = side.levelAt(100);
    expect(again).toBe(level);
    expect([again.price, again.total, again.count, again.head, again.tail]).toEqual([
      100,
      0,
      0,
      null,
      null,
    ]);
    // Churn through many prices: the dormant ones are swept, so the old record is not reused.
    for (let price = 1; price <= 3_000; price++) side.removeLevel(side.levelAt(1_000 + price));
    side.removeLevel(again);
    for (let price = 1; price <= 3_000; price++) side.removeLevel(side.levelAt(5_000 + price));
    expect(side.levelAt(100)).not.toBe(level);
  });
});
