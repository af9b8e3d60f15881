// What any node can read about the market, fed by its own sequencer or by the leader's committed
// events: listings, each book's depth at a published sequence, tickers and candles, each user's
// open orders and balances, and the committed events in commit order. Read-only; every figure is
// an integer (paise, shares), formatted only where it is shown.

import type { BookDepth, EngineEvent, TopOfBook } from '../engine/index.ts';
import type { OrderFacts } from '../exchange/orders.ts';
import type { Side, SymbolStatus } from '../store/schema.ts';
import type { Candle, Interval } from './candles.ts';
import type { TickerState, TradePrint } from './market-data.ts';

/** One trade as the market sees it: no owners, no fees. */
export interface TradeEvent {
  kind: 'trade';
  symbol: string;
  id: number;
  price: number;
  quantity: number;
  /** The taker's side. */
  aggressor: Side;
  /** The book sequence of its fill. */
  sequence: number;
  /** Epoch milliseconds. */
  time: number;
}

/**
 * A committed change, as it crosses nodes: plain JSON, integers only. A book change carries the
 * engine's events of one command, from `prevSequence` (exclusive) to `sequence`.
 */
export type MarketEvent =
  | {
      kind: 'book';
      symbol: string;
      prevSequence: number;
      sequence: number;
      events: EngineEvent[];
    }
  | TradeEvent
  | { kind: 'order'; userId: number; order: OrderFacts }
  | { kind: 'balance'; userId: number; asset: string; available: number; held: number }
  /** A symbol halted or resumed. */
  | { kind: 'status'; symbol: string; status: SymbolStatus };

export interface ListingView {
  symbol: string;
  name: string;
  status: SymbolStatus;
  tickSize: number;
  referencePrice: number;
  /** The last trade price the book has seen, if any. */
  lastPrice: number | null;
}

export interface BalanceFacts {
  asset: string;
  available: number;
  held: number;
}

export interface MarketListener {
  /** One command's committed events, in commit order. */
  committed(events: readonly MarketEvent[]): void;
  /**
   * The view reloaded these symbols (and every account) from the database after it missed
   * events: what was sent of them before is stale, and a fresh snapshot is due.
   */
  resynced(symbols: readonly string[]): void;
}

export interface MarketView {
  listings(): ListingView[];
  listing(symbol: string): ListingView | undefined;
  /** The book's best `levels` levels a side, valid at exactly the returned sequence. */
  depth(symbol: string, levels: number): BookDepth | undefined;
  top(symbol: string): TopOfBook | undefined;
  /** The sequence of the book's last published change (0 before any). */
  sequence(symbol: string): number;
  ticker(symbol: string): TickerState | undefined;
  /** Newest first. */
  trades(symbol: string, limit: number): TradePrint[];
  /** Oldest first. */
  candles(symbol: string, interval: Interval, limit: number): Candle[];
  /** The user's open orders (resting, and stops waiting for their trigger) by id: every node's alike. */
  openOrders(userId: number): OrderFacts[];
  /** By asset. */
  balances(userId: number): BalanceFacts[];
  /** Committed events from now on, in commit order; returns the unsubscribe function. */
  subscribe(listener: MarketListener): () => void;
}

/** The orders of `openOrders`: by id, on every node. */
export const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id;

/** The balances of `balances`: by asset, on every node. */
export const byAsset = (a: { asset: string }, b: { asset: string }): number =>
  a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
