// /api/admin: operator actions, for the admin role only: accounts with balances, deposits and
// withdrawals (ledger entries with a reason), and halting or resuming a symbol. The changes are
// commands to the sequencer (this node's or the leader's).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import type { Identity } from '../../auth/index.ts';
import { CASH } from '../../exchange/exchange.ts';
import type { Venue } from '../../exchange/venue.ts';
import { unwrap, type TradingCommands } from '../../cluster/commands.ts';
import { formatPaise, parseRupees } from '../../money.ts';
import { principalOf } from '../access.ts';
import { AUTHENTICATED_ERRORS, Success } from '../schemas/common.ts';
import { Symbol } from '../schemas/trading.ts';

const tags = ['admin'];
const security = [{ bearer: [] }];

const Balance = Type.Object({
  asset: Type.String(),
  available: Type.String(),
  held: Type.String(),
});
const UserSummary = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  mfa_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  created_at: Type.String(),
  balances: Type.Array(Balance),
});

const amountText = (asset: string, n: number): string =>
  asset === CASH ? formatPaise(n) : String(n);

export const adminRoutes: FastifyPluginAsyncTypebox<{
  identity: Identity;
  venue: Venue;
  commands: TradingCommands;
}> = (app, { identity, venue, commands }) => {
  const { exchange } = venue;

  app.get(
    '/api/admin/users',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          after_id: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ users: Type.Array(UserSummary) }), ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const users = await identity.accounts.list(request.query.limit, request.query.after_id);
      return {
        users: users.map((u) => ({
          ...u,
          balances: [...exchange.ledger.balancesOf(u.user_id)].map((b) => ({
            asset: b.asset,
            available: amountText(b.asset, b.available),
            held: amountText(b.asset, b.held),
          })),
        })),
      };
    },
  );

  app.post(
    '/api/admin/users/:id/adjust',
    {
      config: { access: 'admin', rateClass: 'admin', fields: { freeText: ['reason'] } },
      schema: {
        tags,
        security,
        summary: 'Deposit (positive) or withdraw (negative) cash or shares',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            asset: Type.Union([Type.Literal(CASH), Symbol]),
            /** Rupees for INR ("2500.50"), whole shares otherwise; negative withdraws. */
            amount: Type.String({ pattern: '^-?[0-9]+(\\.[0-9]{1,2})?$', maxLength: 20 }),
            reason: Type.String({ minLength: 3, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ success: Type.Literal(true), balance: Balance }),
          ...AUTHENTICATED_ERRORS,
        },
      },
    },
    async (request) => {
      const { asset, reason } = request.body;
      const user = await identity.accounts.require(request.params.id);
      const negative = request.body.amount.startsWith('-');
      const text = negative ? request.body.amount.slice(1) : request.body.amount;
      const magnitude =
        asset === CASH ? parseRupees(text) : /^\d+$/.test(text) ? Number(text) : undefined;
      if (magnitude === undefined || magnitude === 0 || !Number.isSafeInteger(magnitude)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'body.amount must be a non-zero amount (rupees for INR, whole shares otherwise)',
        );
      }
      const admin = principalOf(request).userId;
      const b = unwrap(
        await commands.execute({
          kind: 'adjust',
          admin,
          userId: user.id,
          asset,
          amount: negative ? -magnitude : magnitude,
          reason,
        }),
      );
      return {
        success: true as const,
        balance: {
          asset,
          available: amountText(asset, b.available),
          held: amountText(asset, b.held),
        },
      };
    },
  );

  for (const [action, status] of [
    ['halt', 'HALTED'],
    ['resume', 'ACTIVE'],
  ] as const) {
    app.post(
      `/api/admin/symbols/:symbol/${action}`,
      {
        config: { access: 'admin', rateClass: 'admin' },
        schema: {
          tags,
          security,
          params: Type.Object({ symbol: Symbol }),
          response: { 200: Success, ...AUTHENTICATED_ERRORS },
        },
      },
      async (request) => {
        const { symbol } = request.params;
        const admin = principalOf(request).userId;
        unwrap(await commands.execute({ kind: 'set-status', admin, symbol, status }));
        request.log.warn({ symbol, status, admin }, 'symbol status changed');
        return { success: true as const };
      },
    );
  }
  return Promise.resolve();
};
