// /api/market: public market data: symbols with tickers, the order book, trades and candles,
// read from the node's market view (its own sequencer's, or the read model a follower keeps).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import { INTERVAL_NAMES, type Interval } from '../../market/candles.ts';
import type { ListingView, MarketView } from '../../market/market-view.ts';
import { formatPaise } from '../../money.ts';

import { CandlesReply, MarketRulesReply, Symbol } from '../schemas/trading.ts';
import { tickerView } from '../ticker-view.ts';

const tags = ['market'];
const SymbolParams = Type.Object({ symbol: Symbol });

/** The trading rules a client needs to show an order's cost before sending it. */
export interface MarketRules {
  makerFeeBps: number;
  takerFeeBps: number;
  marketCollarBps: number;
  priceBandBps: number;
}

export const marketRoutes: FastifyPluginAsyncTypebox<{ market: MarketView; rules: MarketRules }> = (
  app,
  { market: view, rules },
) => {
  app.get(
    '/api/market/rules',
    {
      config: { access: 'public', rateClass: 'market' },
      schema: {
        tags,
        summary: 'Fees (basis points of the notional) and the price collar and band',
        response: { 200: MarketRulesReply },
      },
    },
    () => ({
      maker_fee_bps: rules.makerFeeBps,
      taker_fee_bps: rules.takerFeeBps,
      market_collar_bps: rules.marketCollarBps,
      price_band_bps: rules.priceBandBps,
      fee_rounding: 'up to the paisa, per order' as const,
      currency: 'INR',
    }),
  );

  function market(symbol: string): ListingView {
    const found = view.listing(symbol);
    if (found === undefined) throw new ApiError('NOT_FOUND', `no symbol ${symbol}`);
    return found;
  }

  const ticker = (m: ListingView) => tickerView(m, view.ticker(m.symbol));

  app.get(
    '/api/market/stocks',
    { config: { access: 'public', rateClass: 'market' }, schema: { tags } },
    () => ({
      stocks: view.listings().map(ticker),
    }),
  );

  app.get(
    '/api/market/stock/:symbol',
    { config: { access: 'public', rateClass: 'market' }, schema: { tags, params: SymbolParams } },
    (request) => {
      const m = market(request.params.symbol);
      const top = view.top(m.symbol) ?? { sequence: 0, bid: null, ask: null };
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
      config: { access: 'public', rateClass: 'market' },
      schema: {
        tags,
        params: SymbolParams,
        querystring: Type.Object({
          depth: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
        }),
      },
    },
    (request) => {
      const { symbol } = market(request.params.symbol);
      const depth = view.depth(symbol, request.query.depth) ?? { sequence: 0, bids: [], asks: [] };
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
      config: { access: 'public', rateClass: 'market' },
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
        trades: view.trades(request.params.symbol, request.query.limit).map((t) => ({
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
      config: { access: 'public', rateClass: 'market' },
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
        response: { 200: CandlesReply },
      },
    },
    (request) => {
      market(request.params.symbol);
      const interval = request.query.interval as Interval;
      return {
        symbol: request.params.symbol,
        interval,
        candles: view.candles(request.params.symbol, interval, request.query.limit).map((c) => ({
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
