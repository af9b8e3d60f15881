// The connection state of the market stream and its round-trip latency, in the navigation bar.

import { useEffect, useState } from 'react';
import { marketFeed } from './market-feed.ts';

export function useMarketConnection(): { state: string; latencyMs: number | undefined } {
  const feed = marketFeed();
  const [, setTick] = useState(0);
  useEffect(() => feed.watch(() => setTick((n) => n + 1)), [feed]);
  return { state: feed.state, latencyMs: feed.socket.latencyMs };
}

export function ConnectionBadge() {
  const { state, latencyMs } = useMarketConnection();
  const colour = state === 'open' ? 'bg-up' : state === 'connecting' ? 'bg-yellow-400' : 'bg-down';
  const label = state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting' : 'Offline';
  return (
    <span
      className="flex items-center gap-1.5 text-xs text-dim"
      data-testid="connection"
      data-state={state}
    >
      <span className={`inline-block h-2 w-2 rounded-full ${colour}`} aria-hidden="true" />
      {label}
      {state === 'open' && latencyMs !== undefined && (
        <span className="num">{latencyMs.toFixed(0)} ms</span>
      )}
    </span>
  );
}
