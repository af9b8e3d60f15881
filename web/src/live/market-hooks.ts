// React hooks over the shared market feed: tickers, one symbol's book, its trades and candles.
// Each starts from the REST snapshot or the channel's own snapshot and applies live messages.

import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { Ticker } from '../api/types.ts';
import { LocalBook } from './local-book.ts';
import { marketFeed } from './market-feed.ts';
import type { CandleBar, TradePrint } from './messages.ts';

/** Every listed symbol's ticker, live. Undefined until the first answer. */
export function useTickers(): Map<string, Ticker> | undefined {
  const [tickers, setTickers] = useState<Map<string, Ticker>>();
  useEffect(() => {
    const feed = marketFeed();
    let unsubscribe: (() => void) | undefined;
    let cancelled = false;
    const stopListening = feed.listen((message) => {
      if (message.type !== 'ticker') return;
      const { type: _type, sequence: _sequence, ...ticker } = message;
      setTickers((current) => new Map(current).set(ticker.symbol, ticker));
    });
    void api.get<{ stocks: Ticker[] }>('/api/market/stocks').then(({ stocks }) => {
      if (cancelled) return;
      setTickers((current) => {
        const next = new Map(stocks.map((t) => [t.symbol, t]));
        for (const [symbol, live] of current ?? []) next.set(symbol, live);
        return next;
      });
      unsubscribe = feed.subscribe(stocks.map((t) => ({ symbol: t.symbol, channel: 'ticker' })));
    });
    return () => {
      cancelled = true;
      stopListening();
      unsubscribe?.();
    };
  }, []);
  return tickers;
}

/** The live book of one symbol; `version` changes on every applied change. */
export function useBook(symbol: string): { book: LocalBook; version: number } {
  const [state, setState] = useState(() => ({ book: new LocalBook(), version: 0 }));
  useEffect(() => {
    const feed = marketFeed();
    const book = new LocalBook();
    let version = 0;
    const changed = () => setState({ book, version: ++version });
    setState({ book, version });
    const stopListening = feed.listen((message) => {
      if (message.type === 'book_snapshot' && message.symbol === symbol) {
        book.applySnapshot(message);
        changed();
      } else if (message.type === 'book_update' && message.symbol === symbol) {
        const result = book.applyUpdate(message);
        if (result === 'applied') changed();
        else if (result === 'gap') {
          changed();
          feed.resync(symbol);
        }
      } else if (message.type === 'heartbeat') {
        const published = message.sequences[symbol];
        if (published !== undefined && book.isBehind(published)) feed.resync(symbol);
      }
    });
    const unsubscribe = feed.subscribe([{ symbol, channel: 'book' }]);
    return () => {
      stopListening();
      unsubscribe();
    };
  }, [symbol]);
  return state;
}

export type TapeTrade = Pick<TradePrint, 'trade_id' | 'price' | 'quantity' | 'side' | 'time'>;
const TAPE_LENGTH = 60;

/** The newest trades of one symbol, newest first. */
export function useTrades(symbol: string): TapeTrade[] | undefined {
  const [trades, setTrades] = useState<TapeTrade[]>();
  useEffect(() => {
    const feed = marketFeed();
    let cancelled = false;
    setTrades(undefined);
    const merge = (incoming: TapeTrade[]) =>
      setTrades((current) => {
        const byId = new Map<number, TapeTrade>();
        for (const t of [...incoming, ...(current ?? [])]) byId.set(t.trade_id, t);
        return [...byId.values()].sort((a, b) => b.trade_id - a.trade_id).slice(0, TAPE_LENGTH);
      });
    const stopListening = feed.listen((message) => {
      if (message.type === 'trade' && message.symbol === symbol) merge([message]);
    });
    const unsubscribe = feed.subscribe([{ symbol, channel: 'trades' }]);
    // After a reconnect, trades printed while away come from REST again.
    const refetch = () =>
      void api
        .get<{ trades: TapeTrade[] }>(`/api/market/stock/${symbol}/trades?limit=${TAPE_LENGTH}`)
        .then(({ trades: recent }) => {
          if (!cancelled) merge(recent);
        });
    refetch();
    const stopWatching = feed.onReopen(refetch);
    return () => {
      cancelled = true;
      stopListening();
      stopWatching();
      unsubscribe();
    };
  }, [symbol]);
  return trades;
}

export const INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type Interval = (typeof INTERVALS)[number];

/**
 * Candles of one symbol and interval: `onHistory` with the REST history (again after each
 * reconnect), then `onCandle` for each live candle, which replaces or extends the last bar.
 */
export function watchCandles(
  symbol: string,
  interval: Interval,
  onHistory: (candles: CandleBar[]) => void,
  onCandle: (candle: CandleBar) => void,
): () => void {
  const feed = marketFeed();
  let cancelled = false;
  const load = () =>
    void api
      .get<{ candles: CandleBar[] }>(
        `/api/market/stock/${symbol}/candles?interval=${interval}&limit=300`,
      )
      .then(({ candles }) => {
        if (!cancelled) onHistory(candles);
      });
  load();
  const stopListening = feed.listen((message) => {
    if (message.type === 'candle' && message.symbol === symbol && message.interval === interval)
      onCandle(message.candle);
  });
  const stopWatching = feed.onReopen(load);
  const unsubscribe = feed.subscribe([{ symbol, channel: 'candles', interval }]);
  return () => {
    cancelled = true;
    stopListening();
    stopWatching();
    unsubscribe();
  };
}
