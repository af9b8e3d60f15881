// /api/market: public market data: symbols with tickers, the order book, trades and candles.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import type { Market } from '../../exchange/exchange.ts';
import type { Venue } from '../../exchange/venue.ts';
import { INTERVAL_NAMES, type Interval } from '../../market/candles.ts';
import { formatPaise } from '../../money.ts';

import { Symbol } from '../schemas/trading.ts';
import { tickerView } from '../ticker-view.ts';

const tags = ['market'];
const SymbolParams = Type.Object({ symbol: Symbol });

export const marketRoutes: FastifyPluginAsyncTypebox<{ venue: Venue }> = (app, { venue }) => {
  const { exchange, marketData } = venue;

  function market(symbol: string): Market {
    const found = exchange.market(symbol);
    if (found === undefined) throw new ApiError('NOT_FOUND', `no symbol ${symbol}`);
    return found;
  }

  const ticker = (m: Market) => tickerView(m, marketData.ticker(m.symbol));

  app.get('/api/market/stocks', { config: { access: 'public' }, schema: { tags } }, () => ({
    stocks: exchange.allMarkets().map(ticker),
  }));

  app.get(
    '/api/market/stock/:symbol',
    { config: { access: 'public' }, schema: { tags, params: SymbolParams } },
    (request) => {
      const m = market(request.params.symbol);
      const top = m.book.topOfBook();
      return {
        ...ticker(m),
        tick_size: formatPaise(m.tickSize),
        reference_price: formatPaise(m.referencePrice),
        best_bid:
          top.bid === null
            ? null
            : { price: formatPaise(top.bid.price), quantity: top.bid.quantity },
        best_ask:
          top.ask === null
            ? null
            : { price: formatPaise(top.ask.price), quantity: top.ask.quantity },
        sequence: top.sequence,
      };
    },
  );

  app.get(
    '/api/market/stock/:symbol/orderbook',
    {
      config: { access: 'public' },
      schema: {
        tags,
        params: SymbolParams,
        querystring: Type.Object({
          depth: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
        }),
      },
    },
    (request) => {
      const depth = market(request.params.symbol).book.depth(request.query.depth);
      const levels = (side: typeof depth.bids) =>
        side.map((l) => [formatPaise(l.price), l.quantity] as const);
      return {
        symbol: request.params.symbol,
        sequence: depth.sequence,
        bids: levels(depth.bids),
        asks: levels(depth.asks),
      };
    },
  );

  app.get(
    '/api/market/stock/:symbol/trades',
    {
      config: { access: 'public' },
      schema: {
        tags,
        params: SymbolParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
      },
    },
    (request) => {
      market(request.params.symbol);
      return {
        symbol: request.params.symbol,
        trades: marketData.trades(request.params.symbol, request.query.limit).map((t) => ({
          trade_id: t.id,
          price: formatPaise(t.price),
          quantity: t.quantity,
          side: t.side,
          time: new Date(t.time).toISOString(),
        })),
      };
    },
  );

  app.get(
    '/api/market/stock/:symbol/candles',
    {
      config: { access: 'public' },
      schema: {
        tags,
        params: SymbolParams,
        querystring: Type.Object({
          interval: Type.Union(
            INTERVAL_NAMES.map((i) => Type.Literal(i)),
            { default: '1m' },
          ),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 300 }),
        }),
      },
    },
    (request) => {
      market(request.params.symbol);
      const interval = request.query.interval as Interval;
      return {
        symbol: request.params.symbol,
        interval,
        candles: marketData
          .candles(request.params.symbol, interval, request.query.limit)
          .map((c) => ({
            time: c.time / 1000,
            open: formatPaise(c.open),
            high: formatPaise(c.high),
            low: formatPaise(c.low),
            close: formatPaise(c.close),
            volume: c.volume,
          })),
      };
    },
  );
  return Promise.resolve();
};
