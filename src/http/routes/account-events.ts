// GET /api/auth/security-events: the signed-in user's own security events (sign-in failures,
// password and MFA changes, API keys made and revoked), newest first. Never anyone else's.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordedEvent } from '../../defense/security-events.ts';
import type { SecurityEventsRepo } from '../../store/security-events.repo.ts';
import { principalOf } from '../access.ts';
import { OwnSecurityEventsQuery, OwnSecurityEventsReply } from '../schemas/auth.ts';
import { AUTHENTICATED_ERRORS } from '../schemas/common.ts';

export const accountEventRoutes: FastifyPluginAsyncTypebox<{ repo: SecurityEventsRepo }> = (
  app,
  { repo },
) => {
  app.get(
    '/api/auth/security-events',
    {
      config: { access: 'user', rateClass: 'account', allowPendingPasswordChange: true },
      schema: {
        tags: ['auth'],
        security: [{ bearer: [] }],
        querystring: OwnSecurityEventsQuery,
        response: { 200: OwnSecurityEventsReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const { limit, before_id } = request.query;
      const rows = await repo.page({
        limit: limit + 1,
        userId: principalOf(request).userId,
        beforeId: before_id,
      });
      const page = rows.slice(0, limit);
      return {
        events: page.map(recordedEvent),
        next_before_id: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );
  return Promise.resolve();
};
