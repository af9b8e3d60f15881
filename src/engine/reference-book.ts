// The reference model: the same rules as order-book.ts written as plainly as possible (one array,
// linear scans, a fresh sort at every step). Slow on purpose; property tests compare the two.
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
  OrderType,
  OwnerId,
  PlaceOrder,
  Price,
  Quantity,
  RejectCode,
  RestoreResult,
  SelfTradePrevention,
  Sequence,
  Side,
  StopTrigger,
  TimeInForce,
  Timestamp,
  TopOfBook,
} from './types.ts';
import { DEFAULT_LIMITS, DEFAULT_STOPS_PER_COMMAND } from './types.ts';

interface ModelOrder {
  id: OrderId;
  owner: OwnerId;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  selfTrade: SelfTradePrevention;
  postOnly: boolean;
  /** In the stop book, waiting for its trigger. */
  pending: boolean;
  /** The trigger check that queued it, while it waits its turn (queue order: check, priority). */
  trigger: StopTrigger | null;
  price: number | null;
  stopPrice: number | null;
  limitPrice: number | null;
  quantity: number;
  remaining: number;
  priority: number;
}

const opposite = (side: Side): Side => (side === 'BUY' ? 'SELL' : 'BUY');

export class ReferenceBook implements MatchingBook {
  private readonly limits: EngineLimits;
  private readonly stopsPerCommand: number;
  private open: ModelOrder[] = [];
  /** Every trigger check so far; the ones with stops still queued are the book's state. */
  private triggers: StopTrigger[] = [];
  private seq = 0;
  private last: number | null = null;
  private out: EngineEvent[] = [];

  constructor(options: { readonly limits?: EngineLimits; readonly stopsPerCommand?: number } = {}) {
    this.limits = checkLimits(options.limits ?? DEFAULT_LIMITS);
    this.stopsPerCommand = checkStopsPerCommand(
      options.stopsPerCommand ?? DEFAULT_STOPS_PER_COMMAND,
    );
  }

  get sequence(): Sequence {
    return this.seq as Sequence;
  }

  get lastPrice(): Price | null {
    return this.last as Price | null;
  }

  get triggeredStops(): number {
    return this.open.filter((o) => o.trigger !== null).length;
  }

  state(): BookState {
    const triggers = this.triggers.filter((t) => this.open.some((o) => o.trigger === t));
    return { sequence: this.seq as Sequence, lastPrice: this.lastPrice, triggers };
  }

  execute(command: EngineCommand): EngineEvent[] {
    if (command.type === 'PLACE') return this.place(command);
    if (command.type === 'CANCEL') return this.cancel(command.orderId);
    if (command.type === 'AMEND') return this.amend(command);
    if (command.type === 'END_SESSION') return this.endSession(command.time);
    if (command.type === 'RUN_STOPS') return this.runStops();
    throw new TypeError(`unknown engine command ${JSON.stringify(command)}`);
  }

  place(cmd: PlaceOrder): EngineEvent[] {
    this.out = [];
    const code = validatePlace(cmd, this.limits);
    if (code !== null) return this.reject('PLACE', cmd.orderId, code);
    if (this.find(cmd.orderId) !== undefined) {
      return this.reject('PLACE', cmd.orderId, 'DUPLICATE_ORDER_ID');
    }
    const isStop = cmd.orderType === 'STOP_LOSS' || cmd.orderType === 'STOP_LIMIT';
    if (isStop && this.wouldTrigger(cmd.side, cmd.stopPrice!)) {
      return this.reject('PLACE', cmd.orderId, 'STOP_WOULD_TRIGGER');
    }
    if (cmd.postOnly === true && this.crosses(cmd.side, cmd.price!)) {
      return this.reject('PLACE', cmd.orderId, 'POST_ONLY_WOULD_TAKE');
    }
    const order: ModelOrder = {
      id: cmd.orderId,
      owner: cmd.owner,
      side: cmd.side,
      orderType: cmd.orderType,
      timeInForce: cmd.timeInForce ?? defaultTimeInForce(cmd.orderType),
      selfTrade: cmd.selfTrade ?? 'CANCEL_NEWEST',
      postOnly: cmd.postOnly === true,
      pending: isStop,
      trigger: null,
      price: cmd.price ?? null,
      stopPrice: cmd.stopPrice ?? null,
      limitPrice: cmd.limitPrice ?? null,
      quantity: cmd.quantity,
      remaining: cmd.quantity,
      priority: this.seq + 1,
    };
    this.emit({
      type: 'ACCEPTED',
      seq: this.next(),
      orderId: order.id,
      owner: order.owner,
      side: order.side,
      orderType: order.orderType,
      timeInForce: order.timeInForce,
      price: order.price as Price | null,
      stopPrice: order.stopPrice as Price | null,
      limitPrice: order.limitPrice as Price | null,
      quantity: order.quantity as Quantity,
      postOnly: order.postOnly,
      selfTrade: order.selfTrade,
    });
    if (isStop) {
      this.open.push(order);
    } else {
      this.runWithStops(order);
    }
    return this.out;
  }

  runStops(): EngineEvent[] {
    this.out = [];
    if (this.triggeredStops === 0) return this.reject('RUN_STOPS', null, 'NO_TRIGGERED_STOPS');
    this.runTriggered();
    return this.out;
  }

  cancel(orderId: OrderId): EngineEvent[] {
    this.out = [];
    if (!isPositiveId(orderId)) return this.reject('CANCEL', orderId, 'INVALID_ORDER_ID');
    const order = this.find(orderId);
    if (order === undefined) return this.reject('CANCEL', orderId, 'ORDER_NOT_FOUND');
    this.removeOpen(order);
    this.cancelled(order, 'USER');
    if (resting(order)) this.levelChanged(order.side, order.price!);
    return this.out;
  }

  amend(a: AmendOrder): EngineEvent[] {
    this.out = [];
    const code = validateAmend(a, this.limits);
    if (code !== null) return this.reject('AMEND', a.orderId, code);
    const o = this.find(a.orderId);
    if (o === undefined) return this.reject('AMEND', a.orderId, 'ORDER_NOT_FOUND');
    if (o.trigger !== null || amendNotApplicable(a, o.orderType, o.pending)) {
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
    if (o.pending && this.wouldTrigger(o.side, stopPrice!)) {
      return this.reject('AMEND', a.orderId, 'STOP_WOULD_TRIGGER');
    }
    if (o.postOnly && this.crosses(o.side, price!)) {
      return this.reject('AMEND', a.orderId, 'POST_ONLY_WOULD_TAKE');
    }
    const keptPriority = price === o.price && stopPrice === o.stopPrice && quantity < o.quantity;
    const oldPrice = o.price;
    o.quantity = quantity;
    o.remaining = quantity - filled;
    o.price = price;
    o.stopPrice = stopPrice;
    if (!keptPriority) o.priority = this.seq + 1;
    this.emit({
      type: 'AMENDED',
      seq: this.next(),
      orderId: o.id,
      owner: o.owner,
      side: o.side,
      price: o.price as Price | null,
      stopPrice: o.stopPrice as Price | null,
      quantity: o.quantity as Quantity,
      remaining: o.remaining as Quantity,
      keptPriority,
    });
    if (o.pending) return this.out;
    if (price === oldPrice) {
      this.levelChanged(o.side, oldPrice!);
      return this.out;
    }
    // A new price re-enters the book like a new order, and may trade.
    this.removeOpen(o);
    this.levelChanged(o.side, oldPrice!);
    this.runWithStops(o);
    return this.out;
  }

  endSession(time: Timestamp): EngineEvent[] {
    this.out = [];
    if (!Number.isSafeInteger(time) || time < 0) {
      return this.reject('END_SESSION', null, 'INVALID_TIME');
    }
    const expiring = this.open
      .filter((o) => o.timeInForce !== 'GTC')
      .sort((a, b) => a.priority - b.priority);
    for (const o of expiring) {
      this.removeOpen(o);
      this.emit({
        type: 'EXPIRED',
        seq: this.next(),
        orderId: o.id,
        owner: o.owner,
        side: o.side,
        quantity: o.remaining as Quantity,
        time,
      });
      if (resting(o)) this.levelChanged(o.side, o.price!);
    }
    this.emit({ type: 'SESSION_ENDED', seq: this.next(), time, expired: expiring.length });
    return this.out;
  }

  getOrder(orderId: OrderId): OpenOrder | undefined {
    const o = this.find(orderId);
    return o === undefined ? undefined : view(o);
  }

  openOrders(): OpenOrder[] {
    return [...this.open].sort((a, b) => a.priority - b.priority).map(view);
  }

  topOfBook(): TopOfBook {
    const d = this.depth(1);
    return { sequence: d.sequence, bid: d.bids[0] ?? null, ask: d.asks[0] ?? null };
  }

  depth(levels: number): BookDepth {
    return {
      sequence: this.seq as Sequence,
      bids: this.levels('BUY').slice(0, Math.max(0, levels)),
      asks: this.levels('SELL').slice(0, Math.max(0, levels)),
    };
  }

  restoreState(state: BookState): RestoreResult {
    if (this.seq !== 0 || this.open.length !== 0) return { ok: false, code: 'BOOK_NOT_EMPTY' };
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
    this.last = last;
    this.triggers = (state.triggers ?? []).map((t) => ({ ...t }));
    return { ok: true };
  }

  restore(r: OpenOrder): RestoreResult {
    const code = validateRestore(r, this.limits);
    if (code !== null) return { ok: false, code };
    if (this.find(r.orderId) !== undefined) return { ok: false, code: 'DUPLICATE_ORDER_ID' };
    if (r.priority > this.seq) return { ok: false, code: 'INVALID_SEQUENCE' };
    // A stop goes back to the first trigger check that met it, if one did.
    const trigger =
      r.status === 'RESTING'
        ? undefined
        : this.triggers.find(
            (t) =>
              r.priority <= t.sequence && stopTriggers(r.side === 'BUY', r.stopPrice!, t.lastPrice),
          );
    if (r.status === 'STOP_TRIGGERED' && trigger === undefined) {
      return { ok: false, code: 'INVALID_STATUS' };
    }
    const pending = r.status !== 'RESTING' && trigger === undefined;
    if (pending && this.wouldTrigger(r.side, r.stopPrice!)) {
      return { ok: false, code: 'STOP_WOULD_TRIGGER' };
    }
    if (r.status === 'RESTING' && this.crosses(r.side, r.price!)) {
      return { ok: false, code: 'RESTORE_WOULD_CROSS' };
    }
    const sameQueue = this.open.filter((o) =>
      trigger !== undefined
        ? o.trigger === trigger
        : pending
          ? o.pending && o.side === r.side && o.stopPrice === r.stopPrice
          : resting(o) && o.side === r.side && o.price === r.price,
    );
    if (sameQueue.some((o) => o.priority >= r.priority)) {
      return { ok: false, code: 'RESTORE_OUT_OF_ORDER' };
    }
    this.open.push({
      id: r.orderId,
      owner: r.owner,
      side: r.side,
      orderType: r.orderType,
      timeInForce: r.timeInForce,
      selfTrade: r.selfTrade,
      postOnly: r.postOnly,
      pending,
      trigger: trigger ?? null,
      price: r.price,
      stopPrice: r.stopPrice,
      limitPrice: r.limitPrice,
      quantity: r.quantity,
      remaining: r.remaining,
      priority: r.priority,
    });
    return { ok: true };
  }

  // -------------------------------------------------------------------------------------------

  private next(): Sequence {
    this.seq += 1;
    return this.seq as Sequence;
  }

  private emit(event: EngineEvent): void {
    this.out.push(event);
  }

  private reject(command: CommandKind, orderId: unknown, code: RejectCode): EngineEvent[] {
    this.emit({
      type: 'REJECTED',
      seq: this.next(),
      command,
      orderId: isPositiveId(orderId) ? (orderId as OrderId) : null,
      code,
    });
    return this.out;
  }

  private cancelled(o: ModelOrder, reason: CancelReason): void {
    this.emit({
      type: 'CANCELLED',
      seq: this.next(),
      orderId: o.id,
      owner: o.owner,
      side: o.side,
      quantity: o.remaining as Quantity,
      reason,
    });
  }

  private levelChanged(side: Side, price: number): void {
    const quantity = this.open
      .filter((o) => resting(o) && o.side === side && o.price === price)
      .reduce((sum, o) => sum + o.remaining, 0);
    this.emit({
      type: 'BOOK_LEVEL',
      seq: this.next(),
      side,
      price: price as Price,
      quantity: quantity as Quantity,
    });
  }

  private find(orderId: OrderId): ModelOrder | undefined {
    return this.open.find((o) => o.id === orderId);
  }

  private removeOpen(order: ModelOrder): void {
    this.open = this.open.filter((o) => o !== order);
  }

  /** Resting orders of one side, best price first, then time priority. */
  private queue(side: Side): ModelOrder[] {
    return this.open
      .filter((o) => resting(o) && o.side === side)
      .sort((a, b) =>
        a.price !== b.price
          ? side === 'BUY'
            ? b.price! - a.price!
            : a.price! - b.price!
          : a.priority - b.priority,
      );
  }

  private levels(side: Side): LevelView[] {
    const views: LevelView[] = [];
    for (const o of this.queue(side)) {
      const lastView = views[views.length - 1];
      if (lastView !== undefined && lastView.price === o.price) {
        views[views.length - 1] = {
          price: lastView.price,
          quantity: (lastView.quantity + o.remaining) as Quantity,
        };
      } else {
        views.push({ price: o.price as Price, quantity: o.remaining as Quantity });
      }
    }
    return views;
  }

  private crosses(side: Side, price: number): boolean {
    const best = this.queue(opposite(side))[0];
    if (best === undefined) return false;
    return side === 'BUY' ? best.price! <= price : best.price! >= price;
  }

  private wouldTrigger(side: Side, stopPrice: number): boolean {
    return this.last !== null && stopTriggers(side === 'BUY', stopPrice, this.last);
  }

  /** The prices a taker may trade at: its limit price, or a market order's collar if any. */
  private acceptable(taker: ModelOrder, price: number): boolean {
    const isMarket = taker.orderType === 'MARKET' || taker.orderType === 'STOP_LOSS';
    const bound = isMarket ? taker.limitPrice : taker.price;
    if (bound === null) return true;
    return taker.side === 'BUY' ? price <= bound : price >= bound;
  }

  /** Fill-or-kill rule (see order-book.ts): walk as matching would, with STP applied. */
  private fillable(taker: ModelOrder): boolean {
    let need = taker.remaining;
    for (const maker of this.queue(opposite(taker.side))) {
      if (!this.acceptable(taker, maker.price!)) return false;
      if (maker.owner === taker.owner) {
        if (taker.selfTrade === 'CANCEL_OLDEST') continue;
        return false;
      }
      need -= maker.remaining;
      if (need <= 0) return true;
    }
    return false;
  }

  /** Runs a taker; if it traded, triggers what it met and runs this command's slice of stops. */
  private runWithStops(taker: ModelOrder): void {
    if (!this.run(taker)) return;
    this.trigger();
    this.runTriggered();
  }

  /** Runs the oldest triggered stops, one at a time, up to `stopsPerCommand` of them. */
  private runTriggered(): void {
    for (let ran = 0; ran < this.stopsPerCommand; ran++) {
      const [order] = this.open
        .filter((o) => o.trigger !== null)
        .sort((a, b) => a.trigger!.sequence - b.trigger!.sequence || a.priority - b.priority);
      if (order === undefined) return;
      const { lastPrice } = order.trigger!;
      this.removeOpen(order);
      order.trigger = null;
      order.priority = this.seq + 1;
      this.emit({
        type: 'STOP_TRIGGERED',
        seq: this.next(),
        orderId: order.id,
        owner: order.owner,
        side: order.side,
        stopPrice: order.stopPrice as Price,
        lastPrice,
      });
      if (this.run(order)) this.trigger();
    }
  }

  /** Queues every pending stop the last price meets, as one trigger check. */
  private trigger(): void {
    const last = this.last;
    if (last === null) return;
    const hit = this.open.filter(
      (o) => o.pending && stopTriggers(o.side === 'BUY', o.stopPrice!, last),
    );
    if (hit.length === 0) return;
    const trigger = { sequence: this.seq as Sequence, lastPrice: last as Price };
    this.triggers.push(trigger);
    for (const order of hit) {
      order.pending = false;
      order.trigger = trigger;
    }
  }

  /** One taker: FOK check, match, then rest or cancel the remainder. Returns whether it traded. */
  private run(taker: ModelOrder): boolean {
    const isMarket = taker.orderType === 'MARKET' || taker.orderType === 'STOP_LOSS';
    if (taker.timeInForce === 'FOK' && !this.fillable(taker)) {
      this.cancelled(taker, 'FOK');
      return false;
    }
    let traded = false;
    let levelPrice: number | null = null;
    let levelTouched = false;
    let selfTradeStop = false;
    const makerSide = opposite(taker.side);
    while (taker.remaining > 0) {
      const maker = this.queue(makerSide)[0];
      if (maker === undefined || !this.acceptable(taker, maker.price!)) break;
      if (maker.price !== levelPrice) {
        if (levelTouched) this.levelChanged(makerSide, levelPrice!);
        levelPrice = maker.price;
        levelTouched = false;
      }
      if (maker.owner === taker.owner) {
        if (taker.selfTrade === 'CANCEL_NEWEST') {
          selfTradeStop = true;
          break;
        }
        this.removeOpen(maker);
        this.cancelled(maker, 'SELF_TRADE');
        levelTouched = true;
        if (taker.selfTrade === 'CANCEL_BOTH') {
          selfTradeStop = true;
          break;
        }
        continue;
      }
      const quantity = Math.min(taker.remaining, maker.remaining);
      maker.remaining -= quantity;
      taker.remaining -= quantity;
      traded = true;
      this.last = maker.price;
      this.emit({
        type: 'FILL',
        seq: this.next(),
        makerOrderId: maker.id,
        takerOrderId: taker.id,
        makerOwner: maker.owner,
        takerOwner: taker.owner,
        price: maker.price as Price,
        quantity: quantity as Quantity,
        aggressor: taker.side,
        makerRemaining: maker.remaining as Quantity,
        takerRemaining: taker.remaining as Quantity,
      });
      levelTouched = true;
      if (maker.remaining === 0) this.removeOpen(maker);
    }
    if (levelTouched) this.levelChanged(makerSide, levelPrice!);
    if (selfTradeStop) {
      this.cancelled(taker, 'SELF_TRADE');
      return traded;
    }
    if (taker.remaining === 0) return traded;
    if (isMarket) {
      const liquidityLeft = this.queue(makerSide).length > 0;
      this.cancelled(taker, liquidityLeft ? 'PRICE_PROTECTION' : 'MARKET_NO_LIQUIDITY');
    } else if (taker.timeInForce === 'IOC') {
      this.cancelled(taker, 'IOC_REMAINDER');
    } else if (taker.timeInForce === 'FOK') {
      this.cancelled(taker, 'FOK');
    } else {
      this.open.push(taker);
      this.levelChanged(taker.side, taker.price!);
    }
    return traded;
  }
}

/** In the visible book: neither waiting for a trigger nor queued after one. */
const resting = (o: ModelOrder): boolean => !o.pending && o.trigger === null;

function status(o: ModelOrder): OrderStatus {
  return o.pending ? 'STOP_PENDING' : o.trigger !== null ? 'STOP_TRIGGERED' : 'RESTING';
}

function view(o: ModelOrder): OpenOrder {
  return {
    orderId: o.id,
    owner: o.owner,
    side: o.side,
    orderType: o.orderType,
    timeInForce: o.timeInForce,
    status: status(o),
    price: o.price as Price | null,
    stopPrice: o.stopPrice as Price | null,
    limitPrice: o.limitPrice as Price | null,
    quantity: o.quantity as Quantity,
    remaining: o.remaining as Quantity,
    postOnly: o.postOnly,
    selfTrade: o.selfTrade,
    priority: o.priority as Sequence,
  };
}
