import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger.ts';
import { historyEvents, type PostingRow, type TradeRow } from './history.ts';
import { adjustmentRef, orderRef, readRef, tradeRef } from './ledger-refs.ts';

const CASH = 'INR';
const FEES = 1;
const TRADERS = [2, 3] as const;

type Op =
  | { op: 'fund'; who: number; asset: string; amount: number; by?: number }
  | { op: 'withdraw'; who: number; amount: number }
  | { op: 'order'; who: number; amount: number }
  | { op: 'trade'; buyer: number; quantity: number; price: number; fee: number };

/** Runs the operations on a real ledger; the postings as the journal stores them, and trades. */
function run(ops: readonly Op[]): { postings: PostingRow[]; trades: Map<number, TradeRow> } {
  const ledger = new Ledger({ cashAsset: CASH, feeAccount: FEES });
  const trades = new Map<number, TradeRow>();
  let orderId = 0;
  for (const o of ops) {
    if (o.op === 'fund') ledger.deposit(o.who, o.asset, o.amount, adjustmentRef('funds', o.by));
    if (o.op === 'withdraw') ledger.withdraw(o.who, CASH, o.amount, adjustmentRef('out', 9));
    if (o.op === 'order') {
      orderId += 1;
      if (ledger.hold(o.who, CASH, o.amount, orderRef(orderId)).ok)
        ledger.release(o.who, CASH, o.amount, orderRef(orderId));
    }
    if (o.op === 'trade') {
      const seller = o.buyer === 2 ? 3 : 2;
      const id = trades.size + 1;
      const cost = o.quantity * o.price + o.fee;
      orderId += 2;
      const buy = ledger.hold(o.buyer, CASH, cost, orderRef(orderId - 1));
      const sell = ledger.hold(seller, 'TCS', o.quantity, orderRef(orderId));
      const settled =
        buy.ok &&
        sell.ok &&
        ledger.settleTrade({
          buyer: o.buyer,
          seller,
          symbol: 'TCS',
          quantity: o.quantity,
          price: o.price,
          buyerFee: o.fee,
          sellerFee: 0,
          ref: tradeRef(id),
        }).ok;
      if (buy.ok && !settled) ledger.release(o.buyer, CASH, cost, orderRef(orderId - 1));
      if (sell.ok && !settled) ledger.release(seller, 'TCS', o.quantity, orderRef(orderId));
      if (settled) {
        trades.set(id, {
          id,
          symbol: 'TCS',
          price: o.price,
          quantity: o.quantity,
          buy_order_id: orderId - 1,
          sell_order_id: orderId,
          buyer_id: o.buyer,
          seller_id: seller,
          aggressor_side: 'BUY',
          buyer_fee: o.fee,
          seller_fee: 0,
          sequence: id,
          created_at: id,
        });
      }
    }
  }
  const postings = ledger.drainEntries().map((e, i) => ({
    id: i + 1,
    tx_id: e.txId,
    user_id: e.account,
    account: e.account === null ? 'external' : e.bucket,
    asset: e.asset,
    amount: e.amount,
    kind: e.kind,
    ref: e.ref,
    created_at: 1_800_000_000_000 + e.txId,
  }));
  return { postings, trades };
}

const who = fc.constantFrom(...TRADERS);
const ops = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('fund' as const),
      who,
      asset: fc.constantFrom(CASH, 'TCS'),
      amount: fc.integer({ min: 1, max: 1_000_000 }),
      by: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
    }),
    fc.record({
      op: fc.constant('withdraw' as const),
      who,
      amount: fc.integer({ min: 1, max: 1e5 }),
    }),
    fc.record({ op: fc.constant('order' as const), who, amount: fc.integer({ min: 1, max: 1e5 }) }),
    fc.record({
      op: fc.constant('trade' as const),
      buyer: who,
      quantity: fc.integer({ min: 1, max: 20 }),
      price: fc.integer({ min: 1, max: 10_000 }),
      fee: fc.integer({ min: 0, max: 500 }),
    }),
  ),
  { maxLength: 30 },
);

/** The events of one account over its whole history, as the service builds them. */
function eventsOf(userId: number, postings: readonly PostingRow[], trades: Map<number, TradeRow>) {
  const own = postings
    .filter((p) => p.user_id === userId && p.kind !== 'HOLD' && p.kind !== 'RELEASE')
    .sort((a, b) => b.tx_id - a.tx_id || a.id - b.id);
  const cash = own.filter((p) => p.asset === CASH).reduce((n, p) => n + p.amount, 0);
  return {
    own,
    events: historyEvents({
      userId,
      cashAsset: CASH,
      postings: own,
      trades,
      cashAfterNewest: cash,
    }),
  };
}

describe('history events', () => {
  it('nest every posting once, sum to their cash, and chain the cash balance back to zero', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { postings, trades } = run(list);
        for (const userId of [...TRADERS, FEES]) {
          const { own, events } = eventsOf(userId, postings, trades);
          const nested = events.flatMap((e) => e.postings);
          expect([...nested].sort((a, b) => a.id - b.id)).toEqual(
            [...own].sort((a, b) => a.id - b.id),
          );
          const txs = events.map((e) => e.txId);
          expect(txs).toEqual([...new Set(txs)].sort((a, b) => b - a));
          let older = 0;
          for (const e of [...events].reverse()) {
            expect(e.postings.every((p) => p.tx_id === e.txId)).toBe(true);
            const cash = e.postings
              .filter((p) => p.asset === CASH)
              .reduce((n, p) => n + p.amount, 0);
            expect(e.cash).toBe(cash);
            expect(e.cashAfter).toBe(older + cash);
            older = e.cashAfter;
            if (e.kind === 'TRADE') {
              const t = e.trade;
              if (t === null) throw new Error('a TRADE event without its trade');
              expect(t.side).toBe(trades.get(t.tradeId)?.buyer_id === userId ? 'BUY' : 'SELL');
              const notional = t.quantity * t.price;
              expect(e.cash).toBe(t.side === 'BUY' ? -(notional + t.fee) : notional - t.fee);
            }
            if (e.kind === 'FEE') expect(userId).toBe(FEES);
            if (e.kind === 'ADJUSTMENT') expect(e.reason).toMatch(/^(funds|out)$/);
          }
        }
      }),
    );
  });

  it('tells a share deposit in shares and an administrator’s credit as an adjustment', () => {
    const { postings, trades } = run([
      { op: 'fund', who: 2, asset: 'TCS', amount: 50 },
      { op: 'fund', who: 2, asset: CASH, amount: 50_000, by: 7 },
    ]);
    const { events } = eventsOf(2, postings, trades);
    expect(events.map((e) => [e.kind, e.asset, e.amount, e.cash, e.reason, e.cashAfter])).toEqual([
      ['ADJUSTMENT', CASH, 50_000, 50_000, 'funds', 50_000],
      ['DEPOSIT', 'TCS', 50, 0, 'funds', 0],
    ]);
  });
});

describe('ledger refs', () => {
  it('read back what the exchange writes', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.integer({ min: 1, max: 2 ** 40 }), (id, reason, by) => {
        expect(readRef(tradeRef(id))).toEqual({ kind: 'trade', tradeId: id });
        expect(readRef(orderRef(id))).toEqual({ kind: 'order', orderId: id });
        expect(readRef(adjustmentRef(reason, by))).toEqual({
          kind: 'adjustment',
          by,
          reason: `adjustment:${by}:${reason}`.slice(0, 200).slice(`adjustment:${by}:`.length),
        });
        expect(readRef(adjustmentRef(reason))).toEqual({
          kind: 'funding',
          reason: `admin:${reason}`.slice(0, 200).slice('admin:'.length),
        });
      }),
    );
  });

  it('keep the administrator of a long reason, and read the refs written before they led', () => {
    expect(readRef(adjustmentRef('x'.repeat(300), 12))).toMatchObject({
      kind: 'adjustment',
      by: 12,
    });
    expect(readRef('admin:refund (by admin 4) (by admin 5)')).toEqual({
      kind: 'adjustment',
      reason: 'refund (by admin 4)',
      by: 5,
    });
    expect(readRef('admin:starting balance')).toEqual({
      kind: 'funding',
      reason: 'starting balance',
    });
    expect(readRef(null)).toEqual({ kind: 'other' });
    expect(readRef('trade:12x')).toEqual({ kind: 'other' });
  });
});
