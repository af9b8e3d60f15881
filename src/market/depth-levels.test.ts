// Property tests: the depth rebuilt from engine events, or from a snapshot of the open orders,
// equals the book's own depth after every command of a random stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook, asPrice, asQuantity, asSequence } from '../engine/index.ts';
import { commandStream, TEST_LIMITS } from '../engine/test-support/command-arbitrary.ts';
import { DepthLevels, type RestingOrder } from './depth-levels.ts';

function resting(book: OrderBook): RestingOrder[] {
  return book
    .openOrders()
    .filter((o) => o.status === 'RESTING' && o.price !== null)
    .map((o) => ({ side: o.side, price: o.price ?? 0, remaining: o.remaining }));
}

describe('DepthLevels', () => {
  it('equals the book after every command, from events and from a snapshot', () => {
    fc.assert(
      fc.property(commandStream(60), fc.constantFrom(1, 3, 64), (commands, slice) => {
        const book = new OrderBook({ limits: TEST_LIMITS, stopsPerCommand: slice });
        const levels = new DepthLevels(0, null);
        for (const command of commands) {
          const events = book.execute(command);
          levels.apply(events, book.sequence);
          expect(levels.depth(1_000)).toEqual(book.depth(1_000));
          expect(levels.top()).toEqual(book.topOfBook());
          expect(levels.lastPrice).toBe(book.lastPrice);
        }
        const snapshot = new DepthLevels(book.sequence, book.lastPrice, resting(book));
        expect(snapshot.depth(1_000)).toEqual(book.depth(1_000));
        expect(snapshot.depth(2)).toEqual(book.depth(2));
      }),
      { numRuns: 1_000 },
    );
  });

  it('drops a level whose total falls to zero and keeps the best first', () => {
    const levels = new DepthLevels(4, null, [
      { side: 'BUY', price: 100, remaining: 5 },
      { side: 'BUY', price: 101, remaining: 2 },
      { side: 'SELL', price: 103, remaining: 1 },
      { side: 'SELL', price: 102, remaining: 3 },
    ]);
    levels.apply(
      [
        {
          type: 'BOOK_LEVEL',
          seq: asSequence(5),
          side: 'BUY',
          price: asPrice(101),
          quantity: asQuantity(0),
        },
      ],
      5,
    );
    expect(levels.depth(5)).toEqual({
      sequence: 5,
      bids: [{ price: 100, quantity: 5 }],
      asks: [
        { price: 102, quantity: 3 },
        { price: 103, quantity: 1 },
      ],
    });
  });
});
