// What client order ids cost in memory over many orders: --orders IOC buys that close at once (no
// seller), placed through the trader service on a fresh SQLite database, in three runs of the same
// process: without client order ids, then with a unique id on each order while every id stays in
// memory (the unbounded map this replaced, as the baseline), then with the bounded window the
// exchange keeps (open orders plus the last 1,024 closed). Prints the heap each run retained at
// every checkpoint and how many ids the exchange held then.
// Usage: npm run bench:client-order-ids [-- --orders 1000000 --every 100000]

import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT_ORDER_WINDOW } from '../../src/exchange/client-order-ids.ts';
import { Trading } from '../../src/exchange/trading.ts';
import { settledHeap, withGc } from './heap.ts';
import { openSequencer } from './sequencer-fixture.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    every: { type: 'string', default: '100000' },
  },
});
const ORDERS = Number(values.orders);
const EVERY = Number(values.every);
/** Orders in flight at once, as many clients would send them; they share group commits. */
const WAVE = 100;
const PRICE = 400_000;

interface Run {
  name: string;
  /** Closed orders whose ids stay in memory; undefined runs without client order ids. */
  window: number | undefined;
}

const RUNS: Run[] = [
  { name: 'no ids', window: undefined },
  { name: 'every id kept', window: Number.MAX_SAFE_INTEGER },
  { name: `open + ${DEFAULT_CLIENT_ORDER_WINDOW} closed`, window: DEFAULT_CLIENT_ORDER_WINDOW },
];

interface Checkpoint {
  orders: number;
  /** heapUsed after gc, minus the same before the run's first order. */
  retained: number;
  held: number;
}

async function measure(run: Run): Promise<Checkpoint[]> {
  const fixture = await openSequencer({
    traders: 1,
    cash: 1_000_000_000_000,
    exchange: run.window === undefined ? {} : { clientOrderWindow: run.window },
  });
  const trading = new Trading(fixture.exchange, fixture.repo);
  const trader = fixture.traders[0]!;
  const place = async (from: number, count: number, prefix: string | undefined) => {
    for (let i = from; i < from + count; i += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, from + count - i) }, (_, k) =>
        trading.place(trader, {
          symbol: 'TCS',
          side: 'BUY',
          mode: 'LIMIT',
          timeInForce: 'IOC',
          quantity: 1,
          price: PRICE,
          clientOrderId: prefix === undefined ? undefined : `${prefix}-${i + k}`,
        }),
      );
      await Promise.all(wave);
    }
  };
  const prefix = run.window === undefined ? undefined : 'order';
  // Warm the JIT and the journal's statements; the window fills here, before the first figure.
  await place(0, 2 * DEFAULT_CLIENT_ORDER_WINDOW, run.window === undefined ? undefined : 'warm');
  const start = settledHeap();
  const checkpoints: Checkpoint[] = [];
  for (let done = 0; done < ORDERS;) {
    const count = Math.min(EVERY, ORDERS - done);
    await place(done, count, prefix);
    done += count;
    checkpoints.push({
      orders: done,
      retained: settledHeap() - start,
      held: fixture.exchange.clientOrderIdsInMemory,
    });
  }
  await fixture.close();
  return checkpoints;
}

async function main(): Promise<void> {
  const results: Checkpoint[][] = [];
  for (const run of RUNS) results.push(await measure(run));

  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const cell = (c: Checkpoint | undefined) =>
    c === undefined ? '' : `${mb(c.retained)} / ${c.held.toLocaleString('en-US')} ids`;
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`client order id memory: ${ORDERS.toLocaleString('en-US')} closed IOC orders per run`);
  out('heap retained since the first order / client order ids held in memory');
  out(['orders', ...RUNS.map((r) => r.name)].map((h) => h.padStart(28)).join(''));
  for (let i = 0; i < (results[0]?.length ?? 0); i++) {
    const orders = results[0]?.[i]?.orders ?? 0;
    out(
      [orders.toLocaleString('en-US'), ...results.map((r) => cell(r[i]))]
        .map((c) => c.padStart(28))
        .join(''),
    );
  }
}

withGc(import.meta.url, main);
