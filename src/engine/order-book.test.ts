// Feature tests, run against both the fast book and the reference model: each rule of the
// engine with the events it must produce.
import { describe, expect, it } from 'vitest';
import { OrderBook, type OrderBookOptions } from './order-book.ts';
import { ReferenceBook } from './reference-book.ts';
import {
  asOrderId,
  asOwnerId,
  asPrice,
  asQuantity,
  asSequence,
  asTimestamp,
  DEFAULT_LIMITS,
} from './types.ts';
import type {
  AmendOrder,
  EngineEvent,
  MatchingBook,
  OpenOrder,
  OrderFilled,
  PlaceOrder,
  Side,
} from './types.ts';

type Extra = Partial<Omit<PlaceOrder, 'orderId' | 'owner' | 'side' | 'quantity'>>;

const BUY: Side = 'BUY';
const SELL: Side = 'SELL';

function order(id: number, owner: number, side: Side, quantity: number, extra: Extra): PlaceOrder {
  return {
    orderId: asOrderId(id),
    owner: asOwnerId(owner),
    side,
    quantity: asQuantity(quantity),
    orderType: 'LIMIT',
    ...extra,
  };
}

const limit = (
  id: number,
  owner: number,
  side: Side,
  price: number,
  qty: number,
  extra: Extra = {},
) => order(id, owner, side, qty, { orderType: 'LIMIT', price: asPrice(price), ...extra });

const market = (id: number, owner: number, side: Side, qty: number, extra: Extra = {}) =>
  order(id, owner, side, qty, { orderType: 'MARKET', ...extra });

const stopLoss = (
  id: number,
  owner: number,
  side: Side,
  stop: number,
  qty: number,
  extra: Extra = {},
) => order(id, owner, side, qty, { orderType: 'STOP_LOSS', stopPrice: asPrice(stop), ...extra });

const stopLimit = (
  id: number,
  owner: number,
  side: Side,
  stop: number,
  price: number,
  qty: number,
  extra: Extra = {},
) =>
  order(id, owner, side, qty, {
    orderType: 'STOP_LIMIT',
    stopPrice: asPrice(stop),
    price: asPrice(price),
    ...extra,
  });

const amend = (id: number, fields: Omit<AmendOrder, 'orderId'>): AmendOrder => ({
  orderId: asOrderId(id),
  ...fields,
});

const kinds = (events: EngineEvent[]) => events.map((e) => e.type);

/** [maker, taker, price, quantity] for each fill. */
const fills = (events: EngineEvent[]) =>
  events
    .filter((e): e is OrderFilled => e.type === 'FILL')
    .map((f) => [f.makerOrderId, f.takerOrderId, f.price, f.quantity]);

const cancels = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'CANCELLED' ? [[e.orderId, e.reason, e.quantity]] : []));

const rejection = (events: EngineEvent[]) => {
  expect(events).toHaveLength(1);
  const [e] = events;
  return e?.type === 'REJECTED' ? e.code : `not rejected: ${e?.type}`;
};

const levels = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'BOOK_LEVEL' ? [[e.side, e.price, e.quantity]] : []));

function seed(book: MatchingBook, orders: PlaceOrder[]): void {
  for (const o of orders) expect(kinds(book.place(o))).not.toContain('REJECTED');
}

const books: [string, (options?: OrderBookOptions) => MatchingBook][] = [
  ['OrderBook', (options) => new OrderBook(options)],
  ['ReferenceBook', (options) => new ReferenceBook(options)],
];

/** The triggered stops that entered the book, in the order they did. */
const ran = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'STOP_TRIGGERED' ? [e.orderId] : []));

describe.each(books)('%s', (_name, makeBook) => {
  describe('limit orders and price-time priority', () => {
    it('rests a limit order that does not cross, with its level', () => {
      const book = makeBook();
      const events = book.place(limit(1, 7, BUY, 10_000, 5));
      expect(events).toEqual([
        {
          type: 'ACCEPTED',
          seq: 1,
          orderId: 1,
          owner: 7,
          side: 'BUY',
          orderType: 'LIMIT',
          timeInForce: 'GTC',
          price: 10_000,
          stopPrice: null,
          limitPrice: null,
          quantity: 5,
          postOnly: false,
          selfTrade: 'CANCEL_NEWEST',
        },
        { type: 'BOOK_LEVEL', seq: 2, side: 'BUY', price: 10_000, quantity: 5 },
      ]);
      expect(book.getOrder(asOrderId(1))).toMatchObject({ status: 'RESTING', remaining: 5 });
    });

    it('fills the better price first, then the older order at the same price', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 101, 5), limit(2, 2, SELL, 100, 5), limit(3, 3, SELL, 100, 5)]);
      const events = book.place(limit(4, 4, BUY, 101, 12));
      expect(fills(events)).toEqual([
        [2, 4, 100, 5],
        [3, 4, 100, 5],
        [1, 4, 101, 2],
      ]);
      expect(levels(events)).toEqual([
        ['SELL', 100, 0],
        ['SELL', 101, 3],
      ]);
      expect(book.lastPrice).toBe(101);
      expect(book.getOrder(asOrderId(4))).toBeUndefined();
    });

    it('trades at the maker price and rests the remainder at the taker price', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 99, 3)]);
      const events = book.place(limit(2, 2, BUY, 105, 10));
      expect(fills(events)).toEqual([[1, 2, 99, 3]]);
      const fill = events.find((e) => e.type === 'FILL');
      expect(fill).toMatchObject({ aggressor: 'BUY', makerRemaining: 0, takerRemaining: 7 });
      expect(book.getOrder(asOrderId(2))).toMatchObject({ price: 105, remaining: 7, quantity: 10 });
      expect(book.topOfBook()).toEqual({
        sequence: book.sequence,
        bid: { price: 105, quantity: 7 },
        ask: null,
      });
    });

    it('cancels an IOC remainder instead of resting it', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 3)]);
      const events = book.place(limit(2, 2, BUY, 100, 10, { timeInForce: 'IOC' }));
      expect(fills(events)).toEqual([[1, 2, 100, 3]]);
      expect(cancels(events)).toEqual([[2, 'IOC_REMAINDER', 7]]);
      expect(book.depth(10)).toMatchObject({ bids: [], asks: [] });
    });

    it('numbers every event, rejections included, without gaps', () => {
      const book = makeBook();
      const all = [
        ...book.place(limit(1, 1, SELL, 100, 3)),
        ...book.cancel(asOrderId(99)),
        ...book.place(limit(2, 2, BUY, 100, 3)),
      ];
      expect(all.map((e) => e.seq)).toEqual(all.map((_e, i) => i + 1));
      expect(book.sequence).toBe(all.length);
    });
  });

  describe('market orders', () => {
    it('sweeps levels and cancels what the book cannot fill; it never rests', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 2), limit(2, 1, SELL, 102, 2)]);
      const events = book.place(market(3, 2, BUY, 10));
      expect(fills(events)).toEqual([
        [1, 3, 100, 2],
        [2, 3, 102, 2],
      ]);
      expect(cancels(events)).toEqual([[3, 'MARKET_NO_LIQUIDITY', 6]]);
      expect(book.getOrder(asOrderId(3))).toBeUndefined();
      expect(book.openOrders()).toEqual([]);
    });

    it('is accepted then cancelled on an empty book', () => {
      const book = makeBook();
      expect(kinds(book.place(market(1, 1, SELL, 5)))).toEqual(['ACCEPTED', 'CANCELLED']);
    });

    it('never buys above its protection price (collar)', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 2), limit(2, 1, SELL, 101, 2), limit(3, 1, SELL, 105, 9)]);
      const events = book.place(market(4, 2, BUY, 10, { limitPrice: asPrice(101) }));
      expect(fills(events)).toEqual([
        [1, 4, 100, 2],
        [2, 4, 101, 2],
      ]);
      expect(cancels(events)).toEqual([[4, 'PRICE_PROTECTION', 6]]);
      expect(book.getOrder(asOrderId(3))).toMatchObject({ remaining: 9 });
    });

    it('never sells below its protection price', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, BUY, 100, 2), limit(2, 1, BUY, 95, 2)]);
      const events = book.place(market(3, 2, SELL, 4, { limitPrice: asPrice(99) }));
      expect(fills(events)).toEqual([[1, 3, 100, 2]]);
      expect(cancels(events)).toEqual([[3, 'PRICE_PROTECTION', 2]]);
    });

    it('rejects a time in force that would let it rest', () => {
      const book = makeBook();
      expect(rejection(book.place(market(1, 1, BUY, 5, { timeInForce: 'GTC' })))).toBe(
        'INVALID_TIME_IN_FORCE',
      );
      expect(rejection(book.place(market(2, 1, BUY, 5, { timeInForce: 'DAY' })))).toBe(
        'INVALID_TIME_IN_FORCE',
      );
    });
  });

  describe('fill or kill', () => {
    it('fills entirely when the book holds enough within the limit', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 4), limit(2, 1, SELL, 101, 4)]);
      const events = book.place(limit(3, 2, BUY, 101, 8, { timeInForce: 'FOK' }));
      expect(fills(events)).toEqual([
        [1, 3, 100, 4],
        [2, 3, 101, 4],
      ]);
      expect(cancels(events)).toEqual([]);
    });

    it('cancels with no fills and no book change when it cannot fill entirely', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 4), limit(2, 1, SELL, 102, 4)]);
      const events = book.place(limit(3, 2, BUY, 101, 8, { timeInForce: 'FOK' }));
      expect(kinds(events)).toEqual(['ACCEPTED', 'CANCELLED']);
      expect(cancels(events)).toEqual([[3, 'FOK', 8]]);
      expect(book.getOrder(asOrderId(1))).toMatchObject({ remaining: 4 });
    });

    it('applies to market orders too', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, BUY, 100, 4)]);
      const events = book.place(market(2, 2, SELL, 5, { timeInForce: 'FOK' }));
      expect(cancels(events)).toEqual([[2, 'FOK', 5]]);
      expect(fills(events)).toEqual([]);
    });

    it('does not count the own orders it would stop at (CANCEL_NEWEST)', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 4), limit(2, 2, SELL, 100, 4), limit(3, 1, SELL, 100, 4)]);
      // 12 on the level, but matching for owner 2 would stop at its own order after 4.
      const events = book.place(limit(4, 2, BUY, 100, 8, { timeInForce: 'FOK' }));
      expect(cancels(events)).toEqual([[4, 'FOK', 8]]);
      expect(book.depth(1).asks).toEqual([{ price: 100, quantity: 12 }]);
    });

    it('skips own orders with CANCEL_OLDEST, and cancels them as it fills', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 4), limit(2, 2, SELL, 100, 4), limit(3, 1, SELL, 100, 4)]);
      const events = book.place(
        limit(4, 2, BUY, 100, 8, { timeInForce: 'FOK', selfTrade: 'CANCEL_OLDEST' }),
      );
      expect(fills(events)).toEqual([
        [1, 4, 100, 4],
        [3, 4, 100, 4],
      ]);
      expect(cancels(events)).toEqual([[2, 'SELF_TRADE', 4]]);
    });
  });

  describe('post-only', () => {
    it('rests when it would not take liquidity', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 101, 4)]);
      expect(kinds(book.place(limit(2, 2, BUY, 100, 4, { postOnly: true })))).toEqual([
        'ACCEPTED',
        'BOOK_LEVEL',
      ]);
    });

    it('is rejected, untouched, when it would take liquidity', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 101, 4)]);
      expect(rejection(book.place(limit(2, 2, BUY, 101, 4, { postOnly: true })))).toBe(
        'POST_ONLY_WOULD_TAKE',
      );
      expect(book.getOrder(asOrderId(2))).toBeUndefined();
      expect(book.getOrder(asOrderId(1))).toMatchObject({ remaining: 4 });
    });

    it('rejects an amend that would make it take liquidity', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 101, 4), limit(2, 2, BUY, 100, 4, { postOnly: true })]);
      expect(rejection(book.amend(amend(2, { price: asPrice(101) })))).toBe('POST_ONLY_WOULD_TAKE');
      expect(book.getOrder(asOrderId(2))).toMatchObject({ price: 100 });
    });

    it('is only valid on a limit order that may rest', () => {
      const book = makeBook();
      expect(rejection(book.place(market(1, 1, BUY, 4, { postOnly: true })))).toBe(
        'INVALID_POST_ONLY',
      );
      expect(
        rejection(book.place(limit(2, 1, BUY, 100, 4, { postOnly: true, timeInForce: 'IOC' }))),
      ).toBe('INVALID_POST_ONLY');
    });
  });

  describe('self-trade prevention', () => {
    it('CANCEL_NEWEST (default) cancels the taker and keeps the fills before the own order', () => {
      const book = makeBook();
      seed(book, [limit(1, 2, SELL, 100, 3), limit(2, 1, SELL, 100, 3), limit(3, 2, SELL, 100, 3)]);
      const events = book.place(limit(4, 1, BUY, 100, 9));
      expect(fills(events)).toEqual([[1, 4, 100, 3]]);
      expect(cancels(events)).toEqual([[4, 'SELF_TRADE', 6]]);
      expect(book.getOrder(asOrderId(2))).toMatchObject({ remaining: 3 });
      expect(book.getOrder(asOrderId(3))).toMatchObject({ remaining: 3 });
      expect(book.getOrder(asOrderId(4))).toBeUndefined();
    });

    it('CANCEL_OLDEST cancels the resting own order and keeps matching', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 3), limit(2, 2, SELL, 100, 3)]);
      const events = book.place(limit(3, 1, BUY, 100, 5, { selfTrade: 'CANCEL_OLDEST' }));
      expect(cancels(events)).toEqual([[1, 'SELF_TRADE', 3]]);
      expect(fills(events)).toEqual([[2, 3, 100, 3]]);
      expect(book.getOrder(asOrderId(3))).toMatchObject({ remaining: 2, status: 'RESTING' });
      expect(kinds(events)).toEqual(['ACCEPTED', 'CANCELLED', 'FILL', 'BOOK_LEVEL', 'BOOK_LEVEL']);
    });

    it('CANCEL_BOTH cancels the resting own order and the taker', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 3), limit(2, 2, SELL, 100, 3)]);
      const events = book.place(limit(3, 1, BUY, 100, 5, { selfTrade: 'CANCEL_BOTH' }));
      expect(cancels(events)).toEqual([
        [1, 'SELF_TRADE', 3],
        [3, 'SELF_TRADE', 5],
      ]);
      expect(fills(events)).toEqual([]);
      expect(book.getOrder(asOrderId(2))).toMatchObject({ remaining: 3 });
    });

    it('lets different owners trade', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 3)]);
      expect(fills(book.place(limit(2, 2, BUY, 100, 3)))).toEqual([[1, 2, 100, 3]]);
    });
  });

  describe('stop orders', () => {
    it('a buy stop-market triggers when the last trade reaches its stop, then trades as market', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, SELL, 100, 1),
        limit(2, 1, SELL, 101, 5),
        stopLoss(3, 3, BUY, 100, 4),
      ]);
      expect(book.getOrder(asOrderId(3))).toMatchObject({ status: 'STOP_PENDING' });
      const events = book.place(limit(4, 2, BUY, 100, 1));
      expect(kinds(events)).toEqual([
        'ACCEPTED',
        'FILL',
        'BOOK_LEVEL',
        'STOP_TRIGGERED',
        'FILL',
        'BOOK_LEVEL',
      ]);
      expect(events[3]).toMatchObject({ orderId: 3, stopPrice: 100, lastPrice: 100 });
      expect(fills(events)).toEqual([
        [1, 4, 100, 1],
        [2, 3, 101, 4],
      ]);
      expect(book.getOrder(asOrderId(3))).toBeUndefined();
    });

    it('a sell stop-limit triggers at or below its stop and rests as a limit order', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, BUY, 100, 1),
        stopLimit(2, 3, SELL, 100, 99, 4),
        stopLimit(3, 3, SELL, 90, 89, 4),
      ]);
      const events = book.place(limit(4, 2, SELL, 100, 1));
      expect(kinds(events)).toContain('STOP_TRIGGERED');
      const triggered = events.find((e) => e.type === 'STOP_TRIGGERED');
      expect(book.getOrder(asOrderId(2))).toMatchObject({
        status: 'RESTING',
        price: 99,
        remaining: 4,
        priority: triggered?.seq,
      });
      expect(book.getOrder(asOrderId(3))).toMatchObject({ status: 'STOP_PENDING' });
      expect(book.depth(5).asks).toEqual([{ price: 99, quantity: 4 }]);
    });

    it('keeps its time in force after triggering (IOC stop-limit)', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, SELL, 100, 1),
        limit(2, 1, SELL, 101, 2),
        stopLimit(3, 3, BUY, 100, 101, 5, { timeInForce: 'IOC' }),
      ]);
      const events = book.place(limit(4, 2, BUY, 100, 1));
      expect(fills(events)).toEqual([
        [1, 4, 100, 1],
        [2, 3, 101, 2],
      ]);
      expect(cancels(events)).toEqual([[3, 'IOC_REMAINDER', 3]]);
    });

    it('rejects a stop its trigger already meets', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 1), limit(2, 2, BUY, 100, 1)]);
      expect(book.lastPrice).toBe(100);
      expect(rejection(book.place(stopLoss(3, 3, BUY, 100, 1)))).toBe('STOP_WOULD_TRIGGER');
      expect(rejection(book.place(stopLoss(4, 3, SELL, 101, 1)))).toBe('STOP_WOULD_TRIGGER');
      expect(kinds(book.place(stopLoss(5, 3, SELL, 99, 1)))).toEqual(['ACCEPTED']);
    });

    it('cascades: a triggered stop whose trade triggers the next stop, all in one command', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, SELL, 100, 1),
        limit(2, 1, SELL, 102, 1),
        limit(3, 1, SELL, 104, 1),
        stopLoss(10, 5, BUY, 102, 1), // triggered only by stop 11's trade at 102
        stopLoss(11, 6, BUY, 100, 1),
      ]);
      const events = book.place(limit(4, 2, BUY, 100, 1));
      expect(fills(events)).toEqual([
        [1, 4, 100, 1],
        [2, 11, 102, 1],
        [3, 10, 104, 1],
      ]);
      const triggers = events.flatMap((e) =>
        e.type === 'STOP_TRIGGERED' ? [[e.orderId, e.lastPrice]] : [],
      );
      expect(triggers).toEqual([
        [11, 100],
        [10, 102],
      ]);
      expect(book.lastPrice).toBe(104);
    });

    it('runs stops triggered together in sequence order, not by stop price', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, SELL, 100, 1),
        limit(2, 1, SELL, 105, 1),
        limit(3, 1, SELL, 106, 1),
        stopLoss(10, 5, BUY, 99, 1),
        stopLoss(11, 6, BUY, 98, 1),
      ]);
      // Both become due at 100: the older stop (10) goes first although 11 has the lower stop.
      const events = book.place(limit(4, 2, BUY, 100, 1));
      expect(fills(events)).toEqual([
        [1, 4, 100, 1],
        [2, 10, 105, 1],
        [3, 11, 106, 1],
      ]);
    });

    it('can be cancelled before it triggers', () => {
      const book = makeBook();
      seed(book, [stopLoss(1, 1, BUY, 100, 4)]);
      expect(cancels(book.cancel(asOrderId(1)))).toEqual([[1, 'USER', 4]]);
      expect(book.getOrder(asOrderId(1))).toBeUndefined();
      seed(book, [limit(2, 2, SELL, 100, 1)]);
      expect(kinds(book.place(limit(3, 3, BUY, 100, 1)))).not.toContain('STOP_TRIGGERED');
    });

    it('can have its trigger amended, but not to a price already met', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, SELL, 100, 1),
        limit(2, 2, BUY, 100, 1),
        stopLoss(3, 3, BUY, 105, 2),
      ]);
      expect(rejection(book.amend(amend(3, { stopPrice: asPrice(100) })))).toBe(
        'STOP_WOULD_TRIGGER',
      );
      const events = book.amend(amend(3, { stopPrice: asPrice(103) }));
      expect(events).toMatchObject([
        { type: 'AMENDED', orderId: 3, stopPrice: 103, keptPriority: false },
      ]);
      expect(book.getOrder(asOrderId(3))).toMatchObject({ stopPrice: 103, status: 'STOP_PENDING' });
    });

    it('requires a stop price and forbids a limit price on a stop-market', () => {
      const book = makeBook();
      const noStop = order(1, 1, BUY, 1, { orderType: 'STOP_LOSS' });
      expect(rejection(book.place(noStop))).toBe('INVALID_STOP_PRICE');
      expect(rejection(book.place(stopLoss(2, 1, BUY, 100, 1, { price: asPrice(100) })))).toBe(
        'INVALID_PRICE',
      );
    });
  });

  describe('cancel', () => {
    it('removes a resting order and reports the level', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, BUY, 100, 4), limit(2, 1, BUY, 100, 6)]);
      const events = book.cancel(asOrderId(1));
      expect(cancels(events)).toEqual([[1, 'USER', 4]]);
      expect(levels(events)).toEqual([['BUY', 100, 6]]);
      expect(rejection(book.cancel(asOrderId(1)))).toBe('ORDER_NOT_FOUND');
    });
  });

  describe('amend', () => {
    it('keeps the queue place when only the quantity goes down', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 5), limit(2, 2, SELL, 100, 5)]);
      const events = book.amend(amend(1, { quantity: asQuantity(3) }));
      expect(events).toMatchObject([
        { type: 'AMENDED', orderId: 1, quantity: 3, remaining: 3, keptPriority: true },
        { type: 'BOOK_LEVEL', side: 'SELL', price: 100, quantity: 8 },
      ]);
      expect(fills(book.place(limit(3, 3, BUY, 100, 4)))).toEqual([
        [1, 3, 100, 3],
        [2, 3, 100, 1],
      ]);
    });

    it('sends an order to the back of its queue when the quantity goes up', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 5), limit(2, 2, SELL, 100, 5)]);
      expect(book.amend(amend(1, { quantity: asQuantity(6) }))[0]).toMatchObject({
        keptPriority: false,
        remaining: 6,
      });
      expect(fills(book.place(limit(3, 3, BUY, 100, 6)))).toEqual([
        [2, 3, 100, 5],
        [1, 3, 100, 1],
      ]);
    });

    it('loses the queue place on a price change, and trades if the new price crosses', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 101, 2), limit(2, 2, BUY, 100, 5), limit(3, 3, BUY, 99, 5)]);
      const events = book.amend(amend(3, { price: asPrice(101) }));
      expect(kinds(events)).toEqual(['AMENDED', 'BOOK_LEVEL', 'FILL', 'BOOK_LEVEL', 'BOOK_LEVEL']);
      expect(fills(events)).toEqual([[1, 3, 101, 2]]);
      expect(book.getOrder(asOrderId(3))).toMatchObject({ price: 101, remaining: 3 });
      expect(book.depth(5).bids).toEqual([
        { price: 101, quantity: 3 },
        { price: 100, quantity: 5 },
      ]);
    });

    it('treats quantity as the new total, so it cannot go to or below what has filled', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 10), limit(2, 2, BUY, 100, 6)]);
      expect(rejection(book.amend(amend(1, { quantity: asQuantity(6) })))).toBe(
        'AMEND_BELOW_FILLED',
      );
      expect(book.amend(amend(1, { quantity: asQuantity(8) }))[0]).toMatchObject({
        quantity: 8,
        remaining: 2,
        keptPriority: true,
      });
    });

    it('rejects amends that change nothing, do not apply, or target no order', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, SELL, 100, 10)]);
      expect(rejection(book.amend(amend(1, { quantity: asQuantity(10) })))).toBe('AMEND_NO_CHANGE');
      expect(rejection(book.amend(amend(1, { stopPrice: asPrice(90) })))).toBe(
        'AMEND_NOT_APPLICABLE',
      );
      expect(rejection(book.amend(amend(9, { quantity: asQuantity(1) })))).toBe('ORDER_NOT_FOUND');
    });
  });

  describe('triggered stops in slices', () => {
    /** A bid of 10 at 100 and five sell stops at 100 (ids 10-14), each of another owner. */
    function fiveStops(stopsPerCommand: number): MatchingBook {
      const book = makeBook({ stopsPerCommand });
      seed(book, [limit(1, 1, BUY, 100, 10)]);
      for (let id = 10; id < 15; id++) seed(book, [stopLoss(id, id, SELL, 100, 1)]);
      return book;
    }

    it('runs at most stopsPerCommand per command, and the rest on RUN_STOPS in trigger order', () => {
      const book = fiveStops(2);
      const trade = book.place(limit(2, 2, SELL, 100, 1));
      expect(ran(trade)).toEqual([10, 11]);
      expect(book.triggeredStops).toBe(3);
      expect(book.getOrder(asOrderId(12))).toMatchObject({ status: 'STOP_TRIGGERED' });
      // The trigger check is state: the trade's last event, at 100.
      expect(book.state().triggers).toEqual([{ sequence: trade[2]!.seq, lastPrice: 100 }]);
      const second = book.runStops();
      expect(ran(second)).toEqual([12, 13]);
      expect(fills(second)).toEqual([
        [1, 12, 100, 1],
        [1, 13, 100, 1],
      ]);
      expect(ran(book.execute({ type: 'RUN_STOPS' }))).toEqual([14]);
      expect(book.triggeredStops).toBe(0);
      expect(book.state().triggers).toEqual([]);
      expect(rejection(book.runStops())).toBe('NO_TRIGGERED_STOPS');
    });

    it('queues stops a later trade triggers behind those still waiting', () => {
      const book = makeBook({ stopsPerCommand: 1 });
      seed(book, [
        limit(1, 1, BUY, 100, 10),
        limit(2, 1, BUY, 98, 10),
        stopLoss(10, 10, SELL, 100, 1),
        stopLoss(11, 11, SELL, 100, 1),
        stopLoss(12, 12, SELL, 99, 1),
      ]);
      const first = book.place(limit(3, 2, SELL, 100, 1));
      expect(ran(first)).toEqual([10]);
      expect(book.getOrder(asOrderId(11))).toMatchObject({ status: 'STOP_TRIGGERED' });
      // Another command trades at 98 while stop 11 waits: stop 12 triggers, and goes after it.
      const second = book.place(limit(4, 2, SELL, 98, 10));
      expect(ran(second)).toEqual([11]);
      expect(book.getOrder(asOrderId(12))).toMatchObject({ status: 'STOP_TRIGGERED' });
      expect(book.state().triggers).toMatchObject([{ lastPrice: 98 }]);
      const third = book.runStops();
      expect(ran(third)).toEqual([12]);
      expect(third[0]).toMatchObject({ type: 'STOP_TRIGGERED', lastPrice: 98 });
    });

    it('lets a waiting stop be cancelled or expire, not amended', () => {
      const book = makeBook({ stopsPerCommand: 1 });
      seed(book, [
        limit(1, 1, BUY, 100, 10),
        stopLoss(10, 10, SELL, 100, 1),
        stopLoss(11, 11, SELL, 100, 1, { timeInForce: 'DAY' }),
        stopLoss(12, 12, SELL, 100, 1),
      ]);
      book.place(limit(2, 2, SELL, 100, 1));
      expect(book.triggeredStops).toBe(2);
      expect(rejection(book.amend(amend(12, { quantity: asQuantity(2) })))).toBe(
        'AMEND_NOT_APPLICABLE',
      );
      expect(book.cancel(asOrderId(12))).toMatchObject([
        { type: 'CANCELLED', orderId: 12, reason: 'USER', quantity: 1 },
      ]);
      const end = book.endSession(asTimestamp(1));
      expect(kinds(end)).toEqual(['EXPIRED', 'SESSION_ENDED']);
      expect(end[0]).toMatchObject({ orderId: 11 });
      expect(book.triggeredStops).toBe(0);
      expect(book.depth(5).bids).toEqual([{ price: 100, quantity: 8 }]);
    });

    it('restores waiting stops in trigger order, and runs them as the original would', () => {
      const original = fiveStops(1);
      original.place(limit(2, 2, SELL, 100, 1));
      const state = original.state();
      const open = original.openOrders();
      const waiting = open.filter((o) => o.status === 'STOP_TRIGGERED');
      expect(waiting.map((o) => o.orderId)).toEqual([11, 12, 13, 14]);
      const outOfOrder = makeBook({ stopsPerCommand: 1 });
      expect(outOfOrder.restoreState(state)).toEqual({ ok: true });
      expect(outOfOrder.restore(waiting[1]!)).toEqual({ ok: true });
      expect(outOfOrder.restore(waiting[0]!)).toEqual({ ok: false, code: 'RESTORE_OUT_OF_ORDER' });
      // Without the trigger a waiting stop is not one; with it, a stop the check met waits again.
      const untriggered = makeBook({ stopsPerCommand: 1 });
      untriggered.restoreState({ sequence: state.sequence, lastPrice: asPrice(101) });
      expect(untriggered.restore(waiting[0]!)).toEqual({ ok: false, code: 'INVALID_STATUS' });
      const fresh = makeBook({ stopsPerCommand: 1 });
      expect(fresh.restoreState(state)).toEqual({ ok: true });
      // As the exchange stores them: every stop not yet run is simply pending.
      for (const o of open) {
        const stored =
          o.status === 'STOP_TRIGGERED' ? { ...o, status: 'STOP_PENDING' as const } : o;
        expect(fresh.restore(stored)).toEqual({ ok: true });
      }
      expect(fresh.triggeredStops).toBe(4);
      expect(fresh.state()).toEqual(state);
      for (let n = 0; n < 4; n++) expect(fresh.runStops()).toEqual(original.runStops());
      expect(fresh.openOrders()).toEqual(original.openOrders());
    });
  });

  describe('session end', () => {
    it('expires DAY orders and non-GTC stops, oldest first, and keeps GTC orders', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, BUY, 100, 4, { timeInForce: 'DAY' }),
        limit(2, 1, BUY, 100, 3),
        stopLoss(3, 1, BUY, 110, 2, { timeInForce: 'DAY' }),
        stopLoss(4, 1, BUY, 110, 2),
        limit(5, 1, SELL, 105, 1, { timeInForce: 'DAY' }),
      ]);
      const time = asTimestamp(1_700_000_000_000);
      const events = book.endSession(time);
      expect(
        events.flatMap((e) => (e.type === 'EXPIRED' ? [[e.orderId, e.quantity, e.time]] : [])),
      ).toEqual([
        [1, 4, time],
        [3, 2, time],
        [5, 1, time],
      ]);
      expect(levels(events)).toEqual([
        ['BUY', 100, 3],
        ['SELL', 105, 0],
      ]);
      expect(events[events.length - 1]).toMatchObject({ type: 'SESSION_ENDED', time, expired: 3 });
      expect(book.openOrders().map((o) => o.orderId)).toEqual([2, 4]);
    });

    it('rejects a time that is not a safe non-negative integer', () => {
      const book = makeBook();
      expect(rejection(book.endSession(asTimestamp(-1)))).toBe('INVALID_TIME');
      expect(rejection(book.endSession(asTimestamp(1.5)))).toBe('INVALID_TIME');
    });
  });

  describe('bounds and malformed commands', () => {
    it.each([
      ['zero quantity', limit(1, 1, BUY, 100, 0), 'INVALID_QUANTITY'],
      ['negative quantity', limit(1, 1, BUY, 100, -3), 'INVALID_QUANTITY'],
      ['fractional quantity', limit(1, 1, BUY, 100, 1.5), 'INVALID_QUANTITY'],
      [
        'quantity above the bound',
        limit(1, 1, BUY, 100, DEFAULT_LIMITS.maxQuantity + 1),
        'INVALID_QUANTITY',
      ],
      ['zero price', limit(1, 1, BUY, 0, 1), 'INVALID_PRICE'],
      ['fractional price', limit(1, 1, BUY, 100.5, 1), 'INVALID_PRICE'],
      ['price above the bound', limit(1, 1, BUY, DEFAULT_LIMITS.maxPrice + 1, 1), 'INVALID_PRICE'],
      ['NaN price', limit(1, 1, BUY, Number.NaN, 1), 'INVALID_PRICE'],
      ['limit without price', order(1, 1, BUY, 1, { orderType: 'LIMIT' }), 'INVALID_PRICE'],
      ['market with price', market(1, 1, BUY, 1, { price: asPrice(100) }), 'INVALID_PRICE'],
      [
        'limit with collar',
        limit(1, 1, BUY, 100, 1, { limitPrice: asPrice(100) }),
        'INVALID_LIMIT_PRICE',
      ],
      ['unsafe order id', limit(2 ** 53, 1, BUY, 100, 1), 'INVALID_ORDER_ID'],
      ['zero owner', limit(1, 0, BUY, 100, 1), 'INVALID_OWNER'],
      ['unknown side', limit(1, 1, 'LONG' as Side, 100, 1), 'INVALID_SIDE'],
      [
        'unknown order type',
        order(1, 1, BUY, 1, { orderType: 'OCO' as 'LIMIT' }),
        'INVALID_ORDER_TYPE',
      ],
      [
        'unknown STP mode',
        limit(1, 1, BUY, 100, 1, { selfTrade: 'NONE' as 'CANCEL_BOTH' }),
        'INVALID_SELF_TRADE_MODE',
      ],
    ])('rejects %s with a code, never a throw', (_label, command, code) => {
      const book = makeBook();
      expect(rejection(book.place(command))).toBe(code);
      expect(book.openOrders()).toEqual([]);
    });

    it('accepts the largest price and quantity, whose product stays exact', () => {
      const book = makeBook();
      const { maxPrice, maxQuantity } = DEFAULT_LIMITS;
      expect(maxPrice * maxQuantity).toBeLessThan(2 ** 53);
      seed(book, [limit(1, 1, SELL, maxPrice, maxQuantity)]);
      expect(fills(book.place(limit(2, 2, BUY, maxPrice, maxQuantity)))).toEqual([
        [1, 2, maxPrice, maxQuantity],
      ]);
    });

    it('answers lookups and cancels of impossible ids without throwing', () => {
      const book = makeBook();
      for (const id of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
        expect(book.getOrder(asOrderId(id))).toBeUndefined();
        expect(rejection(book.cancel(asOrderId(id)))).toBe('INVALID_ORDER_ID');
      }
    });

    it('rejects a second open order with the same id', () => {
      const book = makeBook();
      seed(book, [limit(1, 1, BUY, 100, 1)]);
      expect(rejection(book.place(limit(1, 2, SELL, 200, 1)))).toBe('DUPLICATE_ORDER_ID');
    });
  });

  describe('market data and recovery', () => {
    it('reports the top N levels with the sequence they are valid at', () => {
      const book = makeBook();
      seed(book, [
        limit(1, 1, BUY, 100, 1),
        limit(2, 1, BUY, 99, 2),
        limit(3, 1, BUY, 100, 3),
        limit(4, 1, SELL, 103, 4),
        limit(5, 1, SELL, 102, 5),
      ]);
      expect(book.depth(1)).toEqual({
        sequence: book.sequence,
        bids: [{ price: 100, quantity: 4 }],
        asks: [{ price: 102, quantity: 5 }],
      });
      expect(book.depth(10).bids).toEqual([
        { price: 100, quantity: 4 },
        { price: 99, quantity: 2 },
      ]);
      expect(book.lastPrice).toBeNull();
    });

    it('restores state and orders without events, then matches as the original would', () => {
      const original = makeBook();
      seed(original, [
        limit(1, 1, SELL, 101, 3),
        limit(2, 2, SELL, 101, 4),
        limit(3, 3, BUY, 100, 2),
        stopLoss(4, 4, BUY, 103, 1),
      ]);
      const restored = makeBook();
      expect(restored.restoreState({ sequence: original.sequence, lastPrice: null })).toEqual({
        ok: true,
      });
      for (const o of original.openOrders()) expect(restored.restore(o)).toEqual({ ok: true });
      expect(restored.sequence).toBe(original.sequence);
      const next = limit(5, 5, BUY, 101, 5);
      expect(restored.place(next)).toEqual(original.place(next));
    });

    it('refuses a restore that would break the book', () => {
      const book = makeBook();
      expect(book.restoreState({ sequence: asSequence(10), lastPrice: asPrice(100) })).toEqual({
        ok: true,
      });
      expect(book.restoreState({ sequence: asSequence(10), lastPrice: null })).toEqual({
        ok: false,
        code: 'BOOK_NOT_EMPTY',
      });
      const resting = (id: number, side: Side, price: number, priority: number): OpenOrder => ({
        orderId: asOrderId(id),
        owner: asOwnerId(1),
        side,
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        status: 'RESTING',
        price: asPrice(price),
        stopPrice: null,
        limitPrice: null,
        quantity: asQuantity(5),
        remaining: asQuantity(5),
        postOnly: false,
        selfTrade: 'CANCEL_NEWEST',
        priority: asSequence(priority),
      });
      expect(book.restore(resting(1, BUY, 100, 5))).toEqual({ ok: true });
      expect(book.restore(resting(2, BUY, 100, 4))).toEqual({
        ok: false,
        code: 'RESTORE_OUT_OF_ORDER',
      });
      expect(book.restore(resting(3, SELL, 100, 6))).toEqual({
        ok: false,
        code: 'RESTORE_WOULD_CROSS',
      });
      expect(book.restore(resting(4, SELL, 101, 11))).toEqual({
        ok: false,
        code: 'INVALID_SEQUENCE',
      });
      expect(book.restore({ ...resting(5, SELL, 101, 7), remaining: asQuantity(6) })).toEqual({
        ok: false,
        code: 'INVALID_QUANTITY',
      });
      expect(
        book.restore({
          ...resting(6, BUY, 101, 8),
          orderType: 'STOP_LOSS',
          status: 'STOP_PENDING',
          price: null,
          stopPrice: asPrice(99),
        }),
      ).toEqual({ ok: false, code: 'STOP_WOULD_TRIGGER' });
      expect(book.openOrders().map((o) => o.orderId)).toEqual([1]);
    });
  });
});

describe('engine limits', () => {
  it('refuse bounds whose product could lose precision (a configuration bug)', () => {
    expect(() => new OrderBook({ limits: { maxPrice: 2 ** 27, maxQuantity: 2 ** 26 } })).toThrow(
      RangeError,
    );
    expect(() => new ReferenceBook({ limits: { maxPrice: 1.5, maxQuantity: 10 } })).toThrow(
      RangeError,
    );
  });

  it('refuse a slice of triggered stops that is not a positive whole number', () => {
    expect(() => new OrderBook({ stopsPerCommand: 0 })).toThrow(RangeError);
    expect(() => new ReferenceBook({ stopsPerCommand: 1.5 })).toThrow(RangeError);
  });

  it('apply custom bounds to commands', () => {
    const book = new OrderBook({ limits: { maxPrice: 1_000, maxQuantity: 50 } });
    expect(rejection(book.place(limit(1, 1, BUY, 1_001, 1)))).toBe('INVALID_PRICE');
    expect(rejection(book.place(limit(2, 1, BUY, 1_000, 51)))).toBe('INVALID_QUANTITY');
    expect(kinds(book.place(limit(3, 1, BUY, 1_000, 50)))).toEqual(['ACCEPTED', 'BOOK_LEVEL']);
  });
});
