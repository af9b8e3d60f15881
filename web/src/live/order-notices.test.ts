import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../api/types.ts';
import { orderNotices, orderTerms } from './order-notices.ts';

const order = (fields: Partial<Order>): Order => ({
  order_id: 12,
  client_order_id: null,
  symbol: 'INFY',
  order_type: 'BUY',
  order_mode: 'LIMIT',
  time_in_force: 'GTC',
  quantity: 3,
  filled_quantity: 0,
  remaining_quantity: 3,
  price: '1862.60',
  stop_price: null,
  average_price: null,
  fees: '0.00',
  status: 'OPEN',
  cancel_reason: null,
  post_only: false,
  created_at: '2026-12-03T08:00:00.000Z',
  updated_at: '2026-12-03T08:00:00.000Z',
  ...fields,
});

describe('orderTerms', () => {
  it('names side, quantity, symbol and the prices the order has', () => {
    expect(orderTerms(order({}))).toBe('BUY 3 INFY @ ₹1,862.60');
    expect(
      orderTerms(
        order({ order_type: 'SELL', order_mode: 'STOP_LOSS', price: null, stop_price: '1800' }),
      ),
    ).toBe('SELL 3 INFY stop ₹1,800.00');
    expect(orderTerms(order({ order_mode: 'STOP_LIMIT', stop_price: '1850.00' }))).toBe(
      'BUY 3 INFY @ ₹1,862.60 stop ₹1,850.00',
    );
    expect(orderTerms(order({ order_mode: 'MARKET', price: null, quantity: 1200 }))).toBe(
      'BUY 1,200 INFY at market',
    );
  });
});

describe('orderNotices', () => {
  it('tells a fill of an order first seen now at its average price', () => {
    const filled = order({ filled_quantity: 3, average_price: '1862.60', status: 'FILLED' });
    expect(orderNotices(undefined, filled)).toEqual(['Bought 3 INFY @ ₹1,862.60']);
  });

  it('tells a later fill of a resting order at its own limit, not a blurred average', () => {
    const before = order({ filled_quantity: 999, quantity: 1000, average_price: '1860.01' });
    const after = order({
      filled_quantity: 1000,
      quantity: 1000,
      average_price: '1860.01',
      status: 'FILLED',
      order_type: 'SELL',
    });
    expect(
      orderNotices({ ...before, order_type: 'SELL', status: 'PARTIALLY_FILLED' }, after),
    ).toEqual(['Sold 1 INFY @ ₹1,862.60']);
  });

  it('tells a stop that triggers, then what it filled', () => {
    const pending = order({
      order_type: 'SELL',
      order_mode: 'STOP_LOSS',
      price: null,
      stop_price: '1800.00',
      status: 'PENDING_TRIGGER',
    });
    const triggered = {
      ...pending,
      status: 'FILLED' as const,
      filled_quantity: 3,
      average_price: '1799.95',
    };
    expect(orderNotices(pending, triggered)).toEqual([
      'Stop triggered: SELL 3 INFY stop ₹1,800.00 (order #12)',
      'Sold 3 INFY @ ₹1,799.95',
    ]);
  });

  it('says nothing for an update without fills or trigger (amend, cancel, a stop cancelled)', () => {
    expect(orderNotices(order({}), order({ quantity: 5 }))).toEqual([]);
    expect(orderNotices(order({}), order({ status: 'CANCELLED' }))).toEqual([]);
    const pending = order({
      order_mode: 'STOP_LIMIT',
      stop_price: '1850.00',
      status: 'PENDING_TRIGGER',
    });
    expect(orderNotices(pending, { ...pending, status: 'CANCELLED' })).toEqual([]);
    expect(
      orderNotices(pending, { ...pending, status: 'CANCELLED', cancel_reason: 'USER' }),
    ).toEqual([]);
    expect(orderNotices(pending, { ...pending, status: 'EXPIRED' })).toEqual([]);
  });

  it('tells a stop that triggers into an empty book and is cancelled, filled or not', () => {
    const pending = order({
      order_type: 'SELL',
      order_mode: 'STOP_LOSS',
      price: null,
      stop_price: '1800.00',
      status: 'PENDING_TRIGGER',
    });
    const unfilled = { ...pending, status: 'CANCELLED' as const };
    expect(orderNotices(pending, { ...unfilled, cancel_reason: 'MARKET_NO_LIQUIDITY' })).toEqual([
      'Stop triggered: SELL 3 INFY stop ₹1,800.00 (order #12)',
    ]);
    const partly = {
      ...unfilled,
      cancel_reason: 'MARKET_NO_LIQUIDITY',
      filled_quantity: 1,
      remaining_quantity: 2,
      average_price: '1799.95',
    };
    expect(orderNotices(pending, partly)).toEqual([
      'Stop triggered: SELL 3 INFY stop ₹1,800.00 (order #12)',
      'Sold 1 INFY @ ₹1,799.95',
    ]);
  });

  it('accounts for every share of a resting order filled in any number of steps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
        (steps) => {
          const quantity = steps.reduce((n, s) => n + s, 0);
          let state = order({ quantity, remaining_quantity: quantity });
          let told = 0;
          for (const step of steps) {
            const filled = state.filled_quantity + step;
            const next = order({
              quantity,
              filled_quantity: filled,
              remaining_quantity: quantity - filled,
              average_price: '1862.60',
              status: filled === quantity ? 'FILLED' : 'PARTIALLY_FILLED',
            });
            const [notice, ...rest] = orderNotices(state, next);
            expect(rest).toEqual([]);
            expect(notice).toMatch(/^Bought [\d,]+ INFY @ ₹1,862\.60$/);
            told += Number(/Bought ([\d,]+)/.exec(notice ?? '')?.[1]?.replaceAll(',', ''));
            state = next;
          }
          expect(told).toBe(quantity);
        },
      ),
    );
  });
});
