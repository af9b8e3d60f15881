// Integrity check benchmark: how long the full audit check holds the event loop. Builds a log of
// --leaves leaves (default 22,000) with real orders, trades and ledger transactions through the
// sequencer, then runs the check twice while perf_hooks.monitorEventLoopDelay samples the loop:
// unsliced (one stretch of work per page of 5,000 rows, as it ran in the server before, and as
// `npm run audit:verify` runs it offline) as the baseline, and sliced, as the exchange runs it.
// Prints the check's time and the loop's p50/p99/max delay for each.
// Usage: npm run bench:integrity [-- --leaves 22000]

import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { checkIntegrity, OFFLINE_PACE, SERVER_PACE, type Pace } from '../../src/audit/integrity.ts';
import { Trading } from '../../src/exchange/trading.ts';
import { AuditRepo } from '../../src/store/audit.repo.ts';
import { openSequencer } from './sequencer-fixture.ts';

const { values } = parseArgs({ options: { leaves: { type: 'string', default: '22000' } } });
const LEAVES = Number(values.leaves);
/** Orders in flight at once; they share group commits. */
const WAVE = 50;
const PRICE = 400_000;

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const ms = (ns: number): string => `${(ns / 1e6).toFixed(1).padStart(7)} ms`;

async function main(): Promise<void> {
  const fixture = await openSequencer({ traders: 2, cash: 1_000_000_000_000 });
  const [seller = 0, buyer = 0] = fixture.traders;
  const shares = await fixture.exchange.adjust(seller, 'TCS', 10_000_000, 'bench');
  if (!shares.ok) throw new Error(`shares for the seller: ${shares.code}`);
  const trading = new Trading(fixture.exchange, fixture.repo);
  // A resting sell and a buy that takes it: order, trade and ledger leaves, as trading makes.
  const order = (userId: number, side: 'BUY' | 'SELL', i: number) =>
    trading.place(userId, {
      symbol: 'TCS',
      side,
      mode: 'LIMIT',
      timeInForce: side === 'SELL' ? 'GTC' : 'IOC',
      quantity: 1 + (i % 5),
      price: PRICE + (i % 20) * 5,
    });
  let placed = 0;
  while (fixture.audit.size < LEAVES) {
    const wave = Array.from({ length: WAVE }, (_, k) => placed + k);
    await Promise.all(wave.map((i) => order(seller, 'SELL', i)));
    await Promise.all(wave.map((i) => order(buyer, 'BUY', i)));
    placed += WAVE;
  }
  await fixture.audit.signHead();
  const repo = new AuditRepo(fixture.store.db);
  const publicKey = fixture.audit.publicKey;

  out(
    `integrity check: ${fixture.audit.size.toLocaleString('en-US')} leaves from ${(2 * placed).toLocaleString('en-US')} orders`,
  );
  out(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
  out('                          check      loop delay p50      p99      max');
  const measure = async (name: string, work: () => Promise<void>): Promise<void> => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // The monitor's timer starts on the loop's next turn; work begun before it would go unseen.
    await sleep(20);
    const started = performance.now();
    await work();
    const took = performance.now() - started;
    // One more turn of the loop, so that a timer held up by the whole run records its delay.
    await sleep(20);
    delay.disable();
    out(
      `${name.padEnd(22)} ${(took / 1000).toFixed(2).padStart(6)} s   ${ms(delay.percentile(50))} ${ms(delay.percentile(99))} ${ms(delay.max)}`,
    );
  };
  const check = (pace: Pace) => async () => {
    const report = await checkIntegrity(repo, publicKey, pace);
    if (!report.ok) throw new Error(`the log does not check out: ${report.failure?.reason}`);
  };
  // Warm the JIT and the statements once. Idle is the machine's own noise: nothing running.
  await check(OFFLINE_PACE)();
  await measure('idle (no check)', () => sleep(2000));
  await measure('baseline (unsliced)', check(OFFLINE_PACE));
  await measure('sliced (the exchange)', check(SERVER_PACE));
  await fixture.close();
}

await main();
