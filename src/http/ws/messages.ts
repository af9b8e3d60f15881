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
  /** `data` is the original platform's name for `order`: the same view, for its clients. */
  | { type: 'order_status'; order: OrderView; data: OrderView }
  | { type: 'portfolio_snapshot'; balances: BalanceView[] }
  /** One asset's balance, and in `data` (the original platform's shape) the whole account. */
  | ({ type: 'portfolio_update'; data: PortfolioData } & BalanceView)
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

/**
 * The account as `portfolio_update.data` carries it: the fields of GET /api/trading/portfolio
 * that the ledger alone gives (`balance`, `cash`, and each holding's `symbol`, `quantity`,
 * `available` and `held`). The prices, average prices and P&L of that answer are left out on
 * purpose: the cost basis is a read of the user's whole trade history from the database, which
 * per balance change would be an unbounded query on the fan-out path (synchronous and in commit
 * order today), and a valuation sent only when the user's own balances change would be stale
 * with every trade in the market. GET /api/trading/portfolio answers those.
 */
export interface PortfolioData {
  /** Cash held or not, as decimal rupees (the original platform's name for `cash.total`). */
  balance: string;
  cash: { available: string; held: string; total: string };
  /** Share balances other than zero, by symbol. */
  holdings: { symbol: string; quantity: number; available: number; held: number }[];
}

/** An account's balances (cash and shares, in paise and shares) as `PortfolioData`. */
export function portfolioData(
  balances: Iterable<{ asset: string; available: number; held: number }>,
): PortfolioData {
  let cash = { available: 0, held: 0 };
  const holdings: PortfolioData['holdings'] = [];
  for (const b of balances) {
    if (b.asset === CASH) cash = { available: b.available, held: b.held };
    else if (b.available + b.held !== 0)
      holdings.push({
        symbol: b.asset,
        quantity: b.available + b.held,
        available: b.available,
        held: b.held,
      });
  }
  holdings.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const total = formatPaise(cash.available + cash.held);
  return {
    balance: total,
    cash: { available: formatPaise(cash.available), held: formatPaise(cash.held), total },
    holdings,
  };
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
