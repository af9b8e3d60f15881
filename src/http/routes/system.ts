// GET /api/system/stats: what the terminal's System page shows. Orders and trades per second are
// counted from the market view's committed events (bots included), so any node can count them;
// the order latency is the
// time from receiving POST /api/trading/order to sending its reply (risk, match and journal),
// the matching latency the sequencer's synchronous step alone (risk, match, settle).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { NodeRecord } from '../../cluster/node-registry.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fastifyPlugin from 'fastify-plugin';
import { LatencySamples, type LatencySummary } from '../../exchange/latency-samples.ts';
import type { MarketEvent, MarketView } from '../../market/market-view.ts';
import { AUTHENTICATED_ERRORS } from '../schemas/common.ts';
import { SystemStatsReply } from '../schemas/system.ts';

/** Seconds of history the rates are averaged over. */
const WINDOW_SECONDS = 60;

/** Counts per whole second over a sliding window. */
class SecondCounts {
  private readonly counts = new Map<number, number>();

  add(second: number, n: number): void {
    this.counts.set(second, (this.counts.get(second) ?? 0) + n);
    for (const key of this.counts.keys())
      if (key <= second - WINDOW_SECONDS) this.counts.delete(key);
  }

  /** The mean per second over the window ending before `second` (the current one is partial). */
  rate(second: number): number {
    let total = 0;
    for (const [key, n] of this.counts)
      if (key < second && key >= second - WINDOW_SECONDS) total += n;
    return total / WINDOW_SECONDS;
  }

  last(second: number): number {
    return this.counts.get(second - 1) ?? 0;
  }
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** The sequencer's own figures: what the node running it reports. */
export interface SequencerStats {
  /** How long commands hold the sequencer. */
  matching(): LatencySummary;
  openOrders(): number;
  tradingAvailable(): boolean;
}

export interface SystemOptions {
  market: Pick<MarketView, 'subscribe'>;
  sequencer: SequencerStats;
  startedAt: number;
  now: () => number;
  /** In a cluster: the nodes' own reports (see cluster/node-registry.ts). */
  nodes?: (() => Promise<NodeRecord[]>) | undefined;
}

const system: FastifyPluginAsyncTypebox<SystemOptions> = (app, options) => {
  const { market, sequencer, startedAt, now } = options;
  const orders = new SecondCounts();
  const trades = new SecondCounts();
  const latencies = new LatencySamples();
  let highestOrderId = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  const committed = (events: readonly MarketEvent[]): void => {
    const second = Math.floor(now() / 1000);
    let newOrders = 0;
    let newTrades = 0;
    for (const event of events) {
      // Order ids only grow, so an id above the highest seen is a newly accepted order.
      if (event.kind === 'order' && event.order.id > highestOrderId) {
        highestOrderId = event.order.id;
        newOrders += 1;
      } else if (event.kind === 'trade') newTrades += 1;
    }
    if (newOrders > 0) orders.add(second, newOrders);
    if (newTrades > 0) trades.add(second, newTrades);
  };
  const unsubscribe = market.subscribe({ committed, resynced: () => {} });

  app.addHook('onResponse', (request, reply, done) => {
    if (request.method === 'POST' && request.routeOptions.url === '/api/trading/order') {
      latencies.record(reply.elapsedTime);
    }
    done();
  });
  app.addHook('onClose', (_app, done) => {
    unsubscribe();
    loopDelay.disable();
    done();
  });

  app.get(
    '/api/system/stats',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags: ['system'],
        summary: 'Throughput, order latency and process figures',
        security: [{ bearer: [] }],
        response: { 200: SystemStatsReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async () => {
      const at = now();
      const second = Math.floor(at / 1000);
      const nodes = await options.nodes?.().catch(() => undefined);
      const memory = process.memoryUsage();
      return {
        time: new Date(at).toISOString(),
        uptime_seconds: Math.floor((at - startedAt) / 1000),
        window_seconds: WINDOW_SECONDS,
        orders_per_second: Math.round(orders.rate(second) * 100) / 100,
        orders_last_second: orders.last(second),
        trades_per_second: Math.round(trades.rate(second) * 100) / 100,
        order_latency_ms: latencies.summary(),
        matching_latency_ms: sequencer.matching(),
        event_loop_delay_ms: {
          p50: round3(loopDelay.percentile(50) / 1e6),
          p99: round3(loopDelay.percentile(99) / 1e6),
        },
        memory_rss_bytes: memory.rss,
        open_orders: sequencer.openOrders(),
        trading_available: sequencer.tradingAvailable(),
        ...(nodes === undefined ? {} : { nodes }),
      };
    },
  );
  return Promise.resolve();
};

/** Not encapsulated: its onResponse hook times the trading routes registered beside it. */
export const systemRoutes = fastifyPlugin(system, { name: 'system-stats' });
