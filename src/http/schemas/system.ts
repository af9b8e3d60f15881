// Reply schemas of GET /api/health and GET /api/system/stats.

import { Type } from 'typebox';

const Ms = Type.Union([Type.Number(), Type.Null()]);
const Latency = Type.Object({ samples: Type.Integer(), p50: Ms, p99: Ms, max: Ms });

export const SystemStatsReply = Type.Object({
  time: Type.String(),
  uptime_seconds: Type.Integer(),
  window_seconds: Type.Integer(),
  /** New orders accepted per second, averaged over the window (bots included). */
  orders_per_second: Type.Number(),
  orders_last_second: Type.Integer(),
  trades_per_second: Type.Number(),
  /** POST /api/trading/order, received to replied: risk check, match and journal commit. */
  order_latency_ms: Latency,
  /** The sequencer's synchronous step for each order, command or bot: risk, match, settle. */
  matching_latency_ms: Latency,
  event_loop_delay_ms: Type.Object({ p50: Ms, p99: Ms }),
  memory_rss_bytes: Type.Integer(),
  open_orders: Type.Integer(),
  trading_available: Type.Boolean(),
  /** In a cluster: every node that reported itself in the last few seconds. */
  nodes: Type.Optional(
    Type.Array(
      Type.Object({
        node_id: Type.String(),
        role: Type.Union([Type.Literal('leader'), Type.Literal('standby'), Type.Literal('fenced')]),
        epoch: Type.Integer(),
        address: Type.String(),
        pid: Type.Integer(),
        started_at: Type.String(),
        seen_at: Type.String(),
      }),
    ),
  ),
});

/** GET /api/health: 200 when the database answers, else 503 with the same body. */
export const HealthReply = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptime_seconds: Type.Integer(),
  database: Type.Object({
    reachable: Type.Boolean(),
    dialect: Type.String(),
  }),
  trading: Type.Object({
    available: Type.Boolean(),
    reason: Type.Optional(Type.String()),
  }),
  /** Present in a cluster (CLUSTER=on). */
  cluster: Type.Optional(
    Type.Object({
      node_id: Type.String(),
      role: Type.Union([Type.Literal('leader'), Type.Literal('standby'), Type.Literal('fenced')]),
      /** The node that holds the lease now, as this node last read it; null while nobody does. */
      leader: Type.Union([
        Type.Object({ node_id: Type.String(), address: Type.String(), epoch: Type.Integer() }),
        Type.Null(),
      ]),
      /** The epoch this node leads under; 0 unless it leads. */
      epoch: Type.Integer(),
      /** Why this node stepped down, when fenced. */
      fenced_reason: Type.Optional(Type.String()),
    }),
  ),
});
