// The sequencer: the single writer of every book and the ledger. Each command runs risk check,
// hold, match, settle and release synchronously, with no await between a balance check and its
// effect, so concurrent requests cannot double-spend. Its changes then go to the journal, and
// the caller hears back (and subscribers see the events) only once they are durable. A trade
// that triggers many stops runs a bounded slice of them; the rest run as further commands, one
// slice per turn of the event loop, so other requests go in between. A failed write stops it
// until recovery has loaded the database's state again (`reset`, then `resume`).

import {
  OrderBook,
  asOrderId,
  asOwnerId,
  asPrice,
  asQuantity,
  asTimestamp,
  type BookState,
  type EngineEvent,
  type OrderFilled,
  type PlaceOrder,
  type RejectCode,
  type SelfTradePrevention,
} from '../engine/index.ts';
import { ApiError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { NO_FEES_ACCRUED, accrueFee, buyHoldRemaining } from '../ledger/fees.ts';
import type { LedgerResult } from '../ledger/types.ts';
import type { OrderMode, Side, SymbolStatus, TimeInForce } from '../store/schema.ts';
import type { TradeWrite, WriteBatch } from '../store/trading.repo.ts';
import { ClientOrderIds, DEFAULT_CLIENT_ORDER_WINDOW } from './client-order-ids.ts';
import { buyCollar, sellCollar } from './collar.ts';
import { LatencySamples } from './latency-samples.ts';
import { adjustmentRef, orderRef, tradeRef } from './ledger-refs.ts';
import { JournalFailure, emptyBatch, type Journal } from './journal.ts';
import {
  boundingPrice,
  isOpen,
  liveOrderView,
  orderFacts,
  orderRow,
  orderView,
  type LiveOrder,
  type OrderFacts,
  type OrderView,
} from './orders.ts';

export const CASH = 'INR';

export interface ExchangeOptions {
  feeAccount: number;
  makerFeeBps: number;
  takerFeeBps: number;
  /** How far above the best ask a market buy may fill (and below the best bid a market sell). */
  marketCollarBps: number;
  /** How far from the last price (or the reference price) a limit or stop price may be. */
  priceBandBps: number;
  now: () => number;
  /** How many closed orders keep their client order id in memory (default 1,024). */
  clientOrderWindow?: number | undefined;
  /** How many triggered stops one command runs (default: the engine's, 64). */
  stopsPerCommand?: number | undefined;
}

/** Where the sequencer finds orders whose client order id has left memory (the repository). */
export interface StoredOrders {
  orderOfUserByClientId(userId: number, clientOrderId: string): Promise<OrderFacts | undefined>;
}

export interface Listing {
  symbol: string;
  name: string;
  tickSize: number;
  referencePrice: number;
  status: SymbolStatus;
}

export interface Market extends Listing {
  readonly book: OrderBook;
}

export interface OrderRequest {
  symbol: string;
  side: Side;
  mode: OrderMode;
  quantity: number;
  price?: number | undefined;
  stopPrice?: number | undefined;
  timeInForce?: TimeInForce | undefined;
  postOnly?: boolean | undefined;
  clientOrderId?: string | undefined;
  selfTrade?: SelfTradePrevention | undefined;
}

export interface AmendRequest {
  quantity?: number | undefined;
  price?: number | undefined;
  stopPrice?: number | undefined;
}

/** Why the exchange refused a command; each maps to one error code of the API. */
export type TradingCode =
  | 'UNKNOWN_SYMBOL'
  | 'MARKET_HALTED'
  | 'PRICE_NOT_ON_TICK'
  | 'PRICE_OUT_OF_BAND'
  | 'INSUFFICIENT_FUNDS'
  | 'INSUFFICIENT_SHARES'
  | 'ORDER_NOT_FOUND'
  | 'ORDER_NOT_OPEN'
  | 'INVALID_ORDER'
  | 'POST_ONLY_WOULD_TAKE'
  | 'STOP_WOULD_TRIGGER'
  | 'AMEND_NO_CHANGE'
  | 'TRADING_UNAVAILABLE';

export type Refusal = { ok: false; code: TradingCode; message: string };

export interface Fill {
  trade_id: number;
  price: number;
  quantity: number;
  fee: number;
  liquidity: 'MAKER' | 'TAKER';
}

export type OrderOutcome =
  { ok: true; order: OrderView; fills: Fill[]; duplicate: boolean } | Refusal;

/** What subscribers see after a command is durable. */
export type Published =
  | { kind: 'book'; symbol: string; prevSequence: number; sequence: number; events: EngineEvent[] }
  | { kind: 'trade'; symbol: string; trade: TradeWrite }
  /** The order's facts, not its API view: formatting belongs to whoever shows it. */
  | { kind: 'order'; userId: number; order: OrderFacts }
  | { kind: 'balance'; userId: number; asset: string; available: number; held: number }
  | { kind: 'status'; symbol: string; status: SymbolStatus };

export type Subscriber = (events: readonly Published[]) => void;

/** A command's effects: what to write, what to publish, and what to answer. */
interface Step<T> {
  result: T;
  batch: WriteBatch | undefined;
  /** The client-order-id generation the batch closes (see ClientOrderIds.seal). */
  generation: number;
  published: Published[];
}

const refuse = (code: TradingCode, message: string): Refusal => ({ ok: false, code, message });

/** A command that changed nothing: no batch to write, nothing to publish. */
const unchanged = <T>(result: T): Step<T> => ({
  result,
  batch: undefined,
  generation: 0,
  published: [],
});

/**
 * The answer to a command whose batch the journal could not confirm. A failed transaction may
 * have committed all the same (a connection lost after COMMIT), so unless it never reached the
 * database the caller hears that the outcome is unknown, and how to find it out.
 */
function unrecorded(error: unknown): ApiError {
  if (error instanceof JournalFailure && error.outcome === 'not-written') {
    return new ApiError(
      'TRADING_UNAVAILABLE',
      'the exchange could not record this, so it did not take effect; trading resumes once the database answers again: try again in a few seconds',
    );
  }
  return new ApiError(
    'TRADING_UNAVAILABLE',
    'the exchange could not confirm that this was recorded, so it may or may not have taken effect: once trading resumes, check your open orders and balances before you retry (a retry with the same client_order_id cannot place a second order)',
  );
}

const ENGINE_CODES: Partial<Record<RejectCode, TradingCode>> = {
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  STOP_WOULD_TRIGGER: 'STOP_WOULD_TRIGGER',
  AMEND_NO_CHANGE: 'AMEND_NO_CHANGE',
  ORDER_NOT_FOUND: 'ORDER_NOT_OPEN',
};

function engineRefusal(code: RejectCode): Refusal {
  const mapped = ENGINE_CODES[code];
  const messages: Partial<Record<TradingCode, string>> = {
    POST_ONLY_WOULD_TAKE: 'a post-only order would have taken liquidity',
    STOP_WOULD_TRIGGER: 'the stop price is already crossed by the last trade',
    AMEND_NO_CHANGE: 'the amendment changes nothing',
    ORDER_NOT_OPEN: 'the order is no longer open',
  };
  return mapped === undefined
    ? refuse('INVALID_ORDER', `the order was refused (${code.toLowerCase().replaceAll('_', ' ')})`)
    : refuse(mapped, messages[mapped] ?? code);
}

/** Collects what one command changed, to build its journal batch. */
class Changes {
  readonly orders = new Map<number, LiveOrder>();
  readonly trades: TradeWrite[] = [];
  readonly balances = new Set<string>();
  readonly symbols = new Set<string>();
  /** Registered accounts this command opens. */
  readonly openings: number[] = [];
  readonly published: Published[] = [];
}

export class Exchange {
  private readonly markets = new Map<string, Market>();
  /** Open orders, plus orders closed by the command in progress. */
  private readonly orders = new Map<number, LiveOrder>();
  /** Client order ids of open and recently closed orders; older ones are in the database. */
  private readonly clientOrderIds: ClientOrderIds;
  private readonly subscribers: Subscriber[] = [];
  private nextOrderId = 1;
  private nextTradeId = 1;
  private stopped: string | undefined;
  /** The next slice of triggered stops of each market that has one waiting. */
  private readonly slices = new Map<string, NodeJS.Immediate>();
  private closed = false;
  /**
   * How long a command holds the sequencer (placing an order: risk, match, settle; or a slice of
   * triggered stops), for the System page.
   */
  readonly matching = new LatencySamples();

  constructor(
    readonly ledger: Ledger,
    private readonly journal: Journal,
    private readonly options: ExchangeOptions,
    private readonly stored: StoredOrders,
  ) {
    this.clientOrderIds = new ClientOrderIds(
      options.clientOrderWindow ?? DEFAULT_CLIENT_ORDER_WINDOW,
    );
  }

  // --- setup and recovery -----------------------------------------------------------------

  /** Lists a symbol, with its book's recovered state; the code if the book refuses that state. */
  list(listing: Listing, state?: BookState): RejectCode | undefined {
    const { stopsPerCommand } = this.options;
    const book = new OrderBook(stopsPerCommand === undefined ? {} : { stopsPerCommand });
    this.markets.set(listing.symbol, { ...listing, book });
    if (state === undefined || state.sequence === 0) return undefined;
    const restored = book.restoreState(state);
    return restored.ok ? undefined : restored.code;
  }

  /** Puts a recovered open order back in its book; false if the book refuses it. */
  restoreOrder(order: LiveOrder): RejectCode | undefined {
    const market = this.markets.get(order.symbol);
    if (market === undefined) return 'INVALID_ORDER_ID';
    const restored = market.book.restore({
      orderId: asOrderId(order.id),
      owner: asOwnerId(order.userId),
      side: order.side,
      orderType: order.mode,
      timeInForce: order.timeInForce,
      status: order.status === 'PENDING_TRIGGER' ? 'STOP_PENDING' : 'RESTING',
      price: order.price === null ? null : asPrice(order.price),
      stopPrice: order.stopPrice === null ? null : asPrice(order.stopPrice),
      limitPrice: order.limitPrice === null ? null : asPrice(order.limitPrice),
      quantity: asQuantity(order.quantity),
      remaining: asQuantity(order.quantity - order.filled),
      postOnly: order.postOnly,
      selfTrade: order.selfTrade,
      priority: order.sequence as never,
    });
    if (!restored.ok) return restored.code;
    this.orders.set(order.id, order);
    this.clientOrderIds.track(order);
    return undefined;
  }

  setHighWaterMarks(marks: { order: number; trade: number }): void {
    this.nextOrderId = marks.order + 1;
    this.nextTradeId = marks.trade + 1;
  }

  /** Refuses every command from now on, with this reason (a failed journal or recovery check). */
  stop(reason: string): void {
    this.stopped ??= reason;
  }

  /** Takes commands again, once recovery from the database has vouched for the state. */
  resume(): void {
    this.stopped = undefined;
  }

  /**
   * Forgets every book, order, balance and client order id, for recovery to load the database's
   * again: after a failed write, memory may hold commands the database lacks (or, when the write
   * landed after all, miss nothing), and only the database can say which.
   */
  reset(): void {
    if (this.stopped === undefined) throw new Error('only a stopped exchange can be reset');
    for (const slice of this.slices.values()) clearImmediate(slice);
    this.slices.clear();
    this.markets.clear();
    this.orders.clear();
    this.clientOrderIds.clear();
    this.ledger.clear();
  }

  /** Runs the triggered stops recovery put back in their books' queues. */
  resumeStops(): void {
    for (const market of this.markets.values()) this.scheduleStops(market);
  }

  /** Runs no more slices; the stops still queued run after a restart (see `resumeStops`). */
  close(): void {
    this.closed = true;
    for (const slice of this.slices.values()) clearImmediate(slice);
    this.slices.clear();
  }

  get stoppedReason(): string | undefined {
    return this.stopped;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const i = this.subscribers.indexOf(subscriber);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  // --- reads ------------------------------------------------------------------------------

  market(symbol: string): Market | undefined {
    return this.markets.get(symbol);
  }

  allMarkets(): Market[] {
    return [...this.markets.values()];
  }

  openOrders(): LiveOrder[] {
    return [...this.orders.values()].filter(isOpen);
  }

  /** What open orders need held, per account and asset, for the ledger invariant. */
  expectedHolds(): (account: number, asset: string) => number {
    const holds = new Map<string, number>();
    for (const order of this.openOrders()) {
      const key = `${order.userId}:${order.side === 'BUY' ? CASH : order.symbol}`;
      holds.set(key, (holds.get(key) ?? 0) + order.held);
    }
    return (account, asset) => holds.get(`${account}:${asset}`) ?? 0;
  }

  /** Client order ids held in memory: every open order's, plus a bounded window of closed ones. */
  get clientOrderIdsInMemory(): number {
    return this.clientOrderIds.size;
  }

  // --- commands ---------------------------------------------------------------------------

  async placeOrder(userId: number, request: OrderRequest): Promise<OrderOutcome> {
    const id = request.clientOrderId;
    // An id that left memory is in the database. The lookup awaits, so the step below runs only
    // once no id the lookup may have missed (closed by a batch not yet written) left memory
    // since; `place` then finds any id still in memory, an order placed meanwhile included.
    while (id !== undefined && this.clientOrderIds.find(userId, id) === undefined) {
      const mark = this.clientOrderIds.mark();
      const earlier = await this.stored.orderOfUserByClientId(userId, id);
      if (earlier !== undefined)
        return { ok: true, order: orderView(earlier), fills: [], duplicate: true };
      if (!this.clientOrderIds.overtaken(mark)) break;
    }
    const started = performance.now();
    const step = this.place(userId, request);
    this.matching.record(performance.now() - started);
    return this.run(step);
  }

  async cancelOrder(userId: number, orderId: number): Promise<OrderOutcome> {
    return this.run(this.cancel(userId, orderId));
  }

  async amendOrder(userId: number, orderId: number, amend: AmendRequest): Promise<OrderOutcome> {
    return this.run(this.amend(userId, orderId, amend));
  }

  /** Expires every DAY order in every book. */
  async endSession(): Promise<number> {
    return this.run(this.expireDayOrders());
  }

  /**
   * Credits (positive) or debits (negative) an account with a reason: an administrator's
   * adjustment when `by` names them, else the venue's own funding (a starting balance).
   */
  async adjust(
    userId: number,
    asset: string,
    amount: number,
    reason: string,
    by?: number,
  ): Promise<LedgerResult> {
    return this.run(this.adjustNow(userId, asset, amount, adjustmentRef(reason, by)));
  }

  /**
   * Opens a registered account: credits its starting cash and marks it opened in one journal
   * write, so a crash leaves it either opened with its cash or unopened without it.
   */
  async openAccount(userId: number, cash: number): Promise<{ ok: true } | Refusal> {
    return this.run(this.openNow(userId, cash));
  }

  /** Halts or resumes a symbol whose new status the caller has stored; subscribers hear of it. */
  setStatus(symbol: string, status: SymbolStatus): boolean {
    const market = this.markets.get(symbol);
    if (market === undefined) return false;
    market.status = status;
    this.scheduleStops(market);
    for (const subscriber of this.subscribers) subscriber([{ kind: 'status', symbol, status }]);
    return true;
  }

  private async run<T>(step: Step<T>): Promise<T> {
    if (step.batch !== undefined) {
      try {
        await this.journal.commit(step.batch);
        this.clientOrderIds.durable(step.generation);
      } catch (error) {
        // Not durable, so not acknowledged; the journal's failure handler has stopped trading.
        throw unrecorded(error);
      }
      for (const subscriber of this.subscribers) subscriber(step.published);
    }
    return step.result;
  }

  private place(userId: number, request: OrderRequest): Step<OrderOutcome> {
    if (this.stopped !== undefined) return unchanged(refuse('TRADING_UNAVAILABLE', this.stopped));
    if (request.clientOrderId !== undefined) {
      const existing = this.clientOrderIds.find(userId, request.clientOrderId);
      if (existing !== undefined)
        return unchanged({ ok: true, order: liveOrderView(existing), fills: [], duplicate: true });
    }
    const market = this.markets.get(request.symbol);
    if (market === undefined)
      return unchanged(refuse('UNKNOWN_SYMBOL', `no symbol ${request.symbol}`));
    if (market.status !== 'ACTIVE')
      return unchanged(refuse('MARKET_HALTED', `${market.symbol} is halted`));
    const priced = this.checkPrices(market, request.price, request.stopPrice);
    if (priced !== undefined) return unchanged(priced);

    const now = this.options.now();
    const limitPrice = this.collar(market, request);
    const order: LiveOrder = {
      id: this.nextOrderId,
      userId,
      clientOrderId: request.clientOrderId ?? null,
      symbol: market.symbol,
      side: request.side,
      mode: request.mode,
      timeInForce: request.timeInForce ?? (request.mode === 'MARKET' ? 'IOC' : 'GTC'),
      price: request.price ?? null,
      stopPrice: request.stopPrice ?? null,
      limitPrice,
      quantity: request.quantity,
      filled: 0,
      filledNotional: 0,
      feesPaid: 0,
      feeAccrual: NO_FEES_ACCRUED,
      held: 0,
      status: 'OPEN',
      cancelReason: null,
      sequence: 0,
      postOnly: request.postOnly ?? false,
      selfTrade: request.selfTrade ?? 'CANCEL_NEWEST',
      createdAt: now,
      updatedAt: now,
    };
    const needed = this.holdFor(order, order.quantity);
    if (needed === undefined)
      return unchanged(refuse('INVALID_ORDER', 'price times quantity is too large'));
    const held = this.ledger.hold(userId, this.heldAsset(order), needed, orderRef(order.id));
    if (!held.ok) {
      return unchanged(
        held.code === 'INSUFFICIENT_FUNDS' || held.code === 'INSUFFICIENT_SHARES'
          ? refuse(
              held.code,
              held.code === 'INSUFFICIENT_FUNDS'
                ? 'not enough cash available'
                : 'not enough shares available',
            )
          : refuse('INVALID_ORDER', `the order cannot be held (${held.code})`),
      );
    }
    this.nextOrderId += 1;
    order.held = needed;
    this.orders.set(order.id, order);

    const changes = new Changes();
    changes.orders.set(order.id, order);
    changes.balances.add(`${userId}:${this.heldAsset(order)}`);
    const command: PlaceOrder = {
      orderId: asOrderId(order.id),
      owner: asOwnerId(userId),
      side: order.side,
      orderType: order.mode,
      quantity: asQuantity(order.quantity),
      ...(order.price === null ? {} : { price: asPrice(order.price) }),
      ...(order.stopPrice === null ? {} : { stopPrice: asPrice(order.stopPrice) }),
      ...(order.limitPrice === null ? {} : { limitPrice: asPrice(order.limitPrice) }),
      timeInForce: order.timeInForce,
      postOnly: order.postOnly,
      selfTrade: order.selfTrade,
    };
    const prev = market.book.sequence;
    const events = market.book.place(command);
    const rejection = events.find((e) => e.type === 'REJECTED' && e.orderId === order.id);
    if (rejection?.type === 'REJECTED') {
      order.status = 'REJECTED';
      order.cancelReason = rejection.code;
      this.releaseAll(order, changes);
    }
    const fills = this.apply(market, events, changes, now, order.id);
    const result: OrderOutcome =
      rejection?.type === 'REJECTED'
        ? engineRefusal(rejection.code)
        : { ok: true, order: liveOrderView(order), fills, duplicate: false };
    return this.finish(market, prev, events, changes, now, result);
  }

  /** Runs the market's next slice of triggered stops after a turn of the event loop. */
  private scheduleStops(market: Market): void {
    if (this.closed || market.book.triggeredStops === 0 || this.slices.has(market.symbol)) return;
    const slice = setImmediate(() => {
      this.slices.delete(market.symbol);
      const started = performance.now();
      let step: Step<number>;
      try {
        step = this.runStops(market);
      } catch (error) {
        // Memory may be ahead of the journal now, as after a failed write.
        const reason = error instanceof Error ? error.message : String(error);
        this.stop(`triggered stops of ${market.symbol} failed (${reason}); trading stopped`);
        return;
      }
      this.matching.record(performance.now() - started);
      // There is no caller to answer: a failed write has stopped trading, which says why.
      this.run(step).catch(() => undefined);
    });
    this.slices.set(market.symbol, slice);
  }

  /** One slice of the market's triggered stops; the answer is how many entered the book. */
  private runStops(market: Market): Step<number> {
    // A halted market keeps its queue until it resumes; a stopped exchange runs nothing.
    if (this.stopped !== undefined || market.status !== 'ACTIVE') return unchanged(0);
    const now = this.options.now();
    const changes = new Changes();
    const prev = market.book.sequence;
    const events = market.book.runStops();
    this.apply(market, events, changes, now, undefined);
    const ran = events.filter((e) => e.type === 'STOP_TRIGGERED').length;
    return this.finish(market, prev, events, changes, now, ran);
  }

  /** The caller's own open order and its market, or the refusal to answer instead. */
  private ownOpenOrder(
    userId: number,
    orderId: number,
  ): { order: LiveOrder; market: Market } | Refusal {
    if (this.stopped !== undefined) return refuse('TRADING_UNAVAILABLE', this.stopped);
    const order = this.orders.get(orderId);
    const market = order === undefined ? undefined : this.markets.get(order.symbol);
    if (order === undefined || market === undefined || order.userId !== userId) {
      return refuse('ORDER_NOT_FOUND', 'no such open order');
    }
    return { order, market };
  }

  private cancel(userId: number, orderId: number): Step<OrderOutcome> {
    const own = this.ownOpenOrder(userId, orderId);
    if ('ok' in own) return unchanged(own);
    const { order, market } = own;
    const now = this.options.now();
    const changes = new Changes();
    const prev = market.book.sequence;
    const events = market.book.cancel(asOrderId(orderId));
    const rejection = events.find((e) => e.type === 'REJECTED');
    this.apply(market, events, changes, now, undefined);
    const result: OrderOutcome =
      rejection?.type === 'REJECTED'
        ? engineRefusal(rejection.code)
        : { ok: true, order: liveOrderView(order), fills: [], duplicate: false };
    return this.finish(market, prev, events, changes, now, result);
  }

  private amend(userId: number, orderId: number, request: AmendRequest): Step<OrderOutcome> {
    const own = this.ownOpenOrder(userId, orderId);
    if ('ok' in own) return unchanged(own);
    const { order, market } = own;
    if (market.status !== 'ACTIVE')
      return unchanged(refuse('MARKET_HALTED', `${market.symbol} is halted`));
    const priced = this.checkPrices(market, request.price, request.stopPrice);
    if (priced !== undefined) return unchanged(priced);
    const quantity = request.quantity ?? order.quantity;
    if (quantity <= order.filled) {
      return unchanged(
        refuse('INVALID_ORDER', `quantity must exceed the ${order.filled} already filled`),
      );
    }

    // Hold any extra the amended order needs before the book sees it.
    const now = this.options.now();
    const changes = new Changes();
    const asset = this.heldAsset(order);
    const target = this.holdFor(
      { ...order, price: request.price ?? order.price },
      quantity - order.filled,
    );
    if (target === undefined)
      return unchanged(refuse('INVALID_ORDER', 'price times quantity is too large'));
    const extra = target - order.held;
    if (extra > 0) {
      const held = this.ledger.hold(userId, asset, extra, orderRef(order.id));
      if (!held.ok) {
        return unchanged(
          refuse(
            held.code === 'INSUFFICIENT_SHARES' ? 'INSUFFICIENT_SHARES' : 'INSUFFICIENT_FUNDS',
            'not enough available to enlarge the order',
          ),
        );
      }
      order.held += extra;
      changes.balances.add(`${userId}:${asset}`);
    }
    const prev = market.book.sequence;
    const events = market.book.amend({
      orderId: asOrderId(orderId),
      ...(request.quantity === undefined ? {} : { quantity: asQuantity(request.quantity) }),
      ...(request.price === undefined ? {} : { price: asPrice(request.price) }),
      ...(request.stopPrice === undefined ? {} : { stopPrice: asPrice(request.stopPrice) }),
    });
    const rejection = events.find((e) => e.type === 'REJECTED');
    changes.orders.set(order.id, order);
    const fills = this.apply(market, events, changes, now, order.id);
    // Whatever the outcome, the order now holds exactly what its open part needs.
    this.trimHold(order, changes);
    const result: OrderOutcome =
      rejection?.type === 'REJECTED'
        ? engineRefusal(rejection.code)
        : { ok: true, order: liveOrderView(order), fills, duplicate: false };
    return this.finish(market, prev, events, changes, now, result);
  }

  private expireDayOrders(): Step<number> {
    if (this.stopped !== undefined) return unchanged(0);
    const now = this.options.now();
    const changes = new Changes();
    let expired = 0;
    for (const market of this.markets.values()) {
      const prev = market.book.sequence;
      const events = market.book.endSession(asTimestamp(now));
      this.apply(market, events, changes, now, undefined);
      expired += events.filter((e) => e.type === 'EXPIRED').length;
      this.publishBook(market, prev, events, changes);
    }
    return this.changed(expired, changes, now);
  }

  private adjustNow(
    userId: number,
    asset: string,
    amount: number,
    ref: string,
  ): Step<LedgerResult> {
    // A stopped exchange takes no deposits either: memory may be ahead of the database.
    if (this.stopped !== undefined)
      return unchanged<LedgerResult>({ ok: false, code: 'INVALID_ACCOUNT' });
    const result =
      amount >= 0
        ? this.ledger.deposit(userId, asset, amount, ref)
        : this.ledger.withdraw(userId, asset, -amount, ref);
    if (!result.ok) return unchanged(result);
    const changes = new Changes();
    changes.balances.add(`${userId}:${asset}`);
    return this.changed(result, changes, this.options.now());
  }

  private openNow(userId: number, cash: number): Step<{ ok: true } | Refusal> {
    if (this.stopped !== undefined) return unchanged(refuse('TRADING_UNAVAILABLE', this.stopped));
    const changes = new Changes();
    if (cash > 0) {
      const deposited = this.ledger.deposit(userId, CASH, cash, adjustmentRef('starting balance'));
      if (!deposited.ok)
        return unchanged(
          refuse('INVALID_ORDER', `the starting cash was refused (${deposited.code})`),
        );
      changes.balances.add(`${userId}:${CASH}`);
    }
    changes.openings.push(userId);
    return this.changed({ ok: true }, changes, this.options.now());
  }

  // --- the effects of engine events ----------------------------------------------------------

  /**
   * Applies a command's engine events to orders and the ledger, in sequence order. Returns the
   * fills of `focus` (the order the command was about).
   */
  private apply(
    market: Market,
    events: readonly EngineEvent[],
    changes: Changes,
    now: number,
    focus: number | undefined,
  ): Fill[] {
    const fills: Fill[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'ACCEPTED': {
          const order = this.touch(event.orderId, changes, now);
          order.sequence = event.seq;
          order.status =
            order.mode === 'STOP_LOSS' || order.mode === 'STOP_LIMIT' ? 'PENDING_TRIGGER' : 'OPEN';
          break;
        }
        case 'STOP_TRIGGERED': {
          const order = this.touch(event.orderId, changes, now);
          order.status = 'OPEN';
          order.sequence = event.seq;
          break;
        }
        case 'AMENDED': {
          const order = this.touch(event.orderId, changes, now);
          order.quantity = event.quantity;
          order.price = event.price;
          order.stopPrice = event.stopPrice;
          if (!event.keptPriority) order.sequence = event.seq;
          break;
        }
        case 'FILL': {
          const fill = this.settle(market, event, changes, now);
          if (event.takerOrderId === focus)
            fills.push({ ...fill, liquidity: 'TAKER', fee: fill.takerFee });
          if (event.makerOrderId === focus)
            fills.push({ ...fill, liquidity: 'MAKER', fee: fill.makerFee });
          break;
        }
        case 'CANCELLED':
        case 'EXPIRED': {
          const order = this.touch(event.orderId, changes, now);
          order.status = event.type === 'CANCELLED' ? 'CANCELLED' : 'EXPIRED';
          order.cancelReason = event.type === 'CANCELLED' ? event.reason : 'DAY_END';
          this.releaseAll(order, changes);
          break;
        }
        case 'BOOK_LEVEL':
        case 'REJECTED':
        case 'SESSION_ENDED':
          break;
      }
    }
    return fills;
  }

  private settle(
    market: Market,
    fill: OrderFilled,
    changes: Changes,
    now: number,
  ): { trade_id: number; price: number; quantity: number; makerFee: number; takerFee: number } {
    const maker = this.touch(fill.makerOrderId, changes, now);
    const taker = this.touch(fill.takerOrderId, changes, now);
    const notional = fill.price * fill.quantity;
    const makerFee = this.charge(maker, notional, this.options.makerFeeBps);
    const takerFee = this.charge(taker, notional, this.options.takerFeeBps);
    const [buy, sell] = taker.side === 'BUY' ? [taker, maker] : [maker, taker];
    const buyerFee = buy === taker ? takerFee : makerFee;
    const sellerFee = sell === taker ? takerFee : makerFee;
    const tradeId = this.nextTradeId++;
    const settled = this.ledger.settleTrade({
      buyer: buy.userId,
      seller: sell.userId,
      symbol: market.symbol,
      quantity: fill.quantity,
      price: fill.price,
      buyerFee,
      sellerFee,
      ref: tradeRef(tradeId),
    });
    if (!settled.ok) {
      // Holds are sized so this cannot happen; if it does, state is wrong and trading must stop.
      this.stop(`settlement of trade ${tradeId} failed (${settled.code}); trading stopped`);
      throw new Error(`settlement failed: ${settled.code}`);
    }
    for (const order of [buy, sell]) {
      order.filled += fill.quantity;
      order.filledNotional += notional;
      order.status = order.filled === order.quantity ? 'FILLED' : 'PARTIALLY_FILLED';
    }
    buy.held -= notional + buyerFee;
    sell.held -= fill.quantity;
    for (const order of [buy, sell]) {
      if (order.status === 'FILLED') this.releaseAll(order, changes);
      else this.trimHold(order, changes);
    }
    changes.balances.add(`${buy.userId}:${CASH}`).add(`${buy.userId}:${market.symbol}`);
    changes.balances.add(`${sell.userId}:${CASH}`).add(`${sell.userId}:${market.symbol}`);
    changes.balances.add(`${this.options.feeAccount}:${CASH}`);
    const trade: TradeWrite = {
      id: tradeId,
      symbol: market.symbol,
      price: fill.price,
      quantity: fill.quantity,
      buy_order_id: buy.id,
      sell_order_id: sell.id,
      buyer_id: buy.userId,
      seller_id: sell.userId,
      aggressor_side: fill.aggressor,
      buyer_fee: buyerFee,
      seller_fee: sellerFee,
      sequence: fill.seq,
      created_at: now,
    };
    changes.trades.push(trade);
    changes.published.push({ kind: 'trade', symbol: market.symbol, trade });
    return { trade_id: tradeId, price: fill.price, quantity: fill.quantity, makerFee, takerFee };
  }

  /** The fee for one fill of `order`, accrued so its total rounds up once, not per fill. */
  private charge(order: LiveOrder, notional: number, bps: number): number {
    const { fee, accrual } = accrueFee(order.feeAccrual, notional, bps);
    order.feeAccrual = accrual;
    order.feesPaid += fee;
    return fee;
  }

  // --- holds --------------------------------------------------------------------------------

  private heldAsset(order: LiveOrder): string {
    return order.side === 'BUY' ? CASH : order.symbol;
  }

  /** What an order with `open` shares still open must hold; undefined past the safe range. */
  private holdFor(order: LiveOrder, open: number): number | undefined {
    if (order.side === 'SELL') return open;
    try {
      return buyHoldRemaining(
        open,
        boundingPrice(order),
        this.options.makerFeeBps,
        this.options.takerFeeBps,
        order.feeAccrual,
      );
    } catch {
      return undefined;
    }
  }

  /** Releases what an open order holds beyond what its open part needs. */
  private trimHold(order: LiveOrder, changes: Changes): void {
    if (!isOpen(order)) return this.releaseAll(order, changes);
    const needed = this.holdFor(order, order.quantity - order.filled) ?? order.held;
    if (order.held > needed) this.release(order, order.held - needed, changes);
  }

  private releaseAll(order: LiveOrder, changes: Changes): void {
    if (order.held > 0) this.release(order, order.held, changes);
  }

  private release(order: LiveOrder, amount: number, changes: Changes): void {
    const asset = this.heldAsset(order);
    const released = this.ledger.release(order.userId, asset, amount, orderRef(order.id));
    if (!released.ok) {
      this.stop(
        `releasing the hold of order ${order.id} failed (${released.code}); trading stopped`,
      );
      throw new Error(`release failed: ${released.code}`);
    }
    order.held -= amount;
    changes.balances.add(`${order.userId}:${asset}`);
  }

  // --- prices -------------------------------------------------------------------------------

  private reference(market: Market): number {
    return market.book.lastPrice ?? market.referencePrice;
  }

  private checkPrices(market: Market, ...prices: (number | undefined)[]): Refusal | undefined {
    const reference = this.reference(market);
    for (const price of prices) {
      if (price === undefined) continue;
      if (price % market.tickSize !== 0) {
        return refuse(
          'PRICE_NOT_ON_TICK',
          `prices of ${market.symbol} move in steps of ${market.tickSize} paise`,
        );
      }
      if (Math.abs(price - reference) * 10_000 > reference * this.options.priceBandBps) {
        return refuse(
          'PRICE_OUT_OF_BAND',
          `${market.symbol} accepts prices within ${this.options.priceBandBps / 100}% of ${reference} paise`,
        );
      }
    }
    return undefined;
  }

  /** The price a market or stop-loss order may not fill beyond, on the tick grid. */
  private collar(market: Market, request: OrderRequest): number | null {
    if (request.mode !== 'MARKET' && request.mode !== 'STOP_LOSS') return null;
    const top = market.book.topOfBook();
    const { tickSize } = market;
    const bps = this.options.marketCollarBps;
    if (request.side === 'BUY') {
      const base = request.stopPrice ?? top.ask?.price ?? this.reference(market);
      return buyCollar(base, bps, tickSize);
    }
    const base = request.stopPrice ?? top.bid?.price ?? this.reference(market);
    return sellCollar(base, bps, tickSize);
  }

  // --- bookkeeping --------------------------------------------------------------------------

  private touch(orderId: number, changes: Changes, now: number): LiveOrder {
    const order = this.orders.get(orderId);
    if (order === undefined) throw new Error(`engine event for unknown order ${orderId}`);
    order.updatedAt = now;
    changes.orders.set(orderId, order);
    return order;
  }

  private publishBook(market: Market, prev: number, events: EngineEvent[], changes: Changes): void {
    if (market.book.sequence === prev) return;
    changes.symbols.add(market.symbol);
    changes.published.push({
      kind: 'book',
      symbol: market.symbol,
      prevSequence: prev,
      sequence: market.book.sequence,
      events,
    });
  }

  private finish<T>(
    market: Market,
    prev: number,
    events: EngineEvent[],
    changes: Changes,
    now: number,
    result: T,
  ): Step<T> {
    this.publishBook(market, prev, events, changes);
    this.scheduleStops(market);
    return this.changed(result, changes, now);
  }

  /** The step of a command that changed something: its batch, what to publish, its answer. */
  private changed<T>(result: T, changes: Changes, now: number): Step<T> {
    const batch = this.batch(changes, now);
    return { result, batch, generation: this.clientOrderIds.seal(), published: changes.published };
  }

  private batch(changes: Changes, now: number): WriteBatch {
    const batch = emptyBatch();
    for (const order of changes.orders.values()) {
      batch.orders.push(orderRow(order));
      changes.published.push({ kind: 'order', userId: order.userId, order: orderFacts(order) });
      this.clientOrderIds.track(order);
      // Closed orders leave memory; the database has them from this batch on.
      if (!isOpen(order)) this.orders.delete(order.id);
    }
    batch.trades = changes.trades;
    batch.openings = changes.openings.map((id) => ({ user_id: id, updated_at: now }));
    for (const entry of this.ledger.drainEntries()) {
      batch.entries.push({
        tx_id: entry.txId,
        user_id: entry.account,
        account: entry.account === null ? 'external' : entry.bucket,
        asset: entry.asset,
        amount: entry.amount,
        kind: entry.kind,
        ref: entry.ref,
        created_at: now,
      });
    }
    for (const key of changes.balances) {
      const [account, asset] = key.split(':') as [string, string];
      const userId = Number(account);
      const { available, held } = this.ledger.balance(userId, asset);
      batch.balances.push({ user_id: userId, asset, available, held, updated_at: now });
      changes.published.push({ kind: 'balance', userId, asset, available, held });
    }
    for (const symbol of changes.symbols) {
      const market = this.markets.get(symbol);
      if (market !== undefined) {
        const state = market.book.state();
        batch.symbols.push({
          symbol,
          last_sequence: state.sequence,
          last_price: state.lastPrice,
          stop_triggers: JSON.stringify(state.triggers ?? []),
        });
      }
    }
    return batch;
  }
}
