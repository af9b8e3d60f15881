// One cluster node's life (CLUSTER=on): it serves the standby app until it takes the lease, then
// the whole exchange, recovered from the database, until it steps down. The leader also holds the
// database's writer lock, which keeps a single process (CLUSTER off) out while the cluster runs,
// and whose loss (its connection ended by a newer leader) makes it step down at once. Safety
// does not rest on any of this: every write checks the lease's epoch (store/fence.ts).

import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildExchange, VERSION, type AppDeps } from '../app.ts';
import type { ExchangeApp } from '../http/exchange-app.ts';
import { EpochFence } from '../store/fence.ts';
import { LeaseRepo } from '../store/lease.repo.ts';
import { CLUSTER_LEADER_ROLE, postgresWriterLock } from '../store/writer-lock.ts';
import { ClusterLease } from './lease.ts';
import { NodeRegistry } from './node-registry.ts';
import { buildStandbyApp } from './standby-app.ts';

export interface ClusterNode {
  lease: ClusterLease;
  /** Steps down (handing the lease over at once) and closes what is serving. */
  close(): Promise<void>;
}

export async function runClusterNode(
  deps: AppDeps & { logger: Logger },
  listen: (app: ExchangeApp) => Promise<void>,
): Promise<ClusterNode> {
  const { config, store, logger } = deps;
  const cluster = config.cluster;
  if (cluster === undefined || !(store.fence instanceof EpochFence)) {
    throw new Error('runClusterNode needs CLUSTER=on and a store opened as a cluster node');
  }
  let serving: ExchangeApp | undefined;
  /** Role changes one at a time: the port passes from one app to the next. */
  let switching: Promise<void> = Promise.resolve();
  const serve = (next: () => Promise<ExchangeApp>): Promise<void> => {
    const run = switching.then(async () => {
      const app = await next();
      // A fenced leader's last writes (a final tree head, say) are refused: its close may fail,
      // and the port must pass on all the same.
      await serving?.close().catch((error: unknown) => {
        logger.warn({ err: error }, 'the previous app did not close cleanly');
      });
      serving = app;
      await listen(app);
    });
    switching = run.catch(() => undefined);
    return run;
  };
  const standby = (): Promise<ExchangeApp> =>
    buildStandbyApp({
      store,
      lease,
      version: VERSION,
      retryAfterSeconds: Math.max(1, Math.ceil(cluster.leaseMs / 1000)),
      logger,
    });

  const redis = new Redis(config.redisUrl ?? '', { maxRetriesPerRequest: 2 });
  const lease: ClusterLease = new ClusterLease({
    repo: new LeaseRepo(store.db),
    fence: store.fence,
    nodeId: cluster.nodeId,
    address: cluster.advertiseUrl,
    ttlMs: cluster.leaseMs,
    log: logger,
    onLead: async (epoch) => {
      const lock = await postgresWriterLock(
        config.databaseUrl,
        store.schema,
        `${CLUSTER_LEADER_ROLE} ${cluster.nodeId}`,
      );
      try {
        const started = Date.now();
        await serve(
          async () =>
            (await buildExchange({ ...deps, cluster: lease, nodes: () => registry.nodes() })).app,
        );
        logger.info({ epoch, recoveryMs: Date.now() - started }, 'serving as the leader');
      } catch (error) {
        await lock.release();
        throw error;
      }
      void lock.lost.then((error) => lease.lose(error.message));
      return async () => {
        // The exchange app's close stops the leader's duties and drains what it can; with the
        // fence closed, nothing more reaches the database.
        await serve(standby).catch((error: unknown) => {
          logger.error({ err: error }, 'could not serve as a standby after stepping down');
        });
        await lock.release();
      };
    },
  });
  const registry = new NodeRegistry(redis, config.redisPrefix, lease, cluster.advertiseUrl);
  await serve(standby);
  await lease.start();
  await registry.start().catch((error: unknown) => {
    logger.warn({ err: error }, 'could not report this node in Redis');
  });
  return {
    lease,
    async close() {
      await lease.stop();
      await switching;
      await serving?.close();
      await registry.stop();
      redis.disconnect();
    },
  };
}
