// The fast order book for one symbol: price-time priority, stops, STP, FOK, post-only, amend.
// Pure and deterministic (no I/O, clock, randomness or floats); business errors are REJECTED events.
import { BookSide } from './book-side.ts';
import {
  amendNotApplicable,
  checkLimits,
  checkStopsPerCommand,
  defaultTimeInForce,
  isPositiveId,
  stopTriggers,
  validateAmend,
  validatePlace,
  validateRestore,
  validateTriggers,
} from './command-validation.ts';
import { OrderIndex } from './order-index.ts';
import { NO_PRICE, OrderPool } from './order.ts';
import type { Order } from './order.ts';
import type { PriceLevel } from './price-level.ts';
import { StopBook } from './stop-book.ts';
import { isQueued, TriggerQueue, type TriggerBatch } from './trigger-queue.ts';
import type {
  AmendOrder,
  BookDepth,
  BookState,
  CancelReason,
  CommandKind,
  EngineCommand,
  EngineEvent,
  EngineLimits,
  LevelView,
  MatchingBook,
  OpenOrder,
  OrderId,
  OrderStatus,
  PlaceOrder,
  Price,
  Quantity,
  RejectCode,
  RestoreResult,
  Sequence,
  Timestamp,
  TopOfBook,
} from './types.ts';
import { DEFAULT_LIMITS, DEFAULT_STOPS_PER_COMMAND } from './types.ts';

export interface OrderBookOptions {
  /** Value bounds; defaults to DEFAULT_LIMITS. */
  readonly limits?: EngineLimits;
  /** Triggered stops one command may run; defaults to DEFAULT_STOPS_PER_COMMAND. */
  readonly stopsPerCommand?: number;
}

const RESTORED: RestoreResult = { ok: true };
const byPriority = (a: Order, b: Order): number => a.priority - b.priority;
const nullablePrice = (p: number): Price | null => (p === NO_PRICE ? null : (p as Price));

export function toOpenOrder(o: Order, status: OrderStatus): OpenOrder {
  return {
    orderId: o.id,
    owner: o.owner,
    side: o.side,
    orderType: o.orderType,
    timeInForce: o.timeInForce,
    status,
    price: nullablePrice(o.price),
    stopPrice: nullablePrice(o.stopPrice),
    limitPrice: nullablePrice(o.limitPrice),
    quantity: o.quantity as Quantity,
    remaining: o.remaining as Quantity,
    postOnly: o.postOnly,
    selfTrade: o.selfTrade,
    priority: o.priority as Sequence,
  };
}

export class OrderBook implements MatchingBook {
  private readonly limits: EngineLimits;
  private readonly stopsPerCommand: number;
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  private readonly stops = new StopBook();
  /** Triggered stops waiting their turn to run. */
  private readonly triggered = new TriggerQueue();
  /** Every open order (resting or pending stop) by id. */
  private readonly orders = new OrderIndex();
  private readonly pool = new OrderPool(4_096);
  private seq = 0;
  /** Last trade price; NO_PRICE before the first trade. */
  private last = NO_PRICE;
  /** The event list of the command being processed. */
  private out: EngineEvent[] = [];
  /** Set when the current step traded. */
  private traded = false;
  /** The stops one trigger check takes from the stop book (reused). */
  private readonly justTriggered: Order[] = [];

  constructor(options: OrderBookOptions = {}) {
    this.limits = checkLimits(options.limits ?? DEFAULT_LIMITS);
    this.stopsPerCommand = checkStopsPerCommand(
      options.stopsPerCommand ?? DEFAULT_STOPS_PER_COMMAND,
    );
  }

  get sequence(): Sequence {
    return this.seq as Sequence;
  }

  get lastPrice(): Price | null {
    return nullablePrice(this.last);
  }

  get triggeredStops(): number {
    return this.triggered.count;
  }

  execute(command: EngineCommand): EngineEvent[] {
    switch (command.type) {
      case 'PLACE':
        return this.place(command);
      case 'CANCEL':
        return this.cancel(command.orderId);
      case 'AMEND':
        return this.amend(command);
      case 'END_SESSION':
        return this.endSession(command.time);
      case 'RUN_STOPS':
        return this.runStops();
      default:
        // Unreachable for typed callers: a command outside the union is a bug, not a rejection.
        throw new TypeError(`unknown engine command ${JSON.stringify(command)}`);
    }
  }

  place(cmd: PlaceOrder): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.out = out;
    const code = validatePlace(cmd, this.limits);
    if (code !== null) return this.reject('PLACE', cmd.orderId, code);
    if (this.orders.has(cmd.orderId)) {
      return this.reject('PLACE', cmd.orderId, 'DUPLICATE_ORDER_ID');
    }
    const isBuy = cmd.side === 'BUY';
    const type = cmd.orderType;
    const isStop = type === 'STOP_LOSS' || type === 'STOP_LIMIT';
    const price = cmd.price ?? NO_PRICE;
    const stopPrice = cmd.stopPrice ?? NO_PRICE;
    if (isStop && this.last !== NO_PRICE && stopTriggers(isBuy, stopPrice, this.last)) {
      return this.reject('PLACE', cmd.orderId, 'STOP_WOULD_TRIGGER');
    }
    const postOnly = cmd.postOnly === true;
    if (postOnly && this.crosses(isBuy, price)) {
      return this.reject('PLACE', cmd.orderId, 'POST_ONLY_WOULD_TAKE');
    }
    const order = this.pool.take();
    order.init(
      cmd.orderId,
      cmd.owner,
      isBuy,
      type,
      cmd.timeInForce ?? defaultTimeInForce(type),
      cmd.selfTrade ?? 'CANCEL_NEWEST',
      postOnly,
      isStop,
      price,
      stopPrice,
      cmd.limitPrice ?? NO_PRICE,
      cmd.quantity,
      cmd.quantity,
      this.seq + 1,
    );
    this.emitAccepted(order);
    if (isStop) {
      this.orders.add(order);
      this.stops.add(order);
      return out;
    }
    const traded = this.step(order);
    this.releaseIfDone(order);
    if (traded) this.cascade();
    return out;
  }

  runStops(): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.out = out;
    if (this.triggered.count === 0) return this.reject('RUN_STOPS', null, 'NO_TRIGGERED_STOPS');
    this.runTriggered();
    return out;
  }

  cancel(orderId: OrderId): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.out = out;
    if (!isPositiveId(orderId)) return this.reject('CANCEL', orderId, 'INVALID_ORDER_ID');
    const order = this.orders.get(orderId);
    if (order === undefined) return this.reject('CANCEL', orderId, 'ORDER_NOT_FOUND');
    this.orders.delete(orderId);
    if (order.pendingStop) {
      this.stops.remove(order);
      this.emitCancelled(order, 'USER');
    } else if (isQueued(order)) {
      this.triggered.remove(order);
      this.emitCancelled(order, 'USER');
    } else {
      this.unrest(order, 'USER');
    }
    this.pool.release(order);
    return out;
  }

  amend(a: AmendOrder): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.out = out;
    const code = validateAmend(a, this.limits);
    if (code !== null) return this.reject('AMEND', a.orderId, code);
    const o = this.orders.get(a.orderId);
    if (o === undefined) return this.reject('AMEND', a.orderId, 'ORDER_NOT_FOUND');
    if (isQueued(o) || amendNotApplicable(a, o.orderType, o.pendingStop)) {
      return this.reject('AMEND', a.orderId, 'AMEND_NOT_APPLICABLE');
    }
    const quantity = a.quantity ?? o.quantity;
    const price = a.price ?? o.price;
    const stopPrice = a.stopPrice ?? o.stopPrice;
    if (quantity === o.quantity && price === o.price && stopPrice === o.stopPrice) {
      return this.reject('AMEND', a.orderId, 'AMEND_NO_CHANGE');
    }
    const filled = o.quantity - o.remaining;
    if (quantity <= filled) return this.reject('AMEND', a.orderId, 'AMEND_BELOW_FILLED');
    if (o.pendingStop && this.last !== NO_PRICE && stopTriggers(o.isBuy, stopPrice, this.last)) {
      return this.reject('AMEND', a.orderId, 'STOP_WOULD_TRIGGER');
    }
    if (o.postOnly && this.crosses(o.isBuy, price)) {
      return this.reject('AMEND', a.orderId, 'POST_ONLY_WOULD_TAKE');
    }
    const keepPriority = price === o.price && stopPrice === o.stopPrice && quantity < o.quantity;
    const remaining = quantity - filled;
    const level = o.level!;
    if (keepPriority) {
      level.total -= o.remaining - remaining;
      o.quantity = quantity;
      o.remaining = remaining;
      this.emitAmended(o, true);
      if (!o.pendingStop) this.emitLevel(o.isBuy, level);
      return out;
    }
    if (o.pendingStop) {
      this.stops.remove(o);
      o.quantity = quantity;
      o.remaining = remaining;
      o.price = price;
      o.stopPrice = stopPrice;
      o.priority = this.seq + 1;
      this.emitAmended(o, false);
      this.stops.add(o);
      return out;
    }
    level.remove(o);
    o.quantity = quantity;
    o.remaining = remaining;
    o.priority = this.seq + 1;
    if (price === o.price) {
      // A larger order at the same price cannot cross: it only goes to the back of its queue.
      this.emitAmended(o, false);
      level.append(o);
      this.emitLevel(o.isBuy, level);
      return out;
    }
    o.price = price;
    this.emitAmended(o, false);
    this.emitLevel(o.isBuy, level);
    if (level.count === 0) this.sideOf(o.isBuy).removeLevel(level);
    this.orders.delete(o.id);
    const traded = this.step(o);
    this.releaseIfDone(o);
    if (traded) this.cascade();
    return out;
  }

  endSession(time: Timestamp): EngineEvent[] {
    const out: EngineEvent[] = [];
    this.out = out;
    if (!Number.isSafeInteger(time) || time < 0) {
      return this.reject('END_SESSION', null, 'INVALID_TIME');
    }
    // Only GTC outlives a session: DAY orders, and stops whose IOC/FOK/DAY never came due.
    const expiring: Order[] = [];
    for (const o of this.orders.all()) if (o.timeInForce !== 'GTC') expiring.push(o);
    expiring.sort(byPriority);
    for (const o of expiring) {
      this.orders.delete(o.id);
      const level = o.level!;
      const quantity = o.remaining as Quantity;
      const resting = !o.pendingStop && !isQueued(o);
      if (o.pendingStop) {
        this.stops.remove(o);
      } else if (!resting) {
        this.triggered.remove(o);
      } else {
        level.remove(o);
      }
      out.push({
        type: 'EXPIRED',
        seq: ++this.seq as Sequence,
        orderId: o.id,
        owner: o.owner,
        side: o.side,
        quantity,
        time,
      });
      if (resting) {
        this.emitLevel(o.isBuy, level);
        if (level.count === 0) this.sideOf(o.isBuy).removeLevel(level);
      }
      this.pool.release(o);
    }
    out.push({
      type: 'SESSION_ENDED',
      seq: ++this.seq as Sequence,
      time,
      expired: expiring.length,
    });
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Introspection and market data

  getOrder(orderId: OrderId): OpenOrder | undefined {
    const o = this.orders.get(orderId);
    return o === undefined ? undefined : toOpenOrder(o, this.statusOf(o));
  }

  openOrders(): OpenOrder[] {
    const all = this.orders.all().sort(byPriority);
    return all.map((o) => toOpenOrder(o, this.statusOf(o)));
  }

  private statusOf(o: Order): OrderStatus {
    if (o.pendingStop) return 'STOP_PENDING';
    return isQueued(o) ? 'STOP_TRIGGERED' : 'RESTING';
  }

  state(): BookState {
    return {
      sequence: this.seq as Sequence,
      lastPrice: this.lastPrice,
      triggers: this.triggered.triggers(),
    };
  }

  topOfBook(): TopOfBook {
    const bid = this.bids.best();
    const ask = this.asks.best();
    return {
      sequence: this.seq as Sequence,
      bid: bid === undefined ? null : levelView(bid),
      ask: ask === undefined ? null : levelView(ask),
    };
  }

  depth(levels: number): BookDepth {
    return {
      sequence: this.seq as Sequence,
      bids: topLevels(this.bids, levels),
      asks: topLevels(this.asks, levels),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Recovery

  restoreState(state: BookState): RestoreResult {
    if (this.seq !== 0 || this.orders.size !== 0) return { ok: false, code: 'BOOK_NOT_EMPTY' };
    if (!Number.isSafeInteger(state.sequence) || state.sequence < 0) {
      return { ok: false, code: 'INVALID_SEQUENCE' };
    }
    const last = state.lastPrice;
    if (last !== null && (!Number.isSafeInteger(last) || last < 1 || last > this.limits.maxPrice)) {
      return { ok: false, code: 'INVALID_PRICE' };
    }
    const code = validateTriggers(state, this.limits);
    if (code !== null) return { ok: false, code };
    this.seq = state.sequence;
    this.last = last ?? NO_PRICE;
    for (const t of state.triggers ?? []) this.triggered.open(t.sequence, t.lastPrice);
    return RESTORED;
  }

  restore(r: OpenOrder): RestoreResult {
    const code = validateRestore(r, this.limits);
    if (code !== null) return { ok: false, code };
    if (this.orders.has(r.orderId)) return { ok: false, code: 'DUPLICATE_ORDER_ID' };
    if (r.priority > this.seq) return { ok: false, code: 'INVALID_SEQUENCE' };
    const isBuy = r.side === 'BUY';
    const stopPrice = r.stopPrice ?? NO_PRICE;
    const price = r.price ?? NO_PRICE;
    const batch =
      r.status === 'RESTING' ? undefined : this.triggered.batchFor(isBuy, stopPrice, r.priority);
    if (r.status === 'STOP_TRIGGERED' && batch === undefined) {
      return { ok: false, code: 'INVALID_STATUS' };
    }
    const pending = r.status !== 'RESTING' && batch === undefined;
    let tail: Order | null;
    if (batch !== undefined) {
      tail = batch.tail;
    } else if (pending) {
      if (this.last !== NO_PRICE && stopTriggers(isBuy, stopPrice, this.last)) {
        return { ok: false, code: 'STOP_WOULD_TRIGGER' };
      }
      tail = this.stops.tailAt(isBuy, stopPrice);
    } else {
      if (this.crosses(isBuy, price)) return { ok: false, code: 'RESTORE_WOULD_CROSS' };
      tail = this.sideOf(isBuy).get(price)?.tail ?? null;
    }
    if (tail !== null && tail.priority >= r.priority) {
      return { ok: false, code: 'RESTORE_OUT_OF_ORDER' };
    }
    const o = this.pool.take();
    o.init(
      r.orderId,
      r.owner,
      isBuy,
      r.orderType,
      r.timeInForce,
      r.selfTrade,
      r.postOnly,
      pending,
      price,
      stopPrice,
      r.limitPrice ?? NO_PRICE,
      r.quantity,
      r.remaining,
      r.priority,
    );
    this.orders.add(o);
    if (batch !== undefined) this.triggered.append(batch, o);
    else if (pending) this.stops.add(o);
    else this.sideOf(isBuy).levelAt(price).append(o);
    return RESTORED;
  }

  // -------------------------------------------------------------------------------------------
  // Matching

  private sideOf(isBuy: boolean): BookSide {
    return isBuy ? this.bids : this.asks;
  }

  /** Would an order at `price` on this side meet the opposite best? */
  private crosses(isBuy: boolean, price: number): boolean {
    const best = (isBuy ? this.asks : this.bids).best();
    if (best === undefined) return false;
    return isBuy ? best.price <= price : best.price >= price;
  }

  /**
   * Runs one taker to completion: FOK check, match, then rest, or cancel the remainder.
   * Returns whether it traded (so stops must be checked).
   */
  private step(o: Order): boolean {
    this.traded = false;
    const isMarket = o.orderType === 'MARKET' || o.orderType === 'STOP_LOSS';
    // A market order is bounded only by its protection price, if it has one.
    const unbounded = o.isBuy ? Number.MAX_SAFE_INTEGER : 0;
    const limit = !isMarket ? o.price : o.limitPrice !== NO_PRICE ? o.limitPrice : unbounded;
    const tif = o.timeInForce;
    if (tif === 'FOK' && !this.canFill(o, limit)) {
      this.emitCancelled(o, 'FOK');
      return false;
    }
    if (this.match(o, limit) && o.remaining > 0) {
      if (isMarket) {
        const opposite = o.isBuy ? this.asks : this.bids;
        this.emitCancelled(o, opposite.size > 0 ? 'PRICE_PROTECTION' : 'MARKET_NO_LIQUIDITY');
      } else if (tif === 'IOC' || tif === 'FOK') {
        this.emitCancelled(o, tif === 'IOC' ? 'IOC_REMAINDER' : 'FOK');
      } else {
        const level = this.sideOf(o.isBuy).levelAt(o.price);
        level.append(o);
        this.orders.add(o);
        this.emitLevel(o.isBuy, level);
      }
    }
    return this.traded;
  }

  /**
   * Matches the taker against the opposite side up to `limit`, level by level, FIFO within a
   * level, applying the taker's self-trade prevention. Emits one BOOK_LEVEL per level touched.
   * Returns false when self-trade prevention cancelled the taker.
   */
  private match(taker: Order, limit: number): boolean {
    const isBuy = taker.isBuy;
    const book = isBuy ? this.asks : this.bids;
    const orders = this.orders;
    let level = book.best();
    while (level !== undefined && taker.remaining > 0) {
      const px = level.price;
      if (isBuy ? px > limit : px < limit) break;
      let touched = false;
      let selfTradeStop = false;
      let maker = level.head;
      while (maker !== null) {
        const next = maker.next;
        if (maker.owner === taker.owner) {
          const mode = taker.selfTrade;
          if (mode === 'CANCEL_NEWEST') {
            selfTradeStop = true;
            break;
          }
          level.remove(maker);
          orders.delete(maker.id);
          this.emitCancelled(maker, 'SELF_TRADE');
          this.pool.release(maker);
          touched = true;
          if (mode === 'CANCEL_BOTH') {
            selfTradeStop = true;
            break;
          }
          maker = next;
          continue;
        }
        const want = taker.remaining;
        const has = maker.remaining;
        const q = want < has ? want : has;
        maker.remaining = has - q;
        taker.remaining = want - q;
        level.total -= q;
        touched = true;
        this.emitFill(maker, taker, px, q);
        if (has === q) {
          level.remove(maker);
          orders.delete(maker.id);
          this.pool.release(maker);
        }
        if (want === q) break;
        maker = next;
      }
      if (touched) this.emitLevel(!isBuy, level);
      if (level.count === 0) book.removeLevel(level);
      if (selfTradeStop) {
        this.emitCancelled(taker, 'SELF_TRADE');
        return false;
      }
      level = book.best();
    }
    return true;
  }

  /**
   * FOK rule: the taker is fillable only if walking the opposite side in priority order, with
   * its self-trade prevention applied as matching would apply it, reaches the full quantity.
   * CANCEL_OLDEST skips own orders (matching would cancel them); CANCEL_NEWEST and
   * CANCEL_BOTH stop the walk at the first own order (matching would stop there).
   */
  private canFill(taker: Order, limit: number): boolean {
    const isBuy = taker.isBuy;
    const levels = (isBuy ? this.asks : this.bids).levels;
    const skipOwn = taker.selfTrade === 'CANCEL_OLDEST';
    let need = taker.remaining;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      if (isBuy ? level.price > limit : level.price < limit) return false;
      for (let m = level.head; m !== null; m = m.next) {
        if (m.owner === taker.owner) {
          if (skipOwn) continue;
          return false;
        }
        need -= m.remaining;
        if (need <= 0) return true;
      }
    }
    return false;
  }

  /** After a taker traded: trigger what its last price meets, then run this command's slice. */
  private cascade(): void {
    this.takeTriggered();
    if (this.triggered.count !== 0) this.runTriggered();
  }

  /**
   * Runs triggered stops from the front of the queue, one at a time, until this command has run
   * `stopsPerCommand` of them; each that trades queues the stops its last price triggers.
   */
  private runTriggered(): void {
    const queue = this.triggered;
    for (let ran = 0; ran < this.stopsPerCommand; ran++) {
      const batch: TriggerBatch | undefined = queue.front();
      if (batch === undefined) return;
      const s = batch.head!;
      queue.remove(s);
      this.orders.delete(s.id);
      s.priority = this.seq + 1;
      this.out.push({
        type: 'STOP_TRIGGERED',
        seq: ++this.seq as Sequence,
        orderId: s.id,
        owner: s.owner,
        side: s.side,
        stopPrice: s.stopPrice as Price,
        lastPrice: batch.price as Price,
      });
      const traded = this.step(s);
      this.releaseIfDone(s);
      if (traded) this.takeTriggered();
    }
  }

  /**
   * Moves the stops the last price meets from the stop book to the back of the queue, as one
   * batch recorded by its check: no event, and no work per stop beyond relinking it.
   */
  private takeTriggered(): void {
    if (this.stops.count === 0) return;
    const taken = this.justTriggered;
    this.stops.takeTriggered(this.last, taken);
    if (taken.length === 0) return;
    const batch = this.triggered.open(this.seq, this.last);
    for (let i = 0; i < taken.length; i++) {
      const s = taken[i]!;
      s.pendingStop = false;
      this.triggered.append(batch, s);
    }
    taken.length = 0;
  }

  /** Recycles a taker that finished without resting. */
  private releaseIfDone(o: Order): void {
    if (o.level === null) this.pool.release(o);
  }

  /** Takes a resting order out of the book (already out of the id index) and closes it. */
  private unrest(o: Order, reason: CancelReason): void {
    const level = o.level!;
    level.remove(o);
    this.emitCancelled(o, reason);
    this.emitLevel(o.isBuy, level);
    if (level.count === 0) this.sideOf(o.isBuy).removeLevel(level);
  }

  // -------------------------------------------------------------------------------------------
  // Events: one object literal per event type, so every emit site builds one fixed shape.

  private reject(command: CommandKind, orderId: unknown, code: RejectCode): EngineEvent[] {
    this.out.push({
      type: 'REJECTED',
      seq: ++this.seq as Sequence,
      command,
      orderId: isPositiveId(orderId) ? (orderId as OrderId) : null,
      code,
    });
    return this.out;
  }

  private emitAccepted(o: Order): void {
    this.out.push({
      type: 'ACCEPTED',
      seq: ++this.seq as Sequence,
      orderId: o.id,
      owner: o.owner,
      side: o.side,
      orderType: o.orderType,
      timeInForce: o.timeInForce,
      price: nullablePrice(o.price),
      stopPrice: nullablePrice(o.stopPrice),
      limitPrice: nullablePrice(o.limitPrice),
      quantity: o.quantity as Quantity,
      postOnly: o.postOnly,
      selfTrade: o.selfTrade,
    });
  }

  private emitFill(maker: Order, taker: Order, price: number, quantity: number): void {
    this.last = price;
    this.traded = true;
    this.out.push({
      type: 'FILL',
      seq: ++this.seq as Sequence,
      makerOrderId: maker.id,
      takerOrderId: taker.id,
      makerOwner: maker.owner,
      takerOwner: taker.owner,
      price: price as Price,
      quantity: quantity as Quantity,
      aggressor: taker.side,
      makerRemaining: maker.remaining as Quantity,
      takerRemaining: taker.remaining as Quantity,
    });
  }

  /** Closes the order: `quantity` is the open quantity it had. */
  private emitCancelled(o: Order, reason: CancelReason): void {
    this.out.push({
      type: 'CANCELLED',
      seq: ++this.seq as Sequence,
      orderId: o.id,
      owner: o.owner,
      side: o.side,
      quantity: o.remaining as Quantity,
      reason,
    });
  }

  private emitAmended(o: Order, keptPriority: boolean): void {
    this.out.push({
      type: 'AMENDED',
      seq: ++this.seq as Sequence,
      orderId: o.id,
      owner: o.owner,
      side: o.side,
      price: nullablePrice(o.price),
      stopPrice: nullablePrice(o.stopPrice),
      quantity: o.quantity as Quantity,
      remaining: o.remaining as Quantity,
      keptPriority,
    });
  }

  private emitLevel(isBuy: boolean, level: PriceLevel): void {
    this.out.push({
      type: 'BOOK_LEVEL',
      seq: ++this.seq as Sequence,
      side: isBuy ? 'BUY' : 'SELL',
      price: level.price as Price,
      quantity: level.total as Quantity,
    });
  }
}

function levelView(level: PriceLevel): LevelView {
  return { price: level.price as Price, quantity: level.total as Quantity };
}

function topLevels(side: BookSide, count: number): LevelView[] {
  const levels = side.levels;
  const views: LevelView[] = [];
  const n = Math.max(0, Math.min(Math.trunc(count) || 0, levels.length));
  for (let i = levels.length - 1; i >= levels.length - n; i--) views.push(levelView(levels[i]!));
  return views;
}
