// Candlesticks of one symbol (lightweight-charts 5) at a chosen interval: REST history, then
// the live `candle` messages, which update the last bar or open a new one.

import { useEffect, useRef, useState } from 'react';
import {
  CandlestickSeries,
  ColorType,
  createChart,
  type CandlestickData,
  type UTCTimestamp,
} from 'lightweight-charts';
import { INTERVALS, watchCandles, type Interval } from '../live/market-hooks.ts';
import type { CandleBar } from '../live/messages.ts';
import { paiseOf } from '../money.ts';
import { Panel } from './form.tsx';

/** Chart coordinates are display-only; money math never uses them. */
const rupeesOf = (text: string) => paiseOf(text) / 100;

function bar(candle: CandleBar): CandlestickData<UTCTimestamp> {
  return {
    time: candle.time as UTCTimestamp,
    open: rupeesOf(candle.open),
    high: rupeesOf(candle.high),
    low: rupeesOf(candle.low),
    close: rupeesOf(candle.close),
  };
}

export function PriceChart({ symbol }: { symbol: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [interval, setChartInterval] = useState<Interval>('1m');

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const chart = createChart(element, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: '#121722' },
        textColor: '#9aa7b8',
      },
      grid: { vertLines: { color: '#1c2533' }, horzLines: { color: '#1c2533' } },
      rightPriceScale: { borderColor: '#243042' },
      timeScale: {
        borderColor: '#243042',
        timeVisible: true,
        secondsVisible: false,
        maxBarSpacing: 24,
      },
      localization: { locale: 'en-IN' },
    });
    const series = chart.addSeries(CandlestickSeries, {
      upColor: '#3fb950',
      downColor: '#f85149',
      borderVisible: false,
      wickUpColor: '#3fb950',
      wickDownColor: '#f85149',
    });
    let last = 0;
    const stop = watchCandles(
      symbol,
      interval,
      (candles) => {
        series.setData(candles.map(bar));
        last = candles.at(-1)?.time ?? 0;
        // A young market has few bars: spread them out rather than leave the chart empty.
        if (candles.length < 60) chart.timeScale().fitContent();
        else chart.timeScale().scrollToRealTime();
      },
      (candle) => {
        // An update older than the last bar cannot be drawn; the next history load has it.
        if (candle.time < last) return;
        last = candle.time;
        series.update(bar(candle));
      },
    );
    return () => {
      stop();
      chart.remove();
    };
  }, [symbol, interval]);

  return (
    <Panel
      title={`${symbol} chart`}
      className="h-full"
      actions={
        <div role="group" aria-label="Candle interval" className="flex gap-1">
          {INTERVALS.map((name) => (
            <button
              key={name}
              type="button"
              aria-pressed={name === interval}
              onClick={() => setChartInterval(name)}
              className="rounded px-1.5 text-xs text-dim hover:text-ink aria-[pressed=true]:bg-edge aria-[pressed=true]:text-ink"
            >
              {name}
            </button>
          ))}
        </div>
      }
    >
      <div ref={container} className="h-full min-h-64 w-full" data-testid="price-chart" />
    </Panel>
  );
}
