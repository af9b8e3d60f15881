// /api/trading: orders, portfolio and transactions of the caller. Thin: parse the prices
// exactly, send commands to the sequencer (this node's or the leader's), read through the trading
// service, shape the reply.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import type { OrderRequest } from '../../exchange/exchange.ts';
import type { PlacedOrder } from '../../exchange/trading.ts';
import type { Venue } from '../../exchange/venue.ts';
import { unwrap, type TradingCommands } from '../../cluster/commands.ts';
import { parseRupees } from '../../money.ts';
import { principalOf } from '../access.ts';
import { AUTHENTICATED_ERRORS } from '../schemas/common.ts';
import {
  AmendBody,
  OrderBody,
  OrderDetailReply,
  OrderIdParams,
  OrderReply,
  OrdersQuery,
  PageQuery,
  PlacedReply,
  PortfolioReply,
  TransactionsReply,
} from '../schemas/trading.ts';
import { transactionsCsv } from '../csv.ts';

const tags = ['trading'];
const security = [{ bearer: [] }];

/** Paise for a price field, or a 400 that names the field. */
function price(field: string, value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const paise = parseRupees(value);
  if (paise === undefined || paise === 0) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `body.${field} must be a positive rupee amount with at most 2 decimals`,
    );
  }
  return paise;
}

function requireFields(
  mode: OrderRequest['mode'],
  p: number | undefined,
  stop: number | undefined,
): void {
  const needsPrice = mode === 'LIMIT' || mode === 'STOP_LIMIT';
  const needsStop = mode === 'STOP_LOSS' || mode === 'STOP_LIMIT';
  if (needsPrice && p === undefined)
    throw new ApiError('VALIDATION_FAILED', `body.price is required for ${mode} orders`);
  if (!needsPrice && p !== undefined)
    throw new ApiError('VALIDATION_FAILED', `body.price is not allowed for ${mode} orders`);
  if (needsStop && stop === undefined)
    throw new ApiError('VALIDATION_FAILED', `body.stop_price is required for ${mode} orders`);
  if (!needsStop && stop !== undefined)
    throw new ApiError('VALIDATION_FAILED', `body.stop_price is not allowed for ${mode} orders`);
}

/** The reply to a placed or amended order. */
function placedReply(placed: PlacedOrder, message: string) {
  return {
    success: true as const,
    order_id: placed.order.order_id,
    status: placed.order.status,
    duplicate: placed.duplicate,
    message,
    order: placed.order,
    fills: placed.fills,
  };
}

export const tradingRoutes: FastifyPluginAsyncTypebox<{
  venue: Venue;
  commands: TradingCommands;
}> = (app, { venue, commands }) => {
  const { trading } = venue;

  app.post(
    '/api/trading/order',
    {
      config: { access: { apiKey: 'trade' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        body: OrderBody,
        response: { 201: PlacedReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const p = price('price', body.price);
      const stop = price('stop_price', body.stop_price);
      requireFields(body.order_mode, p, stop);
      const order = {
        symbol: body.symbol,
        side: body.order_type,
        mode: body.order_mode,
        quantity: body.quantity,
        price: p,
        stopPrice: stop,
        timeInForce: body.time_in_force,
        postOnly: body.post_only,
        clientOrderId: body.client_order_id,
        selfTrade: body.self_trade_prevention,
      };
      const userId = principalOf(request).userId;
      const placed = unwrap(await commands.execute({ kind: 'place', userId, order }));
      const message = placed.duplicate
        ? 'Order already placed with this client_order_id'
        : 'Order placed successfully';
      return reply.code(placed.duplicate ? 200 : 201).send(placedReply(placed, message));
    },
  );

  app.get(
    '/api/trading/orders',
    {
      config: { access: { apiKey: 'read' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        querystring: OrdersQuery,
        response: {
          200: Type.Object({
            orders: Type.Array(OrderReply),
            next_before_id: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...AUTHENTICATED_ERRORS,
        },
      },
    },
    async (request) => {
      const q = request.query;
      return trading.orders(principalOf(request).userId, {
        limit: q.limit,
        ...(q.status === undefined ? {} : { status: q.status.split(',') }),
        ...(q.symbol === undefined ? {} : { symbol: q.symbol }),
        ...(q.before_id === undefined ? {} : { beforeId: q.before_id }),
      });
    },
  );

  app.get(
    '/api/trading/order/:id',
    {
      config: { access: { apiKey: 'read' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        params: OrderIdParams,
        response: { 200: OrderDetailReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => trading.order(principalOf(request).userId, request.params.id),
  );

  app.delete(
    '/api/trading/order/:id',
    {
      config: { access: { apiKey: 'trade' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        params: OrderIdParams,
        response: { 200: OrderReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const userId = principalOf(request).userId;
      return unwrap(await commands.execute({ kind: 'cancel', userId, orderId: request.params.id }));
    },
  );

  app.patch(
    '/api/trading/order/:id',
    {
      config: { access: { apiKey: 'trade' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        params: OrderIdParams,
        body: AmendBody,
        response: { 200: PlacedReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const amend = {
        quantity: request.body.quantity,
        price: price('price', request.body.price),
        stopPrice: price('stop_price', request.body.stop_price),
      };
      const userId = principalOf(request).userId;
      const orderId = request.params.id;
      const placed = unwrap(await commands.execute({ kind: 'amend', userId, orderId, amend }));
      return placedReply(placed, 'Order amended successfully');
    },
  );

  app.get(
    '/api/trading/portfolio',
    {
      config: { access: { apiKey: 'read' }, rateClass: 'orders' },
      schema: { tags, security, response: { 200: PortfolioReply, ...AUTHENTICATED_ERRORS } },
    },
    async (request) => trading.portfolio(principalOf(request).userId),
  );

  app.get(
    '/api/trading/transactions',
    {
      config: { access: { apiKey: 'read' }, rateClass: 'orders' },
      schema: {
        tags,
        security,
        querystring: PageQuery,
        response: {
          200: {
            content: {
              'application/json': { schema: TransactionsReply },
              'text/csv': { schema: Type.String() },
            },
          },
          ...AUTHENTICATED_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const page = await trading.transactions(principalOf(request).userId, {
        limit: q.limit,
        ...(q.before_id === undefined ? {} : { beforeId: q.before_id }),
      });
      if (q.format !== 'csv') return page;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="transactions.csv"')
        .send(transactionsCsv(page.transactions));
    },
  );
  return Promise.resolve();
};
