// Test support: replays a book's events into an independent ledger of every order and checks
// the book's invariants after each command. Throws an Error naming the first broken rule.
import { DEFAULT_STOPS_PER_COMMAND } from '../types.ts';
import type {
  BookDepth,
  EngineCommand,
  EngineEvent,
  LevelView,
  MatchingBook,
  OpenOrder,
  OrderId,
  Side,
} from '../types.ts';

interface Tracked {
  side: Side;
  /** The price the order rests at, if it has one (limit price). */
  price: number | null;
  /** A market order's protection price. */
  collar: number | null;
  postOnly: boolean;
  quantity: number;
  filled: number;
  closedQuantity: number;
  closed: boolean;
  priority: number;
}

interface ShadowOrder {
  side: Side;
  price: number;
  priority: number;
  remaining: number;
}

function fail(message: string): never {
  throw new Error(`book invariant broken: ${message}`);
}

export class BookAudit {
  private readonly orders = new Map<number, Tracked>();
  private sequence: number;

  constructor(
    private readonly book: MatchingBook,
    private readonly stopsPerCommand = DEFAULT_STOPS_PER_COMMAND,
  ) {
    this.sequence = book.sequence;
    this.adopt(book.openOrders());
  }

  /** Starts tracking orders that exist without an ACCEPTED event (recovery). */
  adopt(open: OpenOrder[]): void {
    for (const o of open) {
      this.orders.set(o.orderId, {
        side: o.side,
        price: o.price,
        collar: o.limitPrice,
        postOnly: o.postOnly,
        quantity: o.quantity,
        filled: o.quantity - o.remaining,
        closedQuantity: 0,
        closed: false,
        priority: o.priority,
      });
    }
  }

  /** Runs one command through the book and checks everything; returns the events. */
  run(command: EngineCommand): EngineEvent[] {
    const before = this.book.openOrders();
    const ladderBefore = ladderOf(this.book.depth(Number.MAX_SAFE_INTEGER));
    const queueBefore = this.queue();
    const events = this.book.execute(command);
    this.check(before, ladderBefore, events);
    this.checkStops(command, events, queueBefore);
    return events;
  }

  /**
   * The trigger queue as the book's state describes it: each waiting stop behind the first
   * trigger check that met it, then by priority.
   */
  private queue(): number[] {
    const { triggers = [] } = this.book.state();
    const batchOf = (o: OpenOrder): number =>
      triggers.findIndex(
        (t) =>
          o.priority <= t.sequence &&
          (o.side === 'BUY' ? t.lastPrice >= o.stopPrice! : t.lastPrice <= o.stopPrice!),
      );
    const waiting = this.book.openOrders().filter((o) => o.status === 'STOP_TRIGGERED');
    for (const o of waiting) if (batchOf(o) < 0) fail(`stop ${o.orderId} waits for no trigger`);
    if (this.book.triggeredStops !== waiting.length) fail('triggeredStops miscounts the queue');
    return waiting
      .sort((a, b) => batchOf(a) - batchOf(b) || a.priority - b.priority)
      .map((o) => o.orderId);
  }

  /**
   * Triggered stops run in the order they were triggered, and stops a command triggers queue
   * behind those already waiting. A command runs them only if it traded (or is RUN_STOPS), and
   * stops short of `stopsPerCommand` only when the queue is empty.
   */
  private checkStops(command: EngineCommand, events: EngineEvent[], before: number[]): void {
    const ran = events.flatMap((e) => (e.type === 'STOP_TRIGGERED' ? [e.orderId] : []));
    const after = this.queue();
    const fromBefore = ran.filter((id) => before.includes(id));
    if (
      JSON.stringify(ran.slice(0, fromBefore.length)) !==
      JSON.stringify(before.slice(0, fromBefore.length))
    ) {
      fail(`stops ${JSON.stringify(ran)} ran out of the queue's order ${JSON.stringify(before)}`);
    }
    const stillWaiting = before.filter((id) => after.includes(id));
    if (JSON.stringify(after.slice(0, stillWaiting.length)) !== JSON.stringify(stillWaiting)) {
      fail(`queue ${JSON.stringify(after)} does not keep ${JSON.stringify(stillWaiting)} in front`);
    }
    const runs =
      (command.type === 'RUN_STOPS' && events[0]?.type !== 'REJECTED') ||
      events.some((e) => e.type === 'FILL');
    if (ran.length > this.stopsPerCommand) fail(`${ran.length} stops ran in one command`);
    if (!runs && ran.length > 0) fail(`a ${command.type} that did not trade ran stops`);
    if (runs && ran.length < this.stopsPerCommand && after.length > 0) {
      fail(`a slice ran ${ran.length} stops and left ${after.length} waiting`);
    }
  }

  private check(before: OpenOrder[], ladderBefore: Map<string, number>, events: EngineEvent[]) {
    const shadow = new Map<number, ShadowOrder>();
    for (const o of before) {
      if (o.status === 'RESTING') {
        shadow.set(o.orderId, {
          side: o.side,
          price: o.price!,
          priority: o.priority,
          remaining: o.remaining,
        });
      }
    }
    const touched = new Set<number>();
    const levelEvents = new Map<string, number>();
    let lastFill: number | null = null;
    if (events.length === 0) fail('a command returned no events');
    for (const e of events) {
      if (e.seq !== this.sequence + 1) fail(`sequence ${e.seq} after ${this.sequence}`);
      this.sequence = e.seq;
      switch (e.type) {
        case 'ACCEPTED':
          if (this.orders.get(e.orderId)?.closed === false) fail(`duplicate open id ${e.orderId}`);
          this.orders.set(e.orderId, {
            side: e.side,
            price: e.price,
            collar: e.limitPrice,
            postOnly: e.postOnly,
            quantity: e.quantity,
            filled: 0,
            closedQuantity: 0,
            closed: false,
            priority: e.seq,
          });
          touched.add(e.orderId);
          break;
        case 'AMENDED': {
          const t = this.tracked(e.orderId);
          if (e.remaining !== e.quantity - t.filled) fail(`amend of ${e.orderId} loses quantity`);
          if (e.remaining <= 0) fail(`amend of ${e.orderId} leaves no open quantity`);
          if (e.keptPriority && !(e.quantity < t.quantity && e.price === t.price)) {
            fail(`amend of ${e.orderId} kept its queue place without only reducing quantity`);
          }
          t.quantity = e.quantity;
          t.price = e.price;
          if (!e.keptPriority) t.priority = e.seq;
          const s = shadow.get(e.orderId);
          if (s !== undefined) {
            s.remaining = e.remaining;
            s.price = e.price!;
            s.priority = t.priority;
          }
          touched.add(e.orderId);
          break;
        }
        case 'STOP_TRIGGERED': {
          const t = this.tracked(e.orderId);
          const due = e.side === 'BUY' ? e.lastPrice >= e.stopPrice : e.lastPrice <= e.stopPrice;
          if (!due) fail(`stop ${e.orderId} triggered at ${e.lastPrice} (stop ${e.stopPrice})`);
          t.priority = e.seq;
          break;
        }
        case 'FILL':
          this.checkFill(e, shadow);
          lastFill = e.price;
          touched.add(e.makerOrderId);
          touched.add(e.takerOrderId);
          break;
        case 'CANCELLED':
        case 'EXPIRED': {
          const t = this.tracked(e.orderId);
          if (e.quantity <= 0) fail(`${e.type} of ${e.orderId} with quantity ${e.quantity}`);
          if (e.quantity !== t.quantity - t.filled) {
            fail(`${e.type} of ${e.orderId}: ${e.quantity} is not its open quantity`);
          }
          t.closedQuantity += e.quantity;
          t.closed = true;
          shadow.delete(e.orderId);
          touched.add(e.orderId);
          break;
        }
        case 'BOOK_LEVEL':
          if (e.quantity < 0) fail(`negative level ${e.side} ${e.price}`);
          levelEvents.set(`${e.side}:${e.price}`, e.quantity);
          break;
        case 'SESSION_ENDED':
          if (e !== events[events.length - 1]) fail('SESSION_ENDED is not the last event');
          break;
        case 'REJECTED':
          if (events.length !== 1) fail('a rejection came with other events');
          break;
      }
    }
    if (this.book.sequence !== this.sequence) fail('book sequence differs from its last event');
    if (lastFill !== null && this.book.lastPrice !== lastFill) {
      fail('last price is not the last fill');
    }
    this.checkBook(ladderBefore, levelEvents, touched);
  }

  private tracked(orderId: OrderId): Tracked {
    const t = this.orders.get(orderId);
    if (t === undefined) return fail(`event for unknown order ${orderId}`);
    if (t.closed) return fail(`event for closed order ${orderId}`);
    return t;
  }

  private checkFill(e: Extract<EngineEvent, { type: 'FILL' }>, shadow: Map<number, ShadowOrder>) {
    if (e.quantity <= 0) fail(`fill of ${e.quantity}`);
    if (e.makerOwner === e.takerOwner) fail(`self trade for owner ${e.makerOwner}`);
    const maker = this.tracked(e.makerOrderId);
    const taker = this.tracked(e.takerOrderId);
    if (maker.side === taker.side || taker.side !== e.aggressor) fail('fill sides are wrong');
    if (taker.postOnly) fail(`post-only order ${e.takerOrderId} took liquidity`);
    if (e.price !== maker.price) {
      fail(`fill at ${e.price}, maker ${e.makerOrderId} at ${maker.price}`);
    }
    const bound = taker.price ?? taker.collar;
    if (bound !== null && (taker.side === 'BUY' ? e.price > bound : e.price < bound)) {
      fail(`fill at ${e.price} beyond taker bound ${bound}`);
    }
    // FIFO: no older order at the maker's level may still be waiting.
    for (const [id, s] of shadow) {
      if (id === e.makerOrderId || s.remaining <= 0) continue;
      if (s.side === maker.side && s.price === e.price && s.priority < maker.priority) {
        fail(`fill of ${e.makerOrderId} jumped older order ${id} at ${e.price}`);
      }
    }
    maker.filled += e.quantity;
    taker.filled += e.quantity;
    if (e.makerRemaining !== maker.quantity - maker.filled) fail('maker remaining is wrong');
    if (e.takerRemaining !== taker.quantity - taker.filled) fail('taker remaining is wrong');
    // An amended order is in the shadow and may be the taker.
    for (const id of [e.makerOrderId, e.takerOrderId]) {
      const s = shadow.get(id);
      if (s !== undefined) s.remaining -= e.quantity;
    }
    for (const t of [maker, taker]) {
      if (t.filled > t.quantity) fail('an order filled more than its quantity');
      if (t.filled === t.quantity) t.closed = true;
    }
  }

  private checkBook(
    ladderBefore: Map<string, number>,
    levelEvents: Map<string, number>,
    touched: Set<number>,
  ): void {
    const book = this.book;
    const depth: BookDepth = book.depth(Number.MAX_SAFE_INTEGER);
    if (depth.sequence !== this.sequence) fail('depth sequence is stale');
    checkLadder(depth.bids, 'BUY');
    checkLadder(depth.asks, 'SELL');
    const bestBid = depth.bids[0];
    const bestAsk = depth.asks[0];
    if (bestBid !== undefined && bestAsk !== undefined && bestBid.price >= bestAsk.price) {
      fail(`crossed book: bid ${bestBid.price} >= ask ${bestAsk.price}`);
    }
    const top = book.topOfBook();
    if (JSON.stringify([top.bid, top.ask]) !== JSON.stringify([bestBid ?? null, bestAsk ?? null])) {
      fail('top of book differs from depth');
    }

    const levelSums = new Map<string, number>();
    const open = book.openOrders();
    let lastPriority = 0;
    for (const o of open) {
      if (o.priority <= lastPriority) fail('open orders are not in priority order');
      lastPriority = o.priority;
      if (o.remaining <= 0 || o.remaining > o.quantity) fail(`order ${o.orderId} has bad size`);
      const t = this.orders.get(o.orderId);
      if (t === undefined || t.closed) fail(`open order ${o.orderId} is closed or unknown`);
      if (t.quantity !== o.quantity || t.quantity - t.filled !== o.remaining) {
        fail(
          `order ${o.orderId}: placed ${t.quantity} != filled ${t.filled} + open ${o.remaining}`,
        );
      }
      if (t.priority !== o.priority) fail(`order ${o.orderId} priority drifted`);
      if (JSON.stringify(book.getOrder(o.orderId)) !== JSON.stringify(o)) {
        fail(`getOrder(${o.orderId}) differs from openOrders`);
      }
      touched.delete(o.orderId);
      if (o.status === 'RESTING') {
        const key = `${o.side}:${o.price}`;
        levelSums.set(key, (levelSums.get(key) ?? 0) + o.remaining);
      } else if (o.status === 'STOP_PENDING') {
        const last = book.lastPrice;
        const due =
          last !== null && (o.side === 'BUY' ? last >= o.stopPrice! : last <= o.stopPrice!);
        if (due) fail(`stop ${o.orderId} is due at ${last} but still pending`);
      }
    }
    // Orders touched by this command and no longer open must be fully accounted for.
    for (const id of touched) {
      const t = this.orders.get(id)!;
      if (!t.closed) fail(`order ${id} vanished without a fill, cancel or expiry`);
      if (t.quantity !== t.filled + t.closedQuantity) {
        fail(
          `order ${id}: placed ${t.quantity} != filled ${t.filled} + closed ${t.closedQuantity}`,
        );
      }
      if (book.getOrder(id as OrderId) !== undefined) fail(`closed order ${id} is still open`);
    }
    const ladder = ladderOf(depth);
    if (ladder.size !== levelSums.size) fail('depth and open orders disagree on levels');
    for (const [key, sum] of levelSums) {
      if (ladder.get(key) !== sum) fail(`level ${key}: depth ${ladder.get(key)} != orders ${sum}`);
    }
    for (const [key, quantity] of levelEvents) {
      if ((ladder.get(key) ?? 0) !== quantity) fail(`BOOK_LEVEL ${key} = ${quantity} is stale`);
    }
    for (const key of new Set([...ladder.keys(), ...ladderBefore.keys()])) {
      if (ladder.get(key) !== ladderBefore.get(key) && !levelEvents.has(key)) {
        fail(`level ${key} changed without a BOOK_LEVEL event`);
      }
    }
  }
}

/** Quantity by "SIDE:price" for every visible level. */
function ladderOf(depth: BookDepth): Map<string, number> {
  const ladder = new Map<string, number>();
  for (const l of depth.bids) ladder.set(`BUY:${l.price}`, l.quantity);
  for (const l of depth.asks) ladder.set(`SELL:${l.price}`, l.quantity);
  return ladder;
}

function checkLadder(levels: LevelView[], side: Side): void {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.quantity <= 0) fail(`empty level ${side} ${l.price}`);
    const prev = levels[i - 1];
    if (prev !== undefined && (side === 'BUY' ? prev.price <= l.price : prev.price >= l.price)) {
      fail(`${side} levels out of order`);
    }
  }
}
