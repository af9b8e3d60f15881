// The system page: this page's connection and its WebSocket round trip, the server's health,
// and the exchange's throughput and order latency (GET /api/system/stats), refreshed live.

import { useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Health, SystemStats } from '../api/types.ts';
import { Panel } from '../components/form.tsx';
import { useMarketConnection } from '../live/connection-badge.tsx';

const POLL_MS = 2000;

// Health is public and answers 503 with a body when degraded: show that body, not a bare error.
async function loadHealth(): Promise<Health> {
  const response = await fetch('/api/health');
  if (response.status >= 500 || response.ok) return (await response.json()) as Health;
  throw new Error(`${response.status} ${response.statusText}`);
}

const loadStats = () => api.get<SystemStats>('/api/system/stats');

/** `load` every POLL_MS; a failure keeps the last value beside the error. `load` must be stable. */
function usePolled<T>(load: () => Promise<T>): { value: T | undefined; error: string | undefined } {
  const [state, setState] = useState<{ value: T | undefined; error: string | undefined }>({
    value: undefined,
    error: undefined,
  });
  useEffect(() => {
    let cancelled = false;
    const poll = () =>
      load()
        .then((value) => !cancelled && setState({ value, error: undefined }))
        .catch(
          (e: unknown) => !cancelled && setState((s) => ({ value: s.value, error: errorText(e) })),
        );
    void poll();
    const timer = window.setInterval(() => void poll(), POLL_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [load]);
  return state;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${h}h ${m}m ${seconds % 60}s`;
}

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${value.toFixed(2)} ms`;

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="flex justify-between gap-4 border-t border-edge/60 px-3 py-1.5 first:border-t-0">
      <dt className="text-dim">{label}</dt>
      <dd className="num" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export function SystemPage() {
  const connection = useMarketConnection();
  const health = usePolled(loadHealth);
  const stats = usePolled(loadStats);
  const h = health.value;
  const s = stats.value;
  return (
    <main className="flex flex-col gap-3 p-3">
      <h1 className="text-lg font-semibold">System</h1>
      <div className="grid grid-cols-[minmax(0,1fr)] gap-3 wide:grid-cols-3">
        <Panel title="This browser">
          <dl>
            <Row label="Market stream" value={connection.state} testId="ws-state" />
            <Row
              label="WebSocket round trip"
              value={
                connection.latencyMs === undefined ? '—' : `${connection.latencyMs.toFixed(1)} ms`
              }
              testId="ws-latency"
            />
            <Row label="Online" value={navigator.onLine ? 'yes' : 'no'} />
          </dl>
        </Panel>
        <Panel title="Server health">
          <dl>
            <Row label="Status" value={h?.status ?? health.error ?? '…'} testId="health-status" />
            <Row label="Version" value={h?.version ?? '—'} />
            <Row label="Uptime" value={h === undefined ? '—' : duration(h.uptime_seconds)} />
            <Row
              label="Database"
              value={
                h === undefined
                  ? '—'
                  : `${h.database.dialect}, ${h.database.reachable ? 'reachable' : 'unreachable'}`
              }
            />
            <Row
              label="Trading"
              value={
                h === undefined
                  ? '—'
                  : h.trading.available
                    ? 'available'
                    : `stopped: ${h.trading.reason ?? ''}`
              }
            />
          </dl>
        </Panel>
        <Panel title={`Exchange (last ${s?.window_seconds ?? 60} s)`}>
          <dl>
            <Row
              label="Orders / s"
              value={s === undefined ? '—' : s.orders_per_second.toFixed(2)}
              testId="orders-per-second"
            />
            <Row
              label="Orders last second"
              value={s === undefined ? '—' : String(s.orders_last_second)}
            />
            <Row
              label="Trades / s"
              value={s === undefined ? '—' : s.trades_per_second.toFixed(2)}
            />
            <Row
              label="Order latency p50"
              value={ms(s?.order_latency_ms.p50)}
              testId="latency-p50"
            />
            <Row label="Order latency p99" value={ms(s?.order_latency_ms.p99)} />
            <Row label="Matching latency p50" value={ms(s?.matching_latency_ms.p50)} />
            <Row label="Matching latency p99" value={ms(s?.matching_latency_ms.p99)} />
            <Row label="Event loop delay p99" value={ms(s?.event_loop_delay_ms.p99)} />
            <Row label="Open orders" value={s === undefined ? '—' : String(s.open_orders)} />
            <Row
              label="Memory (RSS)"
              value={s === undefined ? '—' : `${Math.round(s.memory_rss_bytes / 1048576)} MiB`}
            />
          </dl>
          {stats.error !== undefined && (
            <p className="px-3 py-1 text-xs text-down">{stats.error}</p>
          )}
        </Panel>
      </div>
      <p className="text-xs text-dim">
        Order latency is measured on the server from receiving POST /api/trading/order to replying:
        risk check, matching and the journal commit. Matching latency is the sequencer's step alone
        (risk check, match, settlement) for every order, the bots' included. Orders per second count
        every accepted order, the simulator's bots included.
      </p>
    </main>
  );
}
