// Candlesticks of one symbol (lightweight-charts 5) at a chosen interval, with a volume pane
// under them coloured by candle direction and an OHLC legend of the hovered candle (the latest
// when the pointer is away): REST history, then the live `candle` messages, which update the
// last bar or open a new one.

import { useEffect, useRef, useState } from 'react';
import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  createChart,
  type CandlestickData,
  type HistogramData,
  type UTCTimestamp,
} from 'lightweight-charts';
import { INTERVALS, watchCandles, type Interval } from '../live/market-hooks.ts';
import type { CandleBar } from '../live/messages.ts';
import { paiseOf, rupees, shares } from '../money.ts';
import { Panel } from './form.tsx';
import { ohlcLegend } from './ohlc-legend.ts';

const UP = '#3fb950';
const DOWN = '#f85149';

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

function volumeBar(candle: CandleBar): HistogramData<UTCTimestamp> {
  const rising = paiseOf(candle.close) >= paiseOf(candle.open);
  return {
    time: candle.time as UTCTimestamp,
    value: candle.volume,
    color: rising ? `${UP}99` : `${DOWN}99`,
  };
}

function Legend({ candle }: { candle: CandleBar | undefined }) {
  if (candle === undefined) return null;
  const legend = ohlcLegend(candle);
  const tone =
    legend.direction === 'up' ? 'text-up' : legend.direction === 'down' ? 'text-down' : 'text-ink';
  return (
    <p
      className="num pointer-events-none absolute left-2 top-1 z-10 flex max-w-[calc(100%-4.5rem)] flex-wrap gap-x-2 rounded bg-panel/80 px-1 text-xs"
      data-testid="ohlc-legend"
      data-time={candle.time}
    >
      {legend.items.map(({ label, value }) => (
        <span key={label} data-field={label} className="whitespace-nowrap">
          <span className="text-dim">{label}</span> <span className={tone}>{value}</span>
        </span>
      ))}
      <span className={`whitespace-nowrap ${tone}`}>{legend.change}</span>
    </p>
  );
}

export function PriceChart({ symbol }: { symbol: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [interval, setChartInterval] = useState<Interval>('1m');
  const [shown, setShown] = useState<CandleBar>();

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    setShown(undefined);
    const chart = createChart(element, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: '#121722' },
        textColor: '#9aa7b8',
        panes: { separatorColor: '#243042' },
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
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
      // The scale reads like every other price on the page: "4,105.35".
      priceFormat: {
        type: 'custom',
        minMove: 0.01,
        formatter: (rupeeValue: number) => rupees(Math.round(rupeeValue * 100), { symbol: false }),
      },
    });
    const volume = chart.addSeries(
      HistogramSeries,
      {
        priceFormat: {
          type: 'custom',
          minMove: 1,
          formatter: (n: number) => shares(Math.round(n)),
        },
        priceLineVisible: false,
        lastValueVisible: false,
      },
      1,
    );
    chart.panes()[0]?.setStretchFactor(3);
    chart.panes()[1]?.setStretchFactor(1);

    // The legend follows the crosshair and falls back to the newest candle.
    const byTime = new Map<number, CandleBar>();
    let last: CandleBar | undefined;
    let hovered: CandleBar | undefined;
    const showLegend = () => setShown(hovered ?? last);
    chart.subscribeCrosshairMove((param) => {
      hovered = param.time === undefined ? undefined : byTime.get(param.time as number);
      showLegend();
    });

    const stop = watchCandles(
      symbol,
      interval,
      (candles) => {
        series.setData(candles.map(bar));
        volume.setData(candles.map(volumeBar));
        byTime.clear();
        for (const candle of candles) byTime.set(candle.time, candle);
        last = candles.at(-1);
        showLegend();
        // A young market has few bars: spread them out rather than leave the chart empty.
        if (candles.length < 60) chart.timeScale().fitContent();
        else chart.timeScale().scrollToRealTime();
      },
      (candle) => {
        // An update older than the last bar cannot be drawn; the next history load has it.
        if (candle.time < (last?.time ?? 0)) return;
        last = candle;
        byTime.set(candle.time, candle);
        if (hovered?.time === candle.time) hovered = candle;
        series.update(bar(candle));
        volume.update(volumeBar(candle));
        showLegend();
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
      <div className="relative h-full min-h-64 w-full overflow-hidden">
        <Legend candle={shown} />
        <div ref={container} className="h-full w-full" data-testid="price-chart" />
      </div>
    </Panel>
  );
}
