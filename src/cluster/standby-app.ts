// What a cluster node serves while it does not lead: its health, with its role and the leader it
// knows, and a 503 TRADING_UNAVAILABLE with Retry-After for everything else, naming the leader's
// address. A load balancer that follows /api/health sends traffic to the leader only; a client
// that reached this node anyway learns where to go. Serving the whole API from every node (the
// gateway and the read model) replaces this catch-all route by route.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { frameworkError } from '../http/plugins/error-handler.ts';
import type { ExchangeApp } from '../http/exchange-app.ts';
import { healthRoutes } from '../http/routes/health.ts';
import type { Store } from '../store/db.ts';
import type { ClusterLease } from './lease.ts';

export interface StandbyAppDeps {
  store: Store;
  lease: ClusterLease;
  version: string;
  /** Seconds a refused client should wait: about one lease TTL, when a takeover may be done. */
  retryAfterSeconds: number;
  logger?: Logger | undefined;
  now?: () => number;
}

/** Why this node does not trade, in the words a client and an operator both read. */
export function standbyReason(lease: ClusterLease): string {
  const leader = lease.leader();
  const here = lease.role() === 'fenced' ? 'this node was fenced' : 'this node is a standby';
  return leader === undefined
    ? `${here}, and no node leads right now: a standby takes over within the lease TTL`
    : `${here}: the leader is ${leader.nodeId} at ${leader.address}`;
}

export async function buildStandbyApp(deps: StandbyAppDeps): Promise<ExchangeApp> {
  const now = deps.now ?? Date.now;
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    return503OnClosing: true,
    frameworkErrors: frameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(healthRoutes, {
    store: deps.store,
    tradingStopped: () => standbyReason(deps.lease),
    version: deps.version,
    startedAt: now(),
    now,
    cluster: deps.lease,
  });
  app.setNotFoundHandler((_request, reply) => {
    const leader = deps.lease.leader();
    return reply
      .code(503)
      .header('retry-after', deps.retryAfterSeconds)
      .send({
        error: {
          code: 'TRADING_UNAVAILABLE',
          message: standbyReason(deps.lease),
          ...(leader === undefined
            ? {}
            : { details: { leader: { node_id: leader.nodeId, address: leader.address } } }),
        },
      });
  });
  return app;
}
