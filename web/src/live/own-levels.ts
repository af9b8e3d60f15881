// The signed-in user's resting shares at each price of one symbol's book, from their open
// orders: what the ladder marks as "yours". Only limit prices rest; a stop waiting for its
// trigger is not in the book yet.

import type { Order } from '../api/types.ts';
import { paiseOf } from '../money.ts';

const RESTING = new Set(['OPEN', 'PARTIALLY_FILLED']);

/** Key of one book level: side and price in paise. */
export const levelKey = (side: 'BUY' | 'SELL', paise: number) => `${side}:${paise}`;

/** Remaining shares of the user's resting orders by level key. */
export function ownLevels(orders: Iterable<Order>, symbol: string): Map<string, number> {
  const own = new Map<string, number>();
  for (const order of orders) {
    if (order.symbol !== symbol || !RESTING.has(order.status) || order.price === null) continue;
    if (order.order_type !== 'BUY' && order.order_type !== 'SELL') continue;
    const key = levelKey(order.order_type, paiseOf(order.price));
    own.set(key, (own.get(key) ?? 0) + order.remaining_quantity);
  }
  return own;
}
