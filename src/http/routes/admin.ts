// /api/admin: operator views, for the admin role only.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Identity } from '../../auth/index.ts';
import { AUTHENTICATED_ERRORS } from '../schemas/common.ts';

const UserSummary = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  mfa_enabled: Type.Boolean(),
  disabled: Type.Boolean(),
  created_at: Type.String(),
});

export const adminRoutes: FastifyPluginAsyncTypebox<{ identity: Identity }> = (
  app,
  { identity },
) => {
  app.get(
    '/api/admin/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          after_id: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ users: Type.Array(UserSummary) }), ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => ({
      users: await identity.accounts.list(request.query.limit, request.query.after_id),
    }),
  );
  return Promise.resolve();
};
