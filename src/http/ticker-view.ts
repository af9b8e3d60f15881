// A symbol's ticker as the API shows it, over REST and WebSocket alike: last price, change
// from the day's open, high, low and volume, all prices as decimal strings.

import type { TickerState } from '../market/market-data.ts';
import type { ListingView } from '../market/market-view.ts';
import { formatPaise } from '../money.ts';

export interface TickerView {
  symbol: string;
  name: string;
  status: string;
  price: string;
  change: string;
  change_percent: string;
  open: string;
  high: string | null;
  low: string | null;
  volume: number;
  trades: number;
}

const money = (paise: number | null | undefined): string | null =>
  paise === null || paise === undefined ? null : formatPaise(paise);

/** The same figures as GET /api/market/stocks, from durable trades only. */
export function tickerView(market: ListingView, ticker: TickerState | undefined): TickerView {
  const last = ticker?.last ?? market.lastPrice ?? market.referencePrice;
  const open = ticker?.open ?? market.referencePrice;
  const changeBps = Math.round(((last - open) * 10_000) / open);
  const sign = changeBps < 0 ? '-' : '+';
  const abs = Math.abs(changeBps);
  return {
    symbol: market.symbol,
    name: market.name,
    status: market.status,
    price: formatPaise(last),
    change: formatPaise(last - open),
    change_percent: `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`,
    open: formatPaise(open),
    high: money(ticker?.high),
    low: money(ticker?.low),
    volume: ticker?.volume ?? 0,
    trades: ticker?.trades ?? 0,
  };
}
