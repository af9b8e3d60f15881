// What the server sends, as it appears on the wire: flat JSON objects with a `type`, prices as
// decimal strings, quantities as whole shares, and a `sequence` wherever the book has one.

import type { BookDepth, EngineEvent } from '../../engine/index.ts';
import { CASH } from '../../exchange/exchange.ts';
import type { OrderView } from '../../exchange/orders.ts';
import type { Candle, Interval } from '../../market/candles.ts';
import { formatPaise } from '../../money.ts';
import type { TickerView } from '../ticker-view.ts';
import type { TradeEvent } from '../../market/market-view.ts';
import type { RecordedSecurityEvent } from '../../defense/security-events.ts';
import type { Severity } from '../../store/schema.ts';
import type { SecurityStatus } from '../routes/security.ts';

type Side = 'BUY' | 'SELL';
/** [price, quantity], best first. */
type Level = [string, number];

export type ServerMessage =
  | { type: 'subscribed' | 'unsubscribed'; symbols: string[]; channels: string[] }
  | {
      type: 'book_snapshot';
      symbol: string;
      sequence: number;
      depth: number;
      bids: Level[];
      asks: Level[];
    }
  | {
      type: 'book_update';
      symbol: string;
      prev_sequence: number;
      sequence: number;
      changes: { side: Side; price: string; quantity: number }[];
    }
  | {
      type: 'trade';
      symbol: string;
      sequence: number;
      trade_id: number;
      price: string;
      quantity: number;
      side: Side;
      time: string;
    }
  | ({ type: 'ticker'; sequence: number } & TickerView)
  /** The original platform's message, for a connection that has not subscribed. */
  | { type: 'price_update'; sequence: number; data: TickerView }
  | {
      type: 'candle';
      symbol: string;
      sequence: number;
      interval: Interval;
      candle: {
        time: number;
        open: string;
        high: string;
        low: string;
        close: string;
        volume: number;
      };
    }
  | { type: 'authenticated'; user_id: number }
  | { type: 'orders_snapshot'; orders: OrderView[] }
  | { type: 'order_status'; order: OrderView }
  | { type: 'portfolio_snapshot'; balances: BalanceView[] }
  | ({ type: 'portfolio_update' } & BalanceView)
  | { type: 'security_snapshot'; events: RecordedSecurityEvent[]; status: SecurityStatus }
  | { type: 'security_event'; event: RecordedSecurityEvent }
  | { type: 'filtered'; severities: Severity[] | null; types: string[] | null }
  | { type: 'heartbeat'; time: string; sequences: Record<string, number> }
  | { type: 'pong'; time: string }
  | { type: 'error'; message: string };

export interface BalanceView {
  asset: string;
  /** Cash as a decimal string of rupees, shares as a whole number. */
  available: string | number;
  held: string | number;
}

/** Messages are encoded once and the same text goes to every subscriber. */
export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}

const levels = (side: BookDepth['bids']): Level[] =>
  side.map((l) => [formatPaise(l.price), l.quantity]);

export function bookSnapshot(symbol: string, depth: number, book: BookDepth): ServerMessage {
  return {
    type: 'book_snapshot',
    symbol,
    sequence: book.sequence,
    depth,
    bids: levels(book.bids),
    asks: levels(book.asks),
  };
}

/** One command's level changes; empty when it changed no visible level. */
export function bookUpdate(
  symbol: string,
  prevSequence: number,
  sequence: number,
  events: readonly EngineEvent[],
): ServerMessage {
  const changes: { side: Side; price: string; quantity: number }[] = [];
  for (const e of events) {
    if (e.type === 'BOOK_LEVEL')
      changes.push({ side: e.side, price: formatPaise(e.price), quantity: e.quantity });
  }
  return { type: 'book_update', symbol, prev_sequence: prevSequence, sequence, changes };
}

export function tradePrint(trade: TradeEvent): ServerMessage {
  return {
    type: 'trade',
    symbol: trade.symbol,
    sequence: trade.sequence,
    trade_id: trade.id,
    price: formatPaise(trade.price),
    quantity: trade.quantity,
    side: trade.aggressor,
    time: new Date(trade.time).toISOString(),
  };
}

export function tickerMessage(view: TickerView, sequence: number): ServerMessage {
  return { type: 'ticker', sequence, ...view };
}

export function candleMessage(
  symbol: string,
  interval: Interval,
  candle: Candle,
  sequence: number,
): ServerMessage {
  return {
    type: 'candle',
    symbol,
    sequence,
    interval,
    candle: {
      time: candle.time / 1000,
      open: formatPaise(candle.open),
      high: formatPaise(candle.high),
      low: formatPaise(candle.low),
      close: formatPaise(candle.close),
      volume: candle.volume,
    },
  };
}

export function balanceView(asset: string, available: number, held: number): BalanceView {
  return asset === CASH
    ? { asset, available: formatPaise(available), held: formatPaise(held) }
    : { asset, available, held };
}

export function errorMessage(message: string): ServerMessage {
  return { type: 'error', message };
}
