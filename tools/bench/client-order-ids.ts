// What a client order id costs in memory: --orders IOC buys that close at once (no seller), placed
// through the trader service on a fresh SQLite database, first without client order ids (the
// baseline), then twice as many with a unique id each, in two phases, in the same run. Prints
// the heap each phase retained per order (a bounded memory grows in the first phase only) and
// how many ids the exchange still holds in memory.
// Usage: npm run bench:client-order-ids [-- --orders 20000]

import { parseArgs } from 'node:util';
import { Trading } from '../../src/exchange/trading.ts';
import { settledHeap, withGc } from './heap.ts';
import { openSequencer } from './sequencer-fixture.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '20000' } } });
const ORDERS = Number(values.orders);
/** Orders in flight at once, as many clients would send them; they share group commits. */
const WAVE = 100;
const PRICE = 400_000;

async function main(): Promise<void> {
  const fixture = await openSequencer({ traders: 1, cash: 1_000_000_000_000 });
  const trading = new Trading(fixture.exchange, fixture.repo);
  const trader = fixture.traders[0]!;
  const place = async (count: number, clientOrderId: (i: number) => string | undefined) => {
    for (let i = 0; i < count; i += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, count - i) }, (_, k) =>
        trading.place(trader, {
          symbol: 'TCS',
          side: 'BUY',
          mode: 'LIMIT',
          timeInForce: 'IOC',
          quantity: 1,
          price: PRICE,
          clientOrderId: clientOrderId(i + k),
        }),
      );
      await Promise.all(wave);
    }
  };
  // Warm the JIT and the journal's statements, with and without ids.
  await place(2_000, (i) => (i % 2 === 0 ? undefined : `warm-${i}`));

  const start = settledHeap();
  await place(ORDERS, () => undefined);
  const baseline = settledHeap();
  await place(ORDERS, (i) => `first-${i}`);
  const first = settledHeap();
  await place(ORDERS, (i) => `second-${i}`);
  const second = settledHeap();
  const held = fixture.exchange.clientOrderIdsInMemory;
  await fixture.close();

  const perOrder = (bytes: number) => `${Math.round(bytes / ORDERS)} B/order`;
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`client order id memory: ${ORDERS.toLocaleString('en-US')} closed IOC orders per phase`);
  out(`baseline  no client order ids        ${perOrder(baseline - start)} retained`);
  out(`first     a unique id on each order  ${perOrder(first - baseline)} retained`);
  out(`second    as many more unique ids    ${perOrder(second - first)} retained`);
  out(`held      client order ids in memory ${held?.toLocaleString('en-US') ?? 'not reported'}`);
}

withGc(import.meta.url, main);
