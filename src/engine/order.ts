// The engine's mutable order record: one fixed-shape object per open order, doubling as the
// node of its price level's intrusive FIFO list so a cancel unlinks it in O(1).
import type { PriceLevel } from './price-level.ts';
import type {
  OrderId,
  OrderType,
  OwnerId,
  SelfTradePrevention,
  Side,
  TimeInForce,
} from './types.ts';

/** Price fields use 0 for "none"; valid prices start at 1. */
export const NO_PRICE = 0;

export class Order {
  id = 0 as OrderId;
  owner = 0 as OwnerId;
  isBuy = false;
  orderType: OrderType = 'LIMIT';
  timeInForce: TimeInForce = 'GTC';
  selfTrade: SelfTradePrevention = 'CANCEL_NEWEST';
  postOnly = false;
  /** True while the order waits in the stop book. */
  pendingStop = false;
  price = NO_PRICE;
  stopPrice = NO_PRICE;
  limitPrice = NO_PRICE;
  /** Total quantity; quantity - remaining has filled. */
  quantity = 0;
  remaining = 0;
  priority = 0;
  prev: Order | null = null;
  next: Order | null = null;
  level: PriceLevel | null = null;

  /** Sets every field, so a recycled record carries nothing from its previous order. */
  init(
    id: OrderId,
    owner: OwnerId,
    isBuy: boolean,
    orderType: OrderType,
    timeInForce: TimeInForce,
    selfTrade: SelfTradePrevention,
    postOnly: boolean,
    pendingStop: boolean,
    price: number,
    stopPrice: number,
    limitPrice: number,
    quantity: number,
    remaining: number,
    priority: number,
  ): this {
    this.id = id;
    this.owner = owner;
    this.isBuy = isBuy;
    this.orderType = orderType;
    this.timeInForce = timeInForce;
    this.selfTrade = selfTrade;
    this.postOnly = postOnly;
    this.pendingStop = pendingStop;
    this.price = price;
    this.stopPrice = stopPrice;
    this.limitPrice = limitPrice;
    this.quantity = quantity;
    this.remaining = remaining;
    this.priority = priority;
    this.prev = null;
    this.next = null;
    this.level = null;
    return this;
  }

  get side(): Side {
    return this.isBuy ? 'BUY' : 'SELL';
  }
}

/**
 * Recycles closed order records. Steady trading then allocates no order objects, which keeps
 * them out of the young generation (most of the collector's work otherwise). A record is
 * released only once nothing in the book points at it.
 */
export class OrderPool {
  private readonly spare: Order[] = [];

  constructor(private readonly capacity: number) {}

  take(): Order {
    return this.spare.pop() ?? new Order();
  }

  release(order: Order): void {
    if (this.spare.length < this.capacity) this.spare.push(order);
  }
}
