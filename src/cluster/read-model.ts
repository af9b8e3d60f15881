// The market view of a node that does not run the sequencer: books, tickers, candles, open
// orders and balances, started from a database snapshot and kept current by the leader's
// committed batches, applied in order. A batch that does not follow the last one (a missed
// message, a publisher that restarted) or a book change that does not follow its book's sequence
// is a gap: the caller reloads everything from the database (`load`) and carries on, and
// listeners hear `resynced`. Book sequences are the database's, so a new leader's continue them.

import type { Logger } from 'pino';
import type { BookDepth, TopOfBook } from '../engine/index.ts';
import type { OrderFacts } from '../exchange/orders.ts';
import type { Interval } from '../market/candles.ts';
import { DepthLevels } from '../market/depth-levels.ts';
import { MarketData, storedPrint } from '../market/market-data.ts';
import {
  byAsset,
  byId,
  type BalanceFacts,
  type ListingView,
  type MarketEvent,
  type MarketListener,
  type MarketView,
} from '../market/market-view.ts';
import type { MarketSnapshot } from '../store/market-snapshot.repo.ts';
import { OPEN_STATUSES } from '../store/trading.repo.ts';

/** One publisher's run: a leader's term, numbered from 1 by the batch it sends. */
export interface BatchOrigin {
  epoch: number;
  /** Which publisher (a fresh id each time one starts), so a restart is never taken for a gap. */
  source: string;
}

/** One command's committed events, as the leader sends them. */
export interface CommittedBatch extends BatchOrigin {
  batch: number;
  events: MarketEvent[];
}

export type Applied = 'applied' | 'gap';

interface Book {
  readonly listing: Omit<ListingView, 'lastPrice'>;
  levels: DepthLevels;
  /** The newest trade id recorded into market data, so a replayed trade is not counted twice. */
  lastTrade: number;
}

const DAY_MS = 86_400_000;
const OPEN = new Set<string>(OPEN_STATUSES);

export class ReplicaMarketView implements MarketView {
  private books = new Map<string, Book>();
  private data = new MarketData();
  private orders = new Map<number, Map<number, OrderFacts>>();
  private balancesOf = new Map<number, Map<string, BalanceFacts>>();
  private readonly listeners = new Set<MarketListener>();
  /** The last batch applied; undefined after a load, when any batch may come next. */
  private last: (BatchOrigin & { batch: number }) | undefined;

  constructor(private readonly log?: Logger | undefined) {}

  /** How far back a snapshot's trades go: the day the tickers cover. */
  static tradesSince(now: number): number {
    return now - DAY_MS;
  }

  /**
   * Replaces everything with the snapshot. `after` is the batch the snapshot is known to include
   * (the one that revealed a gap), so the next must follow it; without it, any batch may.
   */
  load(snapshot: MarketSnapshot, after?: BatchOrigin & { batch: number }): void {
    const books = new Map<string, Book>();
    const data = new MarketData();
    for (const s of snapshot.symbols) {
      const resting = snapshot.openOrders
        .filter((o) => o.symbol === s.symbol && o.price !== null && o.status !== 'PENDING_TRIGGER')
        .map((o) => ({
          side: o.side,
          price: o.price ?? 0,
          remaining: o.quantity - o.filled_quantity,
        }));
      books.set(s.symbol, {
        listing: {
          symbol: s.symbol,
          name: s.name,
          status: s.status,
          tickSize: s.tick_size,
          referencePrice: s.reference_price,
        },
        levels: new DepthLevels(s.last_sequence, s.last_price, resting),
        lastTrade: 0,
      });
      data.list(s.symbol, s.reference_price);
    }
    for (const t of snapshot.trades) {
      const book = books.get(t.symbol);
      if (book === undefined) continue;
      data.record(t.symbol, storedPrint(t));
      book.lastTrade = t.id;
    }
    const orders = new Map<number, Map<number, OrderFacts>>();
    for (const o of snapshot.openOrders) entry(orders, o.user_id).set(o.id, o);
    const balances = new Map<number, Map<string, BalanceFacts>>();
    for (const b of snapshot.balances)
      entry(balances, b.user_id).set(b.asset, {
        asset: b.asset,
        available: b.available,
        held: b.held,
      });
    this.books = books;
    this.data = data;
    this.orders = orders;
    this.balancesOf = balances;
    this.last = after;
  }

  /** Tells every listener that everything was reloaded. */
  announceResync(): void {
    const symbols = [...this.books.keys()];
    this.tell((listener) => listener.resynced(symbols));
  }

  /**
   * Applies one batch, or answers 'gap' (the state is then partly applied: load a snapshot).
   * Changes the snapshot already holds (an older book sequence, a trade already recorded) are
   * skipped and not passed on; orders and balances carry whole states, so replaying them is
   * harmless.
   */
  apply(batch: CommittedBatch): Applied {
    if (!this.follows(batch)) return 'gap';
    const delivered: MarketEvent[] = [];
    for (const event of batch.events) {
      switch (event.kind) {
        case 'book': {
          const book = this.books.get(event.symbol);
          if (book === undefined) return 'gap';
          if (event.sequence <= book.levels.sequence) continue;
          if (event.prevSequence !== book.levels.sequence) return 'gap';
          book.levels.apply(event.events, event.sequence);
          break;
        }
        case 'trade': {
          const book = this.books.get(event.symbol);
          if (book === undefined) return 'gap';
          if (event.id <= book.lastTrade) continue;
          book.lastTrade = event.id;
          this.data.record(event.symbol, {
            id: event.id,
            price: event.price,
            quantity: event.quantity,
            side: event.aggressor,
            time: event.time,
          });
          break;
        }
        case 'order': {
          const open = entry(this.orders, event.userId);
          if (OPEN.has(event.order.status)) open.set(event.order.id, event.order);
          else open.delete(event.order.id);
          break;
        }
        case 'status': {
          const book = this.books.get(event.symbol);
          if (book === undefined) return 'gap';
          book.listing.status = event.status;
          break;
        }
        case 'balance': {
          const { asset, available, held } = event;
          entry(this.balancesOf, event.userId).set(asset, { asset, available, held });
          break;
        }
      }
      delivered.push(event);
    }
    this.last = { epoch: batch.epoch, source: batch.source, batch: batch.batch };
    if (delivered.length > 0) this.tell((listener) => listener.committed(delivered));
    return 'applied';
  }

  /** The batch is applied whatever a listener does: one's fault must not stop the others. */
  private tell(call: (listener: MarketListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        this.log?.error({ err: error }, 'a market view listener failed');
      }
    }
  }

  /**
   * Whether nothing was missed between the last batch and this one: the next of the same run, or
   * the first of a newer run. A batch of an older term is one we may have missed others of.
   */
  private follows(batch: CommittedBatch): boolean {
    const last = this.last;
    if (last === undefined) return true;
    if (batch.epoch === last.epoch && batch.source === last.source)
      return batch.batch === last.batch + 1;
    return batch.epoch >= last.epoch && batch.batch === 1;
  }

  listings(): ListingView[] {
    return [...this.books.values()].map(listingView);
  }

  listing(symbol: string): ListingView | undefined {
    const book = this.books.get(symbol);
    return book === undefined ? undefined : listingView(book);
  }

  depth(symbol: string, levels: number): BookDepth | undefined {
    return this.books.get(symbol)?.levels.depth(levels);
  }

  top(symbol: string): TopOfBook | undefined {
    return this.books.get(symbol)?.levels.top();
  }

  sequence(symbol: string): number {
    return this.books.get(symbol)?.levels.sequence ?? 0;
  }

  ticker(symbol: string) {
    return this.data.ticker(symbol);
  }

  trades(symbol: string, limit: number) {
    return this.data.trades(symbol, limit);
  }

  candles(symbol: string, interval: Interval, limit: number) {
    return this.data.candles(symbol, interval, limit);
  }

  openOrders(userId: number): OrderFacts[] {
    return [...(this.orders.get(userId)?.values() ?? [])].sort(byId);
  }

  balances(userId: number): BalanceFacts[] {
    return [...(this.balancesOf.get(userId)?.values() ?? [])].sort(byAsset);
  }

  subscribe(listener: MarketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function listingView(book: Book): ListingView {
  return { ...book.listing, lastPrice: book.levels.lastPrice };
}

function entry<K, V>(index: Map<number, Map<K, V>>, key: number): Map<K, V> {
  let inner = index.get(key);
  if (inner === undefined) index.set(key, (inner = new Map<K, V>()));
  return inner;
}
