// Orders the scenarios place for themselves: a one-share limit buy a few percent under the last
// price, so it rests on the book (inside the price band, on the tick) and ties up little cash.

import type { Attacker } from './attacker.ts';
import { expectAccepted } from './accounts.ts';

export const SYMBOL = 'TCS';

export interface OrderBody {
  symbol: string;
  order_type: 'BUY';
  order_mode: 'LIMIT';
  quantity: number;
  price: string;
  client_order_id?: string;
}

function paise(rupees: unknown): number | undefined {
  if (typeof rupees !== 'string' && typeof rupees !== 'number') return undefined;
  const value = Math.round(Number(rupees) * 100);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** A resting buy for `symbol`, priced from its public ticker. */
export async function restingBuy(attacker: Attacker, symbol = SYMBOL): Promise<OrderBody> {
  const stock = expectAccepted(
    `GET /api/market/stock/${symbol}`,
    await attacker.send('GET', `/api/market/stock/${symbol}`),
  );
  const last = paise(stock.price) ?? 100_000;
  const tick = paise(stock.tick_size) ?? 5;
  const price = Math.max(tick, Math.floor((last * 0.97) / tick) * tick);
  return {
    symbol,
    order_type: 'BUY',
    order_mode: 'LIMIT',
    quantity: 1,
    price: `${Math.floor(price / 100)}.${String(price % 100).padStart(2, '0')}`,
  };
}

/** Places the order with a bearer token and returns its id. */
export async function placeOrder(
  attacker: Attacker,
  token: string,
  order: OrderBody,
): Promise<number> {
  const body = expectAccepted(
    'place order',
    await attacker.send('POST', '/api/trading/order', { token, json: order }),
  );
  return Number(body.order_id);
}
