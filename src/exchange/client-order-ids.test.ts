import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_FEES_ACCRUED } from '../ledger/fees.ts';
import { ClientOrderIds } from './client-order-ids.ts';
import type { LiveOrder } from './orders.ts';

function order(id: number, clientOrderId: string): LiveOrder {
  return {
    id,
    userId: 7,
    clientOrderId,
    symbol: 'TCS',
    side: 'BUY',
    mode: 'LIMIT',
    timeInForce: 'GTC',
    price: 410_000,
    stopPrice: null,
    limitPrice: null,
    quantity: 1,
    filled: 0,
    filledNotional: 0,
    feesPaid: 0,
    feeAccrual: NO_FEES_ACCRUED,
    held: 410_000,
    status: 'OPEN',
    cancelReason: null,
    sequence: id,
    postOnly: false,
    selfTrade: 'CANCEL_NEWEST',
    createdAt: 0,
    updatedAt: 0,
  };
}

/** What a command stream does to the ids: place (open), close the oldest open one, or write. */
const step = fc.oneof(
  fc.constant({ kind: 'place' as const }),
  fc.constant({ kind: 'close' as const }),
  fc.constant({ kind: 'write' as const }),
);

describe('ClientOrderIds', () => {
  it('keeps every open order, at most `window` closed ones, and only evicts what is written', () => {
    fc.assert(
      fc.property(fc.nat(8), fc.array(step, { maxLength: 300 }), (window, steps) => {
        const ids = new ClientOrderIds(window);
        const open: LiveOrder[] = [];
        /** Closed orders whose batch is not written yet: they must stay findable. */
        let unwritten: LiveOrder[] = [];
        let sealed: LiveOrder[] = [];
        let generation = 0;
        let next = 1;
        for (const s of steps) {
          if (s.kind === 'place') {
            const placed = order(next, `c-${next}`);
            next += 1;
            ids.track(placed);
            open.push(placed);
          } else if (s.kind === 'close' && open.length > 0) {
            const closed = open.shift()!;
            closed.status = 'FILLED';
            ids.track(closed);
            unwritten.push(closed);
          } else if (s.kind === 'write') {
            // The batch built so far is sealed; the one sealed before it is now durable.
            ids.durable(generation);
            sealed = unwritten;
            unwritten = [];
            generation = ids.seal();
          }
          // A resting order's id is always answered from memory.
          for (const o of open) expect(ids.find(7, o.clientOrderId!)).toBe(o);
          // An id whose closing is not yet durable has not left memory.
          for (const o of [...unwritten, ...sealed]) expect(ids.find(7, o.clientOrderId!)).toBe(o);
          // Memory is bounded: open orders, the window, and what is not yet written.
          expect(ids.size).toBeLessThanOrEqual(
            open.length + window + unwritten.length + sealed.length,
          );
        }
      }),
    );
  });

  it('after clear, distrusts lookups begun before it and trusts those begun after', () => {
    const ids = new ClientOrderIds(2);
    ids.track(order(1, 'a'));
    const before = ids.mark();
    ids.clear();
    expect(ids.size).toBe(0);
    expect(ids.find(7, 'a')).toBeUndefined();
    expect(ids.overtaken(before)).toBe(true);
    // Regression: a mark taken after clear must not be overtaken, or every lookup would repeat.
    const after = ids.mark();
    expect(ids.overtaken(after)).toBe(false);
    ids.track(order(2, 'b'));
    ids.durable(ids.seal());
    expect(ids.overtaken(after)).toBe(false);
  });
});
