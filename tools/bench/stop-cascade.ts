// How long one trade that triggers --stops sell stops (default 3,000) holds the sequencer: the
// exchange on a fresh SQLite database, with its journal and audit leaves, run once with every
// triggered stop in the triggering command (the baseline, as before slices) and once in slices of
// --slice (default 64), in the same run. Prints the longest synchronous step, how many steps the
// cascade took, the longest event-loop stall (the longest gap between ticks of a 1 ms timer, so
// what any other request could have waited) and how long until every stop was durable.
// Usage: npm run bench:stop-cascade [-- --stops 3000 --slice 64]

import { parseArgs } from 'node:util';
import { openSequencer } from './sequencer-fixture.ts';

const { values } = parseArgs({
  options: {
    stops: { type: 'string', default: '3000' },
    slice: { type: 'string', default: '64' },
  },
});
const STOPS = Number(values.stops);
const SLICE = Number(values.slice);
/** As good as unbounded: the whole cascade in one command. */
const ONE_COMMAND = 1_000_000;
const STOP_PRICE = 400_000;
const TRADE_PRICE = 399_000;

interface Cascade {
  longestStepMs: number;
  steps: number;
  longestStallMs: number;
  durableAfterMs: number;
}

async function cascade(stops: number, stopsPerCommand: number): Promise<Cascade> {
  const fixture = await openSequencer({
    traders: 3,
    cash: 2_000_000_000,
    exchange: { stopsPerCommand },
  });
  const { exchange } = fixture;
  const [stopper, bidder, trigger] = fixture.traders as [number, number, number];
  await exchange.adjust(stopper, 'TCS', stops, 'bench shares');
  await exchange.adjust(trigger, 'TCS', 1, 'bench shares');
  const stopIds = new Set<number>();
  for (let i = 0; i < stops; i += 100) {
    const wave = Array.from({ length: Math.min(100, stops - i) }, () =>
      exchange.placeOrder(stopper, {
        symbol: 'TCS',
        side: 'SELL',
        mode: 'STOP_LOSS',
        quantity: 1,
        stopPrice: STOP_PRICE,
      }),
    );
    for (const placed of await Promise.all(wave)) if (placed.ok) stopIds.add(placed.order.order_id);
  }
  await exchange.placeOrder(bidder, {
    symbol: 'TCS',
    side: 'BUY',
    mode: 'LIMIT',
    quantity: stops + 1,
    price: TRADE_PRICE,
  });

  let steps = 0;
  const filled = new Set<number>();
  const done = new Promise<void>((resolve) => {
    exchange.subscribe((published) => {
      for (const p of published) {
        if (p.kind === 'book' && p.events.some((e) => e.type === 'FILL')) steps++;
        if (p.kind !== 'order' || !stopIds.has(p.order.id)) continue;
        if (p.order.status === 'FILLED') filled.add(p.order.id);
      }
      if (filled.size === stopIds.size) resolve();
    });
  });
  // The longest gap between ticks of a 1 ms timer: how long any other request could have waited.
  let lastTick = performance.now();
  let longestStallMs = 0;
  const tick = (): void => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - lastTick);
    lastTick = now;
  };
  const ticker = setInterval(tick, 1);
  const started = performance.now();
  await exchange.placeOrder(trigger, {
    symbol: 'TCS',
    side: 'SELL',
    mode: 'LIMIT',
    quantity: 1,
    price: TRADE_PRICE,
  });
  await done;
  tick();
  clearInterval(ticker);
  const durableAfterMs = performance.now() - started;
  // The triggering command and the slices are the latest samples.
  const longestStepMs = exchange.matching.summary().max ?? 0;
  await fixture.close();
  return { longestStepMs, steps, longestStallMs, durableAfterMs };
}

async function main(): Promise<void> {
  const ms = (n: number) => `${n.toFixed(1).padStart(8)} ms`;
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`stop cascade: one trade triggers ${STOPS.toLocaleString('en-US')} sell stops`);
  // Warm the JIT on both paths first, so neither row pays for compiling the other's code.
  for (const slice of [ONE_COMMAND, SLICE]) await cascade(Math.ceil(STOPS / 10), slice);
  out('                    longest step   steps  longest stall  all durable after');
  for (const [name, slice] of [
    ['one command', ONE_COMMAND],
    [`slices of ${SLICE}`, SLICE],
  ] as const) {
    const c = await cascade(STOPS, slice);
    out(
      `${name.padEnd(16)} ${ms(c.longestStepMs)}  ${String(c.steps).padStart(6)}  ${ms(c.longestStallMs)}  ${ms(c.durableAfterMs)}`,
    );
  }
}

await main();
