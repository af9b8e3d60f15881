// Property tests: on random command streams the fast book and the reference model emit identical
// events, every book invariant holds after every command, recovery and replays are exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook } from './order-book.ts';
import { ReferenceBook } from './reference-book.ts';
import { BookAudit } from './test-support/book-audit.ts';
import { commandStream, TEST_LIMITS } from './test-support/command-arbitrary.ts';
import type { EngineCommand, EngineEvent, MatchingBook } from './types.ts';

// 10,000 + 3,000 + 1,000 random streams per run (plus a long seeded replay).
const DIFFERENTIAL_RUNS = 10_000;
const RESTORE_RUNS = 3_000;
const REPLAY_RUNS = 1_000;

const options = { limits: TEST_LIMITS };
/** Small slices, so random streams leave triggered stops waiting between commands. */
const stopsPerCommand = fc.constantFrom(1, 2, 3, 64);

function expectSameEvents(actual: EngineEvent[], expected: EngineEvent[]): void {
  // JSON first (fast); the deep comparison only runs to print a readable diff.
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

function expectSameBooks(a: MatchingBook, b: MatchingBook): void {
  expect(JSON.stringify(a.openOrders())).toBe(JSON.stringify(b.openOrders()));
  expect(a.depth(1_000)).toEqual(b.depth(1_000));
  expect(a.lastPrice).toBe(b.lastPrice);
  expect(a.sequence).toBe(b.sequence);
  expect(a.state()).toEqual(b.state());
}

function runAll(book: MatchingBook, commands: EngineCommand[]): EngineEvent[][] {
  return commands.map((c) => book.execute(c));
}

describe('OrderBook against the ReferenceBook model', () => {
  it('emits identical events and keeps every invariant after every command', () => {
    fc.assert(
      fc.property(commandStream(60), stopsPerCommand, (commands, slice) => {
        const fast = new OrderBook({ ...options, stopsPerCommand: slice });
        const model = new ReferenceBook({ ...options, stopsPerCommand: slice });
        const audit = new BookAudit(fast, slice);
        for (const command of commands) {
          expectSameEvents(audit.run(command), model.execute(command));
        }
        expectSameBooks(fast, model);
      }),
      { numRuns: DIFFERENTIAL_RUNS },
    );
    // A fixed count of runs, not a time budget: 10,000 streams take 15 s on a loaded CI machine.
  }, 120_000);

  it('rebuilds an identical book from openOrders and state, queued stops stored as pending', () => {
    fc.assert(
      fc.property(commandStream(30), commandStream(15), stopsPerCommand, (before, after, slice) => {
        const original = new OrderBook({ ...options, stopsPerCommand: slice });
        runAll(original, before);
        const state = original.state();
        const restored = new OrderBook({ ...options, stopsPerCommand: slice });
        const restoredModel = new ReferenceBook({ ...options, stopsPerCommand: slice });
        expect(restored.restoreState(state)).toEqual({ ok: true });
        expect(restoredModel.restoreState(state)).toEqual({ ok: true });
        for (const order of original.openOrders()) {
          // The exchange stores a queued stop as pending: the restored triggers requeue it.
          const stored =
            order.status === 'STOP_TRIGGERED'
              ? { ...order, status: 'STOP_PENDING' as const }
              : order;
          expect(restored.restore(stored)).toEqual({ ok: true });
          expect(restoredModel.restore(order)).toEqual({ ok: true });
        }
        expectSameBooks(restored, original);
        expectSameBooks(restoredModel, original);
        const audit = new BookAudit(restored, slice);
        for (const command of after) {
          const expected = original.execute(command);
          expectSameEvents(audit.run(command), expected);
          expectSameEvents(restoredModel.execute(command), expected);
        }
        expectSameBooks(restored, original);
      }),
      { numRuns: RESTORE_RUNS },
    );
  });

  it('replays a stream to byte-identical events, whatever else runs in between', () => {
    fc.assert(
      fc.property(commandStream(40), commandStream(40), (commands, noise) => {
        const first = new OrderBook(options);
        const second = new OrderBook(options);
        const other = new OrderBook(options);
        const firstEvents = runAll(first, commands);
        const secondEvents = commands.map((c, i) => {
          const noiseCommand = noise[i];
          if (noiseCommand !== undefined) other.execute(noiseCommand);
          return second.execute(c);
        });
        expect(JSON.stringify(secondEvents)).toBe(JSON.stringify(firstEvents));
      }),
      { numRuns: REPLAY_RUNS },
    );
  });

  it('replays a long seeded stream to byte-identical events, as the model does', () => {
    const [commands] = fc.sample(commandStream(3_000, 3_000), { seed: 20_240_601, numRuns: 1 });
    const stream = commands!;
    expect(stream.length).toBe(3_000);
    const first = JSON.stringify(runAll(new OrderBook(options), stream));
    const second = JSON.stringify(runAll(new OrderBook(options), stream));
    expect(second).toBe(first);
    // A long life also recycles order records many times over.
    expect(JSON.stringify(runAll(new ReferenceBook(options), stream))).toBe(first);
    expect(first).toContain('"type":"FILL"');
    expect(first).toContain('"type":"STOP_TRIGGERED"');
  });
});
