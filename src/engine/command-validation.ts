// Stateless command checks shared by the fast book and the reference model: a command that
// passes holds only safe integers inside the configured bounds. Never throws for bad input.
import type {
  AmendOrder,
  BookState,
  EngineLimits,
  OpenOrder,
  OrderType,
  PlaceOrder,
  RejectCode,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from './types.ts';

/** Throws on a configuration bug: bounds whose product could lose precision. */
export function checkLimits(limits: EngineLimits): EngineLimits {
  const { maxPrice, maxQuantity } = limits;
  if (!Number.isSafeInteger(maxPrice) || maxPrice < 1) {
    throw new RangeError('engine limits: maxPrice must be a positive safe integer');
  }
  if (!Number.isSafeInteger(maxQuantity) || maxQuantity < 1) {
    throw new RangeError('engine limits: maxQuantity must be a positive safe integer');
  }
  if (maxPrice * maxQuantity >= 2 ** 53) {
    throw new RangeError('engine limits: maxPrice * maxQuantity must be below 2^53');
  }
  return { maxPrice, maxQuantity };
}

/** Checks of restored triggers: oldest first, none after the book's own sequence. */
export function validateTriggers(state: BookState, limits: EngineLimits): RejectCode | null {
  let previous = 0;
  for (const t of state.triggers ?? []) {
    if (!isPositiveId(t.sequence) || t.sequence <= previous || t.sequence > state.sequence) {
      return 'INVALID_SEQUENCE';
    }
    if (!inRange(t.lastPrice, limits.maxPrice)) return 'INVALID_PRICE';
    previous = t.sequence;
  }
  return null;
}

/** The bound on triggered stops per command; a bad one is a configuration bug, so it throws. */
export function checkStopsPerCommand(stopsPerCommand: number): number {
  if (!Number.isSafeInteger(stopsPerCommand) || stopsPerCommand < 1) {
    throw new RangeError('engine options: stopsPerCommand must be a positive safe integer');
  }
  return stopsPerCommand;
}

export const isPositiveId = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 1;

const inRange = (n: unknown, max: number): boolean =>
  Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= max;

export const isSide = (s: unknown): s is Side => s === 'BUY' || s === 'SELL';

export const isOrderType = (t: unknown): t is OrderType =>
  t === 'LIMIT' || t === 'MARKET' || t === 'STOP_LOSS' || t === 'STOP_LIMIT';

export const isTimeInForce = (t: unknown): t is TimeInForce =>
  t === 'GTC' || t === 'IOC' || t === 'FOK' || t === 'DAY';

export const isSelfTradePrevention = (m: unknown): m is SelfTradePrevention =>
  m === 'CANCEL_NEWEST' || m === 'CANCEL_OLDEST' || m === 'CANCEL_BOTH';

/** The time in force an order gets when the command leaves it out. */
export const defaultTimeInForce = (orderType: OrderType): TimeInForce =>
  orderType === 'MARKET' ? 'IOC' : 'GTC';

const hasLimitPrice = (t: OrderType): boolean => t === 'LIMIT' || t === 'STOP_LIMIT';
const isStopType = (t: OrderType): boolean => t === 'STOP_LOSS' || t === 'STOP_LIMIT';
const hasCollar = (t: OrderType): boolean => t === 'MARKET' || t === 'STOP_LOSS';

/** Buy stops trigger when last >= stop, sell stops when last <= stop. */
export const stopTriggers = (isBuy: boolean, stopPrice: number, lastPrice: number): boolean =>
  isBuy ? lastPrice >= stopPrice : lastPrice <= stopPrice;

/**
 * The first reason a PLACE is malformed, checked in a fixed order, or null. State-dependent
 * checks (duplicate id, post-only, stop already triggered) belong to the book.
 */
export function validatePlace(o: PlaceOrder, limits: EngineLimits): RejectCode | null {
  if (!isPositiveId(o.orderId)) return 'INVALID_ORDER_ID';
  if (!isPositiveId(o.owner)) return 'INVALID_OWNER';
  if (!isSide(o.side)) return 'INVALID_SIDE';
  const type = o.orderType;
  if (!isOrderType(type)) return 'INVALID_ORDER_TYPE';
  if (!inRange(o.quantity, limits.maxQuantity)) return 'INVALID_QUANTITY';
  const tif = o.timeInForce;
  if (tif !== undefined) {
    if (!isTimeInForce(tif)) return 'INVALID_TIME_IN_FORCE';
    if (type === 'MARKET' && tif !== 'IOC' && tif !== 'FOK') return 'INVALID_TIME_IN_FORCE';
  }
  if (hasLimitPrice(type) ? !inRange(o.price, limits.maxPrice) : o.price !== undefined) {
    return 'INVALID_PRICE';
  }
  if (isStopType(type) ? !inRange(o.stopPrice, limits.maxPrice) : o.stopPrice !== undefined) {
    return 'INVALID_STOP_PRICE';
  }
  if (o.limitPrice !== undefined && (!hasCollar(type) || !inRange(o.limitPrice, limits.maxPrice))) {
    return 'INVALID_LIMIT_PRICE';
  }
  const postOnly = o.postOnly;
  if (postOnly !== undefined && postOnly !== false) {
    if (postOnly !== true || type !== 'LIMIT' || tif === 'IOC' || tif === 'FOK') {
      return 'INVALID_POST_ONLY';
    }
  }
  if (o.selfTrade !== undefined && !isSelfTradePrevention(o.selfTrade)) {
    return 'INVALID_SELF_TRADE_MODE';
  }
  return null;
}

/** Field checks for an AMEND that need no book state. */
export function validateAmend(a: AmendOrder, limits: EngineLimits): RejectCode | null {
  if (!isPositiveId(a.orderId)) return 'INVALID_ORDER_ID';
  if (a.quantity !== undefined && !inRange(a.quantity, limits.maxQuantity)) {
    return 'INVALID_QUANTITY';
  }
  if (a.price !== undefined && !inRange(a.price, limits.maxPrice)) return 'INVALID_PRICE';
  if (a.stopPrice !== undefined && !inRange(a.stopPrice, limits.maxPrice)) {
    return 'INVALID_STOP_PRICE';
  }
  return null;
}

/** An AMEND field the order's type and status cannot take, or null. */
export function amendNotApplicable(
  a: AmendOrder,
  orderType: OrderType,
  pendingStop: boolean,
): boolean {
  if (a.price !== undefined && !hasLimitPrice(orderType)) return true;
  return a.stopPrice !== undefined && !pendingStop;
}

/** Field checks for a restored order that need no book state. */
export function validateRestore(o: OpenOrder, limits: EngineLimits): RejectCode | null {
  const code = validatePlace(
    {
      orderId: o.orderId,
      owner: o.owner,
      side: o.side,
      orderType: o.orderType,
      quantity: o.quantity,
      ...(o.price === null ? {} : { price: o.price }),
      ...(o.stopPrice === null ? {} : { stopPrice: o.stopPrice }),
      ...(o.limitPrice === null ? {} : { limitPrice: o.limitPrice }),
      timeInForce: o.timeInForce,
      postOnly: o.postOnly,
      selfTrade: o.selfTrade,
    },
    limits,
  );
  if (code !== null) return code;
  if (!inRange(o.remaining, o.quantity)) return 'INVALID_QUANTITY';
  if (!isPositiveId(o.priority)) return 'INVALID_SEQUENCE';
  if (o.status === 'RESTING') {
    // Only limit-priced orders with a lasting time in force can sit in the book.
    if (!hasLimitPrice(o.orderType)) return 'INVALID_STATUS';
    if (o.timeInForce !== 'GTC' && o.timeInForce !== 'DAY') return 'INVALID_STATUS';
    return null;
  }
  if (o.status === 'STOP_PENDING' || o.status === 'STOP_TRIGGERED') {
    if (!isStopType(o.orderType) || o.remaining !== o.quantity) return 'INVALID_STATUS';
    return null;
  }
  return 'INVALID_STATUS';
}
