import { describe, expect, it } from 'vitest';
import type { Order } from '../api/types.ts';
import { levelKey, ownLevels } from './own-levels.ts';

const order = (fields: Partial<Order>): Order => ({
  order_id: 1,
  client_order_id: null,
  symbol: 'TCS',
  order_type: 'BUY',
  order_mode: 'LIMIT',
  time_in_force: 'GTC',
  quantity: 5,
  filled_quantity: 0,
  remaining_quantity: 5,
  price: '4100.00',
  stop_price: null,
  average_price: null,
  fees: '0.00',
  status: 'OPEN',
  cancel_reason: null,
  post_only: false,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('own levels', () => {
  it('sums the remaining shares of resting orders per side and price', () => {
    const own = ownLevels(
      [
        order({ order_id: 1, remaining_quantity: 5 }),
        order({
          order_id: 2,
          status: 'PARTIALLY_FILLED',
          filled_quantity: 1,
          remaining_quantity: 2,
        }),
        order({ order_id: 3, order_type: 'SELL', price: '4200.50', remaining_quantity: 4 }),
      ],
      'TCS',
    );
    expect(own).toEqual(
      new Map([
        [levelKey('BUY', 410_000), 7],
        [levelKey('SELL', 420_050), 4],
      ]),
    );
  });

  it('leaves out other symbols, finished orders and stops waiting for their trigger', () => {
    const own = ownLevels(
      [
        order({ symbol: 'INFY' }),
        order({ status: 'FILLED', remaining_quantity: 0 }),
        order({ status: 'CANCELLED' }),
        order({ status: 'PENDING_TRIGGER', order_mode: 'STOP_LIMIT', stop_price: '4000.00' }),
        order({ order_mode: 'MARKET', price: null }),
      ],
      'TCS',
    );
    expect(own.size).toBe(0);
  });
});
