// The market view of the node that runs the sequencer: its books, ledger and market data as they
// are, and its durable events mapped once per command to the events any node's view delivers.
// Depth and top of book read the live book, which may be a command or two ahead of what has been
// published; its snapshot carries its own sequence, so a client drops updates it already has.

import type { Exchange, Market, Published } from '../exchange/exchange.ts';
import { orderFacts } from '../exchange/orders.ts';
import type { MarketData } from './market-data.ts';
import {
  byAsset,
  byId,
  type ListingView,
  type MarketEvent,
  type MarketListener,
  type MarketView,
} from './market-view.ts';

/** One command's published events as the market events every node sees, in the same order. */
export function marketEvents(published: readonly Published[]): MarketEvent[] {
  return published.map((p): MarketEvent => {
    if (p.kind !== 'trade') return p;
    const { trade } = p;
    return {
      kind: 'trade',
      symbol: p.symbol,
      id: trade.id,
      price: trade.price,
      quantity: trade.quantity,
      aggressor: trade.aggressor_side,
      sequence: trade.sequence,
      time: trade.created_at,
    };
  });
}

export function listingOf(market: Market): ListingView {
  return {
    symbol: market.symbol,
    name: market.name,
    status: market.status,
    tickSize: market.tickSize,
    referencePrice: market.referencePrice,
    lastPrice: market.book.lastPrice,
  };
}

export class LocalMarketView implements MarketView {
  private readonly listeners = new Set<MarketListener>();
  /** The last book sequence published per symbol; the in-memory book may be ahead of it. */
  private readonly published = new Map<string, number>();
  private readonly unsubscribe: () => void;

  /**
   * Subscribe after whatever records trades into `data` (the venue does when it opens), so that
   * listeners read tickers and candles that include a command's trades.
   */
  constructor(
    private readonly exchange: Exchange,
    private readonly data: MarketData,
  ) {
    // At start everything in the books is recovered, so durable.
    for (const market of exchange.allMarkets())
      this.published.set(market.symbol, market.book.sequence);
    this.unsubscribe = exchange.subscribe((published) => {
      const events = marketEvents(published);
      for (const e of events) if (e.kind === 'book') this.published.set(e.symbol, e.sequence);
      for (const listener of this.listeners) listener.committed(events);
    });
  }

  listings(): ListingView[] {
    return this.exchange.allMarkets().map(listingOf);
  }

  listing(symbol: string): ListingView | undefined {
    const market = this.exchange.market(symbol);
    return market === undefined ? undefined : listingOf(market);
  }

  depth(symbol: string, levels: number) {
    return this.exchange.market(symbol)?.book.depth(levels);
  }

  top(symbol: string) {
    return this.exchange.market(symbol)?.book.topOfBook();
  }

  sequence(symbol: string): number {
    return this.published.get(symbol) ?? 0;
  }

  ticker(symbol: string) {
    return this.data.ticker(symbol);
  }

  trades(symbol: string, limit: number) {
    return this.data.trades(symbol, limit);
  }

  candles(symbol: string, interval: Parameters<MarketData['candles']>[1], limit: number) {
    return this.data.candles(symbol, interval, limit);
  }

  openOrders(userId: number) {
    return this.exchange
      .openOrders()
      .filter((o) => o.userId === userId)
      .map(orderFacts)
      .sort(byId);
  }

  balances(userId: number) {
    return [...this.exchange.ledger.balancesOf(userId)]
      .map((b) => ({ asset: b.asset, available: b.available, held: b.held }))
      .sort(byAsset);
  }

  subscribe(listener: MarketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
