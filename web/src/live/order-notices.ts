// What a person is told about their own orders, in words: the terms of an order ("BUY 3 INFY
// @ ₹1,862.60") and, from two successive states of one order on /ws/orders, its new fills and
// a stop's trigger ("Bought 3 INFY @ ₹1,862.60"). Pure: integer paise in, text out.

import type { Order } from '../api/types.ts';
import { paiseOf, rupees, shares } from '../money.ts';

const RESTING = new Set<string>(['OPEN', 'PARTIALLY_FILLED']);
const LIVE_AFTER_TRIGGER = new Set<string>(['OPEN', 'PARTIALLY_FILLED', 'FILLED']);
/** Why matching cancels an order: a stop cancelled for one of these had triggered first. */
const CANCELLED_BY_MATCHING = new Set<string>([
  'MARKET_NO_LIQUIDITY',
  'PRICE_PROTECTION',
  'SELF_TRADE',
  'IOC_REMAINDER',
  'FOK',
]);

/**
 * Whether a stop triggered between `before` and `after`: it left PENDING_TRIGGER for the book,
 * or for a cancel only matching gives (a stop-loss that met no bids within the market collar
 * is cancelled in the same turn it triggers), not for its owner's cancel or its expiry.
 */
function triggered(before: Order | undefined, after: Order): boolean {
  if (before?.status !== 'PENDING_TRIGGER') return false;
  if (LIVE_AFTER_TRIGGER.has(after.status) || after.filled_quantity > 0) return true;
  return after.status === 'CANCELLED' && CANCELLED_BY_MATCHING.has(after.cancel_reason ?? '');
}

/** "BUY 3 INFY @ ₹1,862.60", "SELL 3 INFY stop ₹1,800.00", "BUY 2 TCS at market". */
export function orderTerms(order: Order): string {
  const head = `${order.order_type} ${shares(order.quantity)} ${order.symbol}`;
  const limit = order.price === null ? undefined : `@ ${rupees(paiseOf(order.price))}`;
  const stop = order.stop_price === null ? undefined : `stop ${rupees(paiseOf(order.stop_price))}`;
  const terms = [limit, stop].filter((part) => part !== undefined);
  return terms.length === 0 ? `${head} at market` : `${head} ${terms.join(' ')}`;
}

/**
 * The price of the shares that filled between `before` and `after`. The first fills are the
 * order's average price; later fills of an order that was resting in the book are at its own
 * limit, because a resting order always trades at its price. Otherwise (rare: a missed update)
 * the difference of the rounded averages, display only.
 */
function newFillPaise(before: Order | undefined, after: Order): number {
  const average = paiseOf(after.average_price);
  const earlier = before?.filled_quantity ?? 0;
  if (before === undefined || earlier === 0) return average;
  if (RESTING.has(before.status) && after.price !== null) return paiseOf(after.price);
  const delta = after.filled_quantity - earlier;
  const notional = average * after.filled_quantity - paiseOf(before.average_price) * earlier;
  return Math.round(notional / delta);
}

/**
 * The notices for one order update: a stop's trigger, then its new fills. `before` is the
 * last state seen (undefined for an order first seen now, which had filled nothing before).
 */
export function orderNotices(before: Order | undefined, after: Order): string[] {
  const notices: string[] = [];
  if (triggered(before, after))
    notices.push(`Stop triggered: ${orderTerms(after)} (order #${after.order_id})`);
  const filled = after.filled_quantity - (before?.filled_quantity ?? 0);
  if (filled > 0) {
    const verb = after.order_type === 'BUY' ? 'Bought' : 'Sold';
    const at = rupees(newFillPaise(before, after));
    notices.push(`${verb} ${shares(filled)} ${after.symbol} @ ${at}`);
  }
  return notices;
}
