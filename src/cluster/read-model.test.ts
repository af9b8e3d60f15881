// The read model's rules for what follows what: batches of one run in order, a new run from its
// first batch, nothing older; book changes from their book's sequence; what a snapshot already
// holds is skipped and not passed on.
import { describe, expect, it } from 'vitest';
import { asPrice, asQuantity, asSequence } from '../engine/index.ts';
import type { MarketEvent } from '../market/market-view.ts';
import type { MarketSnapshot } from '../store/market-snapshot.repo.ts';
import { ReplicaMarketView, type CommittedBatch } from './read-model.ts';

const NOW = 1_800_000_000_000;

function snapshot(sequence: number): MarketSnapshot {
  return {
    symbols: [
      {
        symbol: 'TCS',
        name: 'Tata Consultancy Services Ltd.',
        tick_size: 5,
        reference_price: 410_535,
        status: 'ACTIVE',
        created_at: NOW,
        last_sequence: sequence,
        last_price: null,
        stop_triggers: '[]',
      },
    ] as MarketSnapshot['symbols'],
    openOrders: [],
    balances: [{ user_id: 7, asset: 'INR', available: 100, held: 0, updated_at: NOW }],
    trades: [
      {
        id: 3,
        symbol: 'TCS',
        price: 410_540,
        quantity: 2,
        aggressor_side: 'BUY',
        sequence,
        created_at: NOW,
      },
    ],
  };
}

/** A book change from `prev` to `prev + 1` that sets the 4105.40 bid to `quantity`. */
function book(prev: number, quantity: number): MarketEvent {
  return {
    kind: 'book',
    symbol: 'TCS',
    prevSequence: prev,
    sequence: prev + 1,
    events: [
      {
        type: 'BOOK_LEVEL',
        seq: asSequence(prev + 1),
        side: 'BUY',
        price: asPrice(410_540),
        quantity: asQuantity(quantity),
      },
    ],
  };
}

const batch = (n: number, events: MarketEvent[], run = { epoch: 1, source: 'a' }) =>
  ({ ...run, batch: n, events }) satisfies CommittedBatch;

function view(sequence = 10): { view: ReplicaMarketView; delivered: MarketEvent[] } {
  const v = new ReplicaMarketView();
  v.load(snapshot(sequence));
  const delivered: MarketEvent[] = [];
  v.subscribe({ committed: (events) => delivered.push(...events), resynced: () => {} });
  return { view: v, delivered };
}

describe('ReplicaMarketView', () => {
  it('takes any batch first after a load, then only the next of the same run', () => {
    const { view: v } = view();
    expect(v.apply(batch(41, [book(10, 5)]))).toBe('applied');
    expect(v.apply(batch(42, [book(11, 6)]))).toBe('applied');
    expect(v.depth('TCS', 5)?.bids).toEqual([{ price: 410_540, quantity: 6 }]);
    expect(v.apply(batch(44, []))).toBe('gap');
  });

  it('calls a repeated or lower batch number of the same run a gap: its publisher restarted', () => {
    const { view: v } = view();
    expect(v.apply(batch(5, []))).toBe('applied');
    expect(v.apply(batch(5, []))).toBe('gap');
  });

  it('takes a new run from its first batch, in the same or a later term, never an older term', () => {
    const { view: v } = view();
    expect(v.apply(batch(9, [book(10, 1)]))).toBe('applied');
    expect(v.apply(batch(1, [book(11, 2)], { epoch: 2, source: 'b' }))).toBe('applied');
    expect(v.sequence('TCS')).toBe(12);
    expect(v.apply(batch(2, [], { epoch: 3, source: 'c' }))).toBe('gap');
    const { view: w } = view();
    expect(w.apply(batch(1, [], { epoch: 2, source: 'b' }))).toBe('applied');
    expect(w.apply(batch(1, [], { epoch: 1, source: 'd' }))).toBe('gap');
  });

  it('skips changes the snapshot holds and calls a book change that skips sequences a gap', () => {
    const { view: v, delivered } = view(10);
    const trade: MarketEvent = {
      kind: 'trade',
      symbol: 'TCS',
      id: 3,
      price: 410_540,
      quantity: 2,
      aggressor: 'BUY',
      sequence: 10,
      time: NOW,
    };
    expect(v.apply(batch(1, [book(9, 4), trade]))).toBe('applied');
    expect(delivered).toEqual([]);
    expect(v.ticker('TCS')?.volume).toBe(2);
    expect(v.apply(batch(2, [book(12, 4)]))).toBe('gap');
  });

  it('keeps open orders and balances from whole states, dropping closed orders', () => {
    const { view: v } = view();
    const order = {
      id: 5,
      client_order_id: null,
      symbol: 'TCS',
      side: 'BUY' as const,
      mode: 'LIMIT' as const,
      time_in_force: 'GTC' as const,
      quantity: 4,
      filled_quantity: 0,
      filled_notional: 0,
      fees_paid: 0,
      price: 410_540,
      stop_price: null,
      status: 'OPEN',
      cancel_reason: null,
      post_only: 0,
      created_at: NOW,
      updated_at: NOW,
    };
    v.apply(
      batch(1, [
        { kind: 'order', userId: 7, order },
        { kind: 'balance', userId: 7, asset: 'INR', available: 40, held: 60 },
      ]),
    );
    expect(v.openOrders(7).map((o) => o.id)).toEqual([5]);
    expect(v.balances(7)).toEqual([{ asset: 'INR', available: 40, held: 60 }]);
    v.apply(batch(2, [{ kind: 'order', userId: 7, order: { ...order, status: 'CANCELLED' } }]));
    expect(v.openOrders(7)).toEqual([]);
  });
});
