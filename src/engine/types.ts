// The engine's vocabulary: branded integer types, commands, events, views and reject codes.
// Every number here is a JS safe integer; nothing in the engine is floating point.

/** A price in integer ticks (paise). Always in [1, limits.maxPrice]. */
export type Price = number & { readonly __brand: 'Price' };
/** A quantity in whole shares. Always in [1, limits.maxQuantity] on a command. */
export type Quantity = number & { readonly __brand: 'Quantity' };
/** An order id chosen by the caller (the sequencer); a positive safe integer. */
export type OrderId = number & { readonly __brand: 'OrderId' };
/** The account that owns an order; self-trade prevention compares these. */
export type OwnerId = number & { readonly __brand: 'OwnerId' };
/** The per-book event sequence number; the first event of a fresh book is 1. */
export type Sequence = number & { readonly __brand: 'Sequence' };
/** A caller-supplied time (for example epoch milliseconds); the engine only echoes it. */
export type Timestamp = number & { readonly __brand: 'Timestamp' };

// Brands cost nothing at run time; these name the one place a plain number becomes a brand.
export const asPrice = (n: number): Price => n as Price;
export const asQuantity = (n: number): Quantity => n as Quantity;
export const asOrderId = (n: number): OrderId => n as OrderId;
export const asOwnerId = (n: number): OwnerId => n as OwnerId;
export const asSequence = (n: number): Sequence => n as Sequence;
export const asTimestamp = (n: number): Timestamp => n as Timestamp;

export type Side = 'BUY' | 'SELL';
/** STOP_LOSS is a stop-market order; STOP_LIMIT becomes a limit order when triggered. */
export type OrderType = 'LIMIT' | 'MARKET' | 'STOP_LOSS' | 'STOP_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';
/** Applied by the incoming (taker) order when it meets a resting order of the same owner. */
export type SelfTradePrevention = 'CANCEL_NEWEST' | 'CANCEL_OLDEST' | 'CANCEL_BOTH';
/**
 * RESTING: in the visible book. STOP_PENDING: waiting in the stop book for its trigger.
 * STOP_TRIGGERED: triggered, waiting in the trigger queue for its turn to enter the book.
 * `restore` takes either stop status; the book's trigger checks decide which queue it joins.
 */
export type OrderStatus = 'RESTING' | 'STOP_PENDING' | 'STOP_TRIGGERED';

export type CancelReason =
  'USER' | 'IOC_REMAINDER' | 'MARKET_NO_LIQUIDITY' | 'PRICE_PROTECTION' | 'SELF_TRADE' | 'FOK';

export type RejectCode =
  | 'INVALID_ORDER_ID'
  | 'INVALID_OWNER'
  | 'INVALID_SIDE'
  | 'INVALID_ORDER_TYPE'
  | 'INVALID_QUANTITY'
  | 'INVALID_TIME_IN_FORCE'
  | 'INVALID_PRICE'
  | 'INVALID_STOP_PRICE'
  | 'INVALID_LIMIT_PRICE'
  | 'INVALID_POST_ONLY'
  | 'INVALID_SELF_TRADE_MODE'
  | 'INVALID_TIME'
  | 'NO_TRIGGERED_STOPS'
  | 'DUPLICATE_ORDER_ID'
  | 'ORDER_NOT_FOUND'
  | 'POST_ONLY_WOULD_TAKE'
  | 'STOP_WOULD_TRIGGER'
  | 'AMEND_NOT_APPLICABLE'
  | 'AMEND_NO_CHANGE'
  | 'AMEND_BELOW_FILLED'
  // Recovery only (restore / restoreState).
  | 'INVALID_STATUS'
  | 'INVALID_SEQUENCE'
  | 'RESTORE_OUT_OF_ORDER'
  | 'RESTORE_WOULD_CROSS'
  | 'BOOK_NOT_EMPTY';

/** Value bounds. maxPrice * maxQuantity must stay below 2^53 so every notional is exact. */
export interface EngineLimits {
  readonly maxPrice: number;
  readonly maxQuantity: number;
}

/** Rs 10,00,000.00 per share and 1 crore shares per order: product 1e15 < 2^53 (about 9.007e15). */
export const DEFAULT_LIMITS: EngineLimits = { maxPrice: 100_000_000, maxQuantity: 10_000_000 };

/** How many triggered stops one command may run before the rest wait for RUN_STOPS. */
export const DEFAULT_STOPS_PER_COMMAND = 64;

// ---------------------------------------------------------------------------------------------
// Commands

export interface PlaceOrder {
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly orderType: OrderType;
  /** Total order quantity. */
  readonly quantity: Quantity;
  /** Limit price: required for LIMIT and STOP_LIMIT, forbidden otherwise. */
  readonly price?: Price;
  /** Trigger price: required for STOP_LOSS and STOP_LIMIT, forbidden otherwise. */
  readonly stopPrice?: Price;
  /**
   * Protection price (collar) for MARKET and STOP_LOSS: a buy never fills above it, a sell never
   * below it. Forbidden on LIMIT and STOP_LIMIT, whose `price` already bounds them.
   */
  readonly limitPrice?: Price;
  /** Default GTC; MARKET allows only IOC (default) and FOK. */
  readonly timeInForce?: TimeInForce;
  /** LIMIT with GTC or DAY only: rejected instead of taking liquidity. */
  readonly postOnly?: boolean;
  /** Default CANCEL_NEWEST. */
  readonly selfTrade?: SelfTradePrevention;
}

export interface CancelOrder {
  readonly orderId: OrderId;
}

/**
 * Amend an open order. `quantity` is the new TOTAL order quantity (FIX semantics: it includes
 * what has already filled), so a reduction that races a fill can never turn into an increase.
 */
export interface AmendOrder {
  readonly orderId: OrderId;
  readonly quantity?: Quantity;
  /** New limit price (LIMIT, STOP_LIMIT). */
  readonly price?: Price;
  /** New trigger price (STOP_LOSS, STOP_LIMIT while still pending). */
  readonly stopPrice?: Price;
}

export interface EndSession {
  /** Echoed in the EXPIRED events. */
  readonly time: Timestamp;
}

export type EngineCommand =
  | (PlaceOrder & { readonly type: 'PLACE' })
  | (CancelOrder & { readonly type: 'CANCEL' })
  | (AmendOrder & { readonly type: 'AMEND' })
  | (EndSession & { readonly type: 'END_SESSION' })
  /** Runs the next slice of the trigger queue. */
  | { readonly type: 'RUN_STOPS' };

export type CommandKind = EngineCommand['type'];

// ---------------------------------------------------------------------------------------------
// Events. Every event carries the book's next sequence number.

export interface OrderAccepted {
  readonly type: 'ACCEPTED';
  readonly seq: Sequence;
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Price | null;
  readonly stopPrice: Price | null;
  readonly limitPrice: Price | null;
  readonly quantity: Quantity;
  readonly postOnly: boolean;
  readonly selfTrade: SelfTradePrevention;
}

export interface OrderRejected {
  readonly type: 'REJECTED';
  readonly seq: Sequence;
  readonly command: CommandKind;
  /** The order id from the command, or null for END_SESSION. */
  readonly orderId: OrderId | null;
  readonly code: RejectCode;
}

export interface OrderFilled {
  readonly type: 'FILL';
  readonly seq: Sequence;
  readonly makerOrderId: OrderId;
  readonly takerOrderId: OrderId;
  readonly makerOwner: OwnerId;
  readonly takerOwner: OwnerId;
  /** Always the maker's price. */
  readonly price: Price;
  readonly quantity: Quantity;
  /** The taker's side. */
  readonly aggressor: Side;
  /** Open quantity left on each order after this fill (0 = fully filled). */
  readonly makerRemaining: Quantity;
  readonly takerRemaining: Quantity;
}

/** The order is closed; `quantity` is the open quantity it had. */
export interface OrderCancelled {
  readonly type: 'CANCELLED';
  readonly seq: Sequence;
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly quantity: Quantity;
  readonly reason: CancelReason;
}

/** The order is closed by END_SESSION; `quantity` is the open quantity it had. */
export interface OrderExpired {
  readonly type: 'EXPIRED';
  readonly seq: Sequence;
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly quantity: Quantity;
  readonly time: Timestamp;
}

/** A triggered stop's turn: it enters the book as a taker, with `seq` as its time priority. */
export interface StopTriggered {
  readonly type: 'STOP_TRIGGERED';
  readonly seq: Sequence;
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly stopPrice: Price;
  /** The last trade price that triggered the stop. */
  readonly lastPrice: Price;
}

export interface OrderAmended {
  readonly type: 'AMENDED';
  readonly seq: Sequence;
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly price: Price | null;
  readonly stopPrice: Price | null;
  /** New total quantity. */
  readonly quantity: Quantity;
  /** New open quantity (quantity minus what has filled). */
  readonly remaining: Quantity;
  /** True when only the quantity went down: the order kept its place in the queue. */
  readonly keptPriority: boolean;
}

/** Closes END_SESSION, after the EXPIRED events it caused. */
export interface SessionEnded {
  readonly type: 'SESSION_ENDED';
  readonly seq: Sequence;
  readonly time: Timestamp;
  /** How many orders expired. */
  readonly expired: number;
}

/** The new total open quantity at one visible price level (0 = the level is gone). */
export interface BookLevelChanged {
  readonly type: 'BOOK_LEVEL';
  readonly seq: Sequence;
  readonly side: Side;
  readonly price: Price;
  readonly quantity: Quantity;
}

export type EngineEvent =
  | OrderAccepted
  | OrderRejected
  | OrderFilled
  | OrderCancelled
  | OrderExpired
  | StopTriggered
  | OrderAmended
  | SessionEnded
  | BookLevelChanged;

// ---------------------------------------------------------------------------------------------
// Introspection and market data

/** A snapshot of one open order. Feeding it back to `restore` rebuilds the same order. */
export interface OpenOrder {
  readonly orderId: OrderId;
  readonly owner: OwnerId;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly status: OrderStatus;
  readonly price: Price | null;
  readonly stopPrice: Price | null;
  readonly limitPrice: Price | null;
  /** Total quantity; quantity - remaining has filled. */
  readonly quantity: Quantity;
  readonly remaining: Quantity;
  readonly postOnly: boolean;
  readonly selfTrade: SelfTradePrevention;
  /** Time priority: the sequence of the event that last queued the order. Lower goes first. */
  readonly priority: Sequence;
}

export interface LevelView {
  readonly price: Price;
  readonly quantity: Quantity;
}

export interface TopOfBook {
  readonly sequence: Sequence;
  readonly bid: LevelView | null;
  readonly ask: LevelView | null;
}

export interface BookDepth {
  /** The sequence of the last event applied: the snapshot is valid at exactly this point. */
  readonly sequence: Sequence;
  /** Best first. */
  readonly bids: LevelView[];
  readonly asks: LevelView[];
}

/**
 * One trigger check whose stops have not all entered the book yet: at `sequence`, the last price
 * `lastPrice` triggered every stop then in the stop book (priority <= sequence) that it meets.
 */
export interface StopTrigger {
  readonly sequence: Sequence;
  readonly lastPrice: Price;
}

export interface BookState {
  readonly sequence: Sequence;
  readonly lastPrice: Price | null;
  /** Oldest first; absent means none. Enough, with the open orders, to rebuild the queue. */
  readonly triggers?: readonly StopTrigger[];
}

export type RestoreResult =
  { readonly ok: true } | { readonly ok: false; readonly code: RejectCode };

/**
 * One symbol's book; what both the fast book and the reference model implement.
 *
 * Every command returns a new array of its events, sequenced 1, 2, 3... per book; a rejected
 * command returns exactly one REJECTED event and changes nothing else. The rules:
 *
 * - Matching: price-time priority; every fill is at the maker's price. The taker walks the
 *   opposite side best level first, FIFO within a level; one BOOK_LEVEL event follows each
 *   level it touched, then the taker's own outcome (CANCELLED, or BOOK_LEVEL when it rests).
 * - MARKET (and a triggered STOP_LOSS) never rests: the unfilled rest is CANCELLED with
 *   MARKET_NO_LIQUIDITY, or PRICE_PROTECTION when `limitPrice` stopped it with liquidity left.
 * - IOC cancels its remainder (IOC_REMAINDER). FOK fills entirely or is CANCELLED (FOK) with no
 *   other effect; see self-trade prevention for how own orders count.
 * - Post-only (LIMIT, GTC/DAY) is REJECTED with POST_ONLY_WOULD_TAKE if its price meets the best
 *   opposite price, whoever owns that order; an amend that would do so is rejected the same way.
 * - Self-trade prevention is the taker's mode, applied when it meets a resting order of the same
 *   owner: CANCEL_NEWEST cancels the taker's remainder; CANCEL_OLDEST cancels the resting order
 *   and keeps matching; CANCEL_BOTH cancels both. Fills made before stand. For FOK the walk that
 *   decides fillability applies the same rule: CANCEL_OLDEST skips own orders, the other modes
 *   stop at the first own order, so only what matching would really fill counts.
 * - Stops trigger on the last trade price (buy: last >= stop, sell: last <= stop), checked after
 *   each taker that traded. A stop already triggered by the current last price is rejected
 *   (STOP_WOULD_TRIGGER). The stops one check triggers leave the stop book, in priority
 *   (sequence) order, for the back of the trigger queue: behind every stop triggered before
 *   them, by this command or an earlier one. The check emits no event; `state().triggers`
 *   records it.
 * - Triggered stops run from the front of the queue one at a time: STOP_TRIGGERED, then the stop
 *   trades as a taker, and stops its trades trigger join the back. A PLACE or AMEND whose taker
 *   traded, and RUN_STOPS, run stops until the command has run `stopsPerCommand` of them or the
 *   queue is empty; what remains waits for the next RUN_STOPS (REJECTED with
 *   NO_TRIGGERED_STOPS on an empty queue), and other commands may run in between. A queued stop
 *   can be cancelled or expire, not amended (AMEND_NOT_APPLICABLE). A triggered STOP_LIMIT is a
 *   limit order with its time in force and time priority from its STOP_TRIGGERED event; a
 *   STOP_LOSS is a market order.
 * - Amend: `quantity` is the new total. Only a quantity reduction keeps the queue place; a price
 *   change re-enters the order as a taker (it may trade), a larger quantity goes to the back.
 * - END_SESSION expires every open order whose time in force is not GTC (DAY orders and pending
 *   or queued non-GTC stops), oldest priority first, then emits SESSION_ENDED.
 * - Order ids are unique among open orders only (DUPLICATE_ORDER_ID); the caller keeps ids
 *   unique for good. The book does not check who may cancel or amend an order.
 */
export interface MatchingBook {
  place(order: PlaceOrder): EngineEvent[];
  cancel(orderId: OrderId): EngineEvent[];
  amend(amend: AmendOrder): EngineEvent[];
  endSession(time: Timestamp): EngineEvent[];
  /** Runs the next slice of triggered stops. */
  runStops(): EngineEvent[];
  /** One of the five commands above, from its journaled form. */
  execute(command: EngineCommand): EngineEvent[];

  getOrder(orderId: OrderId): OpenOrder | undefined;
  /** Every open order (resting and pending stops), in priority order. */
  openOrders(): OpenOrder[];
  topOfBook(): TopOfBook;
  depth(levels: number): BookDepth;
  readonly lastPrice: Price | null;
  readonly sequence: Sequence;
  /** Triggered stops waiting in the trigger queue for a RUN_STOPS. */
  readonly triggeredStops: number;
  /** What recovery needs besides the open orders: sequence, last price, pending triggers. */
  state(): BookState;

  /** Recovery, step 1, on a fresh book: the state to resume from. */
  restoreState(state: BookState): RestoreResult;
  /**
   * Recovery, step 2: insert open orders in priority order, without emitting events. A stop that
   * a restored trigger met goes back into the trigger queue, else into the stop book.
   */
  restore(order: OpenOrder): RestoreResult;
}
