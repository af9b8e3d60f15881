// GET /api/health: liveness plus whether the database answers. 503 when it does not, so a load
// balancer takes the node out.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/db.ts';
import { HealthReply } from '../schemas/system.ts';

export interface HealthOptions {
  store: Store;
  /** Why trading is refused (failed recovery check or journal), if it is. */
  tradingStopped: () => string | undefined;
  version: string;
  startedAt: number;
  now: () => number;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = (app, options) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public', rateClass: 'unlimited' },
      schema: {
        tags: ['system'],
        summary: 'Service health',
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_request, reply) => {
      const reachable = await options.store.ping();
      const stopped = options.tradingStopped();
      const ok = reachable && stopped === undefined;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        version: options.version,
        uptime_seconds: Math.floor((options.now() - options.startedAt) / 1000),
        database: { reachable, dialect: options.store.dialect },
        trading:
          stopped === undefined ? { available: true } : { available: false, reason: stopped },
      });
    },
  );
  return Promise.resolve();
};
