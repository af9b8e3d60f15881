import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { Ledger } from '../ledger/ledger.ts';
import { completeRow, ORDER_COLUMNS, type WriteBatch } from '../store/trading.repo.ts';
import { CASH, Exchange, type OrderRequest, type StoredOrders } from './exchange.ts';
import { Journal } from './journal.ts';
import type { OrderFacts } from './orders.ts';

const NO_STORED_ORDERS: StoredOrders = { orderOfUserByClientId: () => Promise.resolve(undefined) };

function exchangeWith(
  write: (batches: readonly WriteBatch[]) => Promise<void>,
  stored = NO_STORED_ORDERS,
  clientOrderWindow?: number,
): Exchange {
  const ledger = new Ledger({ cashAsset: CASH, feeAccount: 1 });
  const journal = new Journal(write, (error) => exchange.stop(error.message));
  const exchange = new Exchange(
    ledger,
    journal,
    {
      feeAccount: 1,
      makerFeeBps: 0,
      takerFeeBps: 0,
      marketCollarBps: 500,
      priceBandBps: 2000,
      now: () => 1_800_000_000_000,
      clientOrderWindow,
    },
    stored,
  );
  exchange.list({
    symbol: 'TCS',
    name: 'TCS',
    tickSize: 5,
    referencePrice: 410_000,
    status: 'ACTIVE',
  });
  return exchange;
}

describe('Exchange and its journal', () => {
  it('acknowledges an order only once its batch is written', async () => {
    let written = 0;
    const exchange = exchangeWith(() => {
      written += 1;
      return Promise.resolve();
    });
    await exchange.adjust(2, CASH, 1_000_000, 'test');
    const outcome = await exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    expect(outcome.ok).toBe(true);
    expect(written).toBe(2);
  });

  it('answers TRADING_UNAVAILABLE, not success, when the write fails, and refuses everything after', async () => {
    let fail = false;
    const exchange = exchangeWith(() =>
      fail ? Promise.reject(new Error('disk I/O error')) : Promise.resolve(),
    );
    await exchange.adjust(2, CASH, 1_000_000, 'test');
    fail = true;
    const placing = exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    await expect(placing).rejects.toBeInstanceOf(ApiError);
    await expect(placing).rejects.toMatchObject({ code: 'TRADING_UNAVAILABLE' });
    expect(exchange.stoppedReason).toMatch(/disk I\/O error/);
    const after = await exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    expect(after).toMatchObject({ ok: false, code: 'TRADING_UNAVAILABLE' });
  });
});

/**
 * A database that keeps the order rows the journal writes, with the unique index on (user,
 * client order id). A lookup reads the rows as they are when it is made; `hold` keeps the next
 * lookup's answer back until `release`, as a slow query would.
 */
class StoredRows implements StoredOrders {
  readonly rows = new Map<string, OrderFacts>();
  private holding = false;
  private held: (() => void)[] = [];

  write(batches: readonly WriteBatch[]): Promise<void> {
    for (const batch of batches) {
      for (const o of batch.orders) {
        if (o.client_order_id === null || o.client_order_id === undefined) continue;
        const key = `${o.user_id}:${o.client_order_id}`;
        const existing = this.rows.get(key);
        if (existing !== undefined && existing.id !== o.id)
          return Promise.reject(new Error(`unique index: ${key} is order ${existing.id}`));
        this.rows.set(key, completeRow(ORDER_COLUMNS, o) as unknown as OrderFacts);
      }
    }
    return Promise.resolve();
  }

  orderOfUserByClientId(userId: number, clientOrderId: string): Promise<OrderFacts | undefined> {
    const answer = this.rows.get(`${userId}:${clientOrderId}`);
    if (!this.holding) return Promise.resolve(answer);
    this.holding = false;
    return new Promise((resolve) => this.held.push(() => resolve(answer)));
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }
}

/** A buy of one share; IOC closes at once on a book without sellers, GTC rests. */
const buy = (clientOrderId: string | undefined, timeInForce: 'IOC' | 'GTC'): OrderRequest => ({
  symbol: 'TCS',
  side: 'BUY',
  mode: 'LIMIT',
  quantity: 1,
  price: 410_000,
  timeInForce,
  clientOrderId,
});

describe('client order ids', () => {
  it('refuses an id that left memory while a lookup for it was in flight', async () => {
    const db = new StoredRows();
    const exchange = exchangeWith((b) => db.write(b), db, 2);
    await exchange.adjust(2, CASH, 100_000_000, 'test');
    db.hold();
    const late = exchange.placeOrder(2, buy('x', 'IOC'));
    const first = await exchange.placeOrder(2, buy('x', 'IOC'));
    expect(first).toMatchObject({ ok: true, duplicate: false });
    for (const id of ['y1', 'y2', 'y3']) await exchange.placeOrder(2, buy(id, 'IOC'));
    // 'x' has left memory; the held lookup read the rows from before 'x' was written.
    expect(exchange.clientOrderIdsInMemory).toBe(2);
    db.release();
    const outcome = await late;
    expect(outcome).toMatchObject({ ok: true, duplicate: true });
    expect(outcome.ok && first.ok && outcome.order.order_id).toBe(first.ok && first.order.order_id);
    expect(exchange.stoppedReason).toBeUndefined();
  });

  it('places each id once, whatever the window and however requests overlap', async () => {
    const request = fc.record({
      id: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { nil: undefined }),
      rest: fc.boolean(),
      /** Starts a new wave: orders of one wave are in flight together. */
      wave: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.array(request, { maxLength: 40 }),
        async (window, requests) => {
          const db = new StoredRows();
          const exchange = exchangeWith((b) => db.write(b), db, window);
          await exchange.adjust(2, CASH, 100_000_000, 'test');
          const answered = new Map<string, Set<number>>();
          const wave: Promise<void>[] = [];
          for (const r of requests) {
            if (r.wave) await Promise.all(wave.splice(0));
            wave.push(
              exchange.placeOrder(2, buy(r.id, r.rest ? 'GTC' : 'IOC')).then((outcome) => {
                if (!outcome.ok || r.id === undefined) return;
                const ids = answered.get(r.id) ?? new Set<number>();
                answered.set(r.id, ids.add(outcome.order.order_id));
              }),
            );
          }
          await Promise.all(wave);
          expect(exchange.stoppedReason).toBeUndefined();
          for (const [id, orders] of answered) expect(orders.size, `id ${id}`).toBe(1);
          const open = exchange.openOrders().filter((o) => o.clientOrderId !== null).length;
          expect(exchange.clientOrderIdsInMemory).toBeLessThanOrEqual(open + window);
        },
      ),
      { numRuns: 200 },
    );
  });
});
