// OHLCV candles from trades, per interval, kept as a bounded ring. Pure: time is the trade's.

export const INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type Interval = keyof typeof INTERVALS;
export const INTERVAL_NAMES = Object.keys(INTERVALS) as Interval[];

export interface Candle {
  /** Start of the bucket, epoch ms. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

export class CandleSeries {
  private readonly candles: Candle[] = [];

  constructor(
    readonly interval: Interval,
    private readonly capacity = 1000,
  ) {}

  /** Adds a trade; returns the candle it landed in. Trades must come in time order. */
  add(price: number, quantity: number, time: number): Candle {
    const bucket = time - (time % INTERVALS[this.interval]);
    const last = this.candles.at(-1);
    if (last !== undefined && last.time === bucket) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      last.volume += quantity;
      last.trades += 1;
      return last;
    }
    const candle = {
      time: bucket,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: quantity,
      trades: 1,
    };
    this.candles.push(candle);
    if (this.candles.length > this.capacity) this.candles.shift();
    return candle;
  }

  /** The newest `limit` candles, oldest first. */
  latest(limit: number): Candle[] {
    return this.candles.slice(-limit).map((c) => ({ ...c }));
  }
}
