// The /ws/market messages the terminal reads (src/http/ws/README.md has the protocol).

import type { Order, Ticker } from '../api/types.ts';

export type Level = [price: string, quantity: number];

export interface BookSnapshot {
  type: 'book_snapshot';
  symbol: string;
  sequence: number;
  depth: number;
  bids: Level[];
  asks: Level[];
}

export interface BookUpdate {
  type: 'book_update';
  symbol: string;
  prev_sequence: number;
  sequence: number;
  changes: { side: 'BUY' | 'SELL'; price: string; quantity: number }[];
}

export interface TradePrint {
  type: 'trade';
  symbol: string;
  sequence: number;
  trade_id: number;
  price: string;
  quantity: number;
  side: 'BUY' | 'SELL';
  time: string;
}

export interface CandleBar {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

export type MarketMessage =
  | BookSnapshot
  | BookUpdate
  | TradePrint
  | ({ type: 'ticker'; sequence: number } & Ticker)
  | { type: 'candle'; symbol: string; sequence: number; interval: string; candle: CandleBar }
  | { type: 'heartbeat'; time: string; sequences: Record<string, number> }
  | { type: 'subscribed' | 'unsubscribed'; symbols: string[]; channels: string[] }
  | { type: 'error'; message: string };

export type PrivateMessage =
  | { type: 'authenticated'; user_id: number }
  | { type: 'orders_snapshot'; orders: Order[] }
  | { type: 'order_status'; order: Order }
  | {
      type: 'portfolio_snapshot';
      balances: { asset: string; available: string | number; held: string | number }[];
    }
  | { type: 'portfolio_update'; asset: string; available: string | number; held: string | number }
  | { type: 'heartbeat'; time: string }
  | { type: 'error'; message: string };
