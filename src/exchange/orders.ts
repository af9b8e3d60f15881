// An order as the exchange tracks it while it lives: what it asked for, what it has filled, and
// what it still holds in the ledger. Also its public view and its database row.

import type { FeeAccrual } from '../ledger/fees.ts';
import { formatPaise } from '../money.ts';
import { OPEN_STATUSES, type OrderWrite } from '../store/trading.repo.ts';
import type { OrderMode, Side, TimeInForce } from '../store/schema.ts';
import type { SelfTradePrevention } from '../engine/index.ts';

export type OrderStatusName =
  'PENDING_TRIGGER' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'REJECTED';

export interface LiveOrder {
  readonly id: number;
  readonly userId: number;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly mode: OrderMode;
  readonly timeInForce: TimeInForce;
  price: number | null;
  stopPrice: number | null;
  /** The collar of a market or stop-loss order: a buy never fills above it, a sell never below. */
  readonly limitPrice: number | null;
  quantity: number;
  filled: number;
  filledNotional: number;
  feesPaid: number;
  feeAccrual: FeeAccrual;
  /** What the ledger holds for this order now: paise for a buy, shares for a sell. */
  held: number;
  status: OrderStatusName;
  cancelReason: string | null;
  /** Time priority in the book. */
  sequence: number;
  readonly postOnly: boolean;
  readonly selfTrade: SelfTradePrevention;
  readonly createdAt: number;
  updatedAt: number;
}

export function isOpen(order: LiveOrder): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(order.status);
}

/** The price bounding what a buy may pay per share: its limit, or its collar. */
export function boundingPrice(order: LiveOrder): number {
  return order.price ?? order.limitPrice ?? 0;
}

export interface OrderView {
  order_id: number;
  client_order_id: string | null;
  symbol: string;
  order_type: Side;
  order_mode: OrderMode;
  time_in_force: TimeInForce;
  quantity: number;
  filled_quantity: number;
  remaining_quantity: number;
  price: string | null;
  stop_price: string | null;
  average_price: string | null;
  fees: string;
  status: OrderStatusName;
  cancel_reason: string | null;
  post_only: boolean;
  created_at: string;
  updated_at: string;
}

const money = (paise: number | null): string | null => (paise === null ? null : formatPaise(paise));

/** Average fill price, rounded half up to the paisa (display only; settlement used exact prices). */
function averagePrice(filledNotional: number, filled: number): string | null {
  if (filled === 0) return null;
  return formatPaise(Math.floor((2 * filledNotional + filled) / (2 * filled)));
}

export interface OrderFacts {
  id: number;
  client_order_id: string | null;
  symbol: string;
  side: Side;
  mode: OrderMode;
  time_in_force: TimeInForce;
  quantity: number;
  filled_quantity: number;
  filled_notional: number;
  fees_paid: number;
  price: number | null;
  stop_price: number | null;
  status: string;
  cancel_reason: string | null;
  post_only: number;
  created_at: number;
  updated_at: number;
}

/** The API's view of an order, from memory or from a database row. */
export function orderView(o: OrderFacts): OrderView {
  return {
    order_id: o.id,
    client_order_id: o.client_order_id,
    symbol: o.symbol,
    order_type: o.side,
    order_mode: o.mode,
    time_in_force: o.time_in_force,
    quantity: o.quantity,
    filled_quantity: o.filled_quantity,
    remaining_quantity: o.quantity - o.filled_quantity,
    price: money(o.price),
    stop_price: money(o.stop_price),
    average_price: averagePrice(o.filled_notional, o.filled_quantity),
    fees: formatPaise(o.fees_paid),
    status: o.status as OrderStatusName,
    cancel_reason: o.cancel_reason,
    post_only: o.post_only === 1,
    created_at: new Date(o.created_at).toISOString(),
    updated_at: new Date(o.updated_at).toISOString(),
  };
}

export function orderRow(o: LiveOrder): OrderWrite {
  return {
    id: o.id,
    user_id: o.userId,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    mode: o.mode,
    time_in_force: o.timeInForce,
    price: o.price,
    stop_price: o.stopPrice,
    limit_price: o.limitPrice,
    quantity: o.quantity,
    filled_quantity: o.filled,
    filled_notional: o.filledNotional,
    fees_paid: o.feesPaid,
    fee_remainder: o.feeAccrual.part,
    held_amount: o.held,
    status: o.status,
    cancel_reason: o.cancelReason,
    post_only: o.postOnly ? 1 : 0,
    self_trade: o.selfTrade,
    sequence: o.sequence,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

/** The order's facts as plain integers: what the sequencer publishes, mapped to views at the edge. */
export function orderFacts(o: LiveOrder): OrderFacts {
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    mode: o.mode,
    time_in_force: o.timeInForce,
    quantity: o.quantity,
    filled_quantity: o.filled,
    filled_notional: o.filledNotional,
    fees_paid: o.feesPaid,
    price: o.price,
    stop_price: o.stopPrice,
    status: o.status,
    cancel_reason: o.cancelReason,
    post_only: o.postOnly ? 1 : 0,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

export function liveOrderView(o: LiveOrder): OrderView {
  return orderView(orderFacts(o));
}
