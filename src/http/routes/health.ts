// GET /api/health: liveness plus whether the database answers and trading is open here. 503 when
// not, so a load balancer takes the node out. In a cluster it also says the node's role.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ClusterView } from '../../cluster/role.ts';
import type { Store } from '../../store/db.ts';
import { HealthReply } from '../schemas/system.ts';

export interface HealthOptions {
  store: Store;
  /** Why trading is refused (failed recovery check or journal), if it is. */
  tradingStopped: () => string | undefined;
  version: string;
  startedAt: number;
  now: () => number;
  /** In a cluster: this node's view, and why it last stepped down. */
  cluster?: (ClusterView & { fencedReason?: string | undefined }) | undefined;
}

function clusterState(view: NonNullable<HealthOptions['cluster']>) {
  const leader = view.leader();
  const role = view.role();
  return {
    node_id: view.nodeId,
    role,
    leader:
      leader === undefined
        ? null
        : { node_id: leader.nodeId, address: leader.address, epoch: leader.epoch },
    epoch: view.epoch(),
    ...(role === 'fenced' && view.fencedReason !== undefined
      ? { fenced_reason: view.fencedReason }
      : {}),
  };
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
        ...(options.cluster === undefined ? {} : { cluster: clusterState(options.cluster) }),
      });
    },
  );
  return Promise.resolve();
};
