// Market data derived from durable trades: per-symbol ticker (last, day open, high, low, volume),
// the recent trades tape and candles. Fed by the exchange after each commit; seeded from the
// database on start.

import { CandleSeries, INTERVAL_NAMES, type Candle, type Interval } from './candles.ts';

export interface TradePrint {
  id: number;
  price: number;
  quantity: number;
  side: 'BUY' | 'SELL';
  time: number;
}

/** A trade as the database stores it, as the tape keeps it. */
export function storedPrint(t: {
  id: number;
  price: number;
  quantity: number;
  aggressor_side: 'BUY' | 'SELL';
  created_at: number;
}): TradePrint {
  return {
    id: t.id,
    price: t.price,
    quantity: t.quantity,
    side: t.aggressor_side,
    time: t.created_at,
  };
}

export interface TickerState {
  last: number | null;
  /** The first price of the UTC day, or the reference price before any trade. */
  open: number;
  high: number | null;
  low: number | null;
  volume: number;
  trades: number;
  day: number;
}

const DAY = 86_400_000;
const TAPE = 200;

class SymbolData {
  readonly tape: TradePrint[] = [];
  readonly candles = new Map<Interval, CandleSeries>(
    INTERVAL_NAMES.map((i) => [i, new CandleSeries(i)]),
  );
  ticker: TickerState;

  constructor(readonly referencePrice: number) {
    this.ticker = {
      last: null,
      open: referencePrice,
      high: null,
      low: null,
      volume: 0,
      trades: 0,
      day: 0,
    };
  }
}

export class MarketData {
  private readonly symbols = new Map<string, SymbolData>();

  list(symbol: string, referencePrice: number): void {
    if (!this.symbols.has(symbol)) this.symbols.set(symbol, new SymbolData(referencePrice));
  }

  /** Records a durable trade; returns the candles it updated. */
  record(symbol: string, trade: TradePrint): Candle[] {
    const data = this.symbols.get(symbol);
    if (data === undefined) return [];
    data.tape.push(trade);
    if (data.tape.length > TAPE) data.tape.shift();
    const day = trade.time - (trade.time % DAY);
    const t = data.ticker;
    if (day !== t.day) {
      data.ticker = {
        last: t.last,
        open: trade.price,
        high: null,
        low: null,
        volume: 0,
        trades: 0,
        day,
      };
    }
    const ticker = data.ticker;
    ticker.last = trade.price;
    ticker.high = Math.max(ticker.high ?? trade.price, trade.price);
    ticker.low = Math.min(ticker.low ?? trade.price, trade.price);
    ticker.volume += trade.quantity;
    ticker.trades += 1;
    return [...data.candles.values()].map((series) =>
      series.add(trade.price, trade.quantity, trade.time),
    );
  }

  ticker(symbol: string): TickerState | undefined {
    const data = this.symbols.get(symbol);
    return data === undefined ? undefined : { ...data.ticker };
  }

  trades(symbol: string, limit: number): TradePrint[] {
    return (this.symbols.get(symbol)?.tape ?? []).slice(-limit).reverse();
  }

  candles(symbol: string, interval: Interval, limit: number): Candle[] {
    return this.symbols.get(symbol)?.candles.get(interval)?.latest(limit) ?? [];
  }
}
