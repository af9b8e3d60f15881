// GET /api/health: liveness plus whether the database answers. 503 when it does not, so a load
// balancer takes the node out.

import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/db.ts';

const HealthReply = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptime_seconds: Type.Integer(),
  database: Type.Object({
    reachable: Type.Boolean(),
    dialect: Type.String(),
  }),
});

export interface HealthOptions {
  store: Store;
  version: string;
  startedAt: number;
  now: () => number;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = (app, options) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Service health',
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_request, reply) => {
      const reachable = await options.store.ping();
      return reply.code(reachable ? 200 : 503).send({
        status: reachable ? 'ok' : 'degraded',
        version: options.version,
        uptime_seconds: Math.floor((options.now() - options.startedAt) / 1000),
        database: { reachable, dialect: options.store.dialect },
      });
    },
  );
  return Promise.resolve();
};
