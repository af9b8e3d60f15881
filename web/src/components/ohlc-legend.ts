// The chart's OHLC read-out of one candle: open, high, low, close, volume and the change over
// the candle, as the text the legend shows. Pure; the sums are integer paise.

import type { CandleBar } from '../live/messages.ts';
import { paiseOf, percent, price, rupees, shares } from '../money.ts';

export interface OhlcLegend {
  items: { label: 'O' | 'H' | 'L' | 'C' | 'V'; value: string }[];
  /** Close against open, as "+4.15 (+0.10%)". */
  change: string;
  direction: 'up' | 'down' | 'flat';
}

export function ohlcLegend(candle: CandleBar): OhlcLegend {
  const open = paiseOf(candle.open);
  const move = paiseOf(candle.close) - open;
  return {
    items: [
      { label: 'O', value: price(candle.open) },
      { label: 'H', value: price(candle.high) },
      { label: 'L', value: price(candle.low) },
      { label: 'C', value: price(candle.close) },
      { label: 'V', value: shares(candle.volume) },
    ],
    change: `${rupees(move, { sign: true, symbol: false })} (${percent(move, open)})`,
    direction: move > 0 ? 'up' : move < 0 ? 'down' : 'flat',
  };
}
