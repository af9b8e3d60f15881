// Property tests: random operation streams agree with an obvious model, never go negative, keep
// every transaction balanced, conserve each asset, and replay exactly from their entries; a buy
// order's hold covers any split of its fills.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accrueFee, buyHold, buyHoldRemaining, feeFor, NO_FEES_ACCRUED } from './fees.ts';
import type { FeeAccrual } from './fees.ts';
import { Ledger } from './ledger.ts';
import { replayEntries } from './replay.ts';
import type { LedgerCode, LedgerEntry, LedgerResult } from './types.ts';

const INR = 'INR';
const TCS = 'TCS';
const FEES = 99;
const ASSETS = [INR, TCS] as const;

type Simple = 'deposit' | 'withdraw' | 'hold' | 'release';
type Op =
  | { readonly type: Simple; account: number; asset: string; amount: number }
  | {
      readonly type: 'settle';
      buyer: number;
      seller: number;
      quantity: number;
      price: number;
      buyerBps: number;
      sellerBps: number;
    };

const account = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(1, 2, FEES) },
  { weight: 1, arbitrary: fc.constantFrom(0, -4, 1.5) },
);
/**
 * An absolute amount (often too large, sometimes invalid) or a share of the balance it acts on,
 * resolved against the model's state when the op runs so that most operations can succeed.
 */
type Size = { readonly abs: number } | { readonly permille: number };
const size = fc.oneof(
  { weight: 2, arbitrary: fc.record({ abs: fc.integer({ min: 1, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ abs: fc.constantFrom(0, -1, 2.5, Number.NaN) }) },
  { weight: 6, arbitrary: fc.record({ permille: fc.integer({ min: 1, max: 1_100 }) }) },
);
type AbstractOp =
  | { readonly type: Simple; account: number; asset: string; size: Size }
  | {
      readonly type: 'settle';
      buyer: number;
      seller: number;
      quantity: Size;
      price: Size;
      buyerBps: number;
      sellerBps: number;
    };
const simpleOp = fc.record({
  type: fc.constantFrom<Simple>(
    'deposit',
    'deposit',
    'withdraw',
    'hold',
    'hold',
    'hold',
    'release',
  ),
  account,
  asset: fc.constantFrom(...ASSETS),
  size,
});
const settleOp = fc.record({
  type: fc.constant('settle' as const),
  buyer: account,
  seller: account,
  quantity: size,
  price: size,
  buyerBps: fc.integer({ min: 0, max: 1_000 }),
  sellerBps: fc.integer({ min: 0, max: 1_000 }),
});
const ops = fc.array(
  fc.oneof({ weight: 3, arbitrary: simpleOp }, { weight: 2, arbitrary: settleOp }),
  { minLength: 20, maxLength: 80 },
);

/** Every valid account starts with some of each asset available and some held. */
const PRELUDE: AbstractOp[] = [1, 2, FEES].flatMap((account) =>
  ASSETS.flatMap((asset): AbstractOp[] => [
    { type: 'deposit', account, asset, size: { abs: asset === INR ? 1_000_000 : 1_000 } },
    { type: 'hold', account, asset, size: { permille: 500 } },
  ]),
);

const share = (s: Size, of: number): number =>
  'abs' in s ? s.abs : Math.max(1, Math.floor((of * s.permille) / 1_000));

const isAmount = (n: number): boolean => Number.isInteger(n) && n > 0;

/** The obvious model: a flat map of rows and the rules spelled out once more. */
class Model {
  readonly rows = new Map<string, { available: number; held: number }>();
  readonly external = new Map<string, number>([
    [INR, 0],
    [TCS, 0],
  ]);

  private row(account: number, asset: string): { available: number; held: number } {
    const key = `${account}|${asset}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { available: 0, held: 0 };
      this.rows.set(key, row);
    }
    return row;
  }

  private peek(account: number, asset: string): { available: number; held: number } {
    return this.rows.get(`${account}|${asset}`) ?? { available: 0, held: 0 };
  }

  /** Turns relative sizes into amounts, from the balances the op will act on. */
  concrete(op: AbstractOp): Op {
    if (op.type === 'settle') {
      const quantity = share(op.quantity, this.peek(op.seller, TCS).held);
      const cash = this.peek(op.buyer, INR).held;
      // The highest price whose notional plus a 10% fee the buyer's held cash covers.
      const affordable =
        Number.isInteger(quantity) && quantity > 0 ? (cash * 10) / (quantity * 11) : 0;
      const price = share(op.price, Math.floor(affordable));
      return { ...op, quantity, price };
    }
    const row = this.peek(op.account, op.asset);
    const base = op.type === 'release' ? row.held : op.type === 'deposit' ? 100_000 : row.available;
    return { type: op.type, account: op.account, asset: op.asset, amount: share(op.size, base) };
  }

  apply(op: Op): LedgerCode | null {
    const validAccount = (a: number): boolean => a === FEES || (Number.isInteger(a) && a > 0);
    if (op.type === 'settle') {
      if (!validAccount(op.buyer) || !validAccount(op.seller)) return 'INVALID_ACCOUNT';
      if (op.buyer === op.seller) return 'SELF_TRADE';
      if (!isAmount(op.quantity) || !isAmount(op.price)) return 'INVALID_AMOUNT';
      const notional = op.quantity * op.price;
      const buyerFee = feeFor(notional, op.buyerBps);
      const sellerFee = feeFor(notional, op.sellerBps);
      if (this.peek(op.buyer, INR).held < notional + buyerFee) return 'HOLD_SHORT';
      if (this.peek(op.seller, TCS).held < op.quantity) return 'HOLD_SHORT';
      this.row(op.buyer, INR).held -= notional + buyerFee;
      this.row(op.seller, TCS).held -= op.quantity;
      this.row(op.seller, INR).available += notional - sellerFee;
      this.row(op.buyer, TCS).available += op.quantity;
      if (buyerFee + sellerFee > 0) this.row(FEES, INR).available += buyerFee + sellerFee;
      return null;
    }
    if (!validAccount(op.account)) return 'INVALID_ACCOUNT';
    if (!isAmount(op.amount)) return 'INVALID_AMOUNT';
    const have = this.peek(op.account, op.asset);
    const short = op.asset === INR ? 'INSUFFICIENT_FUNDS' : 'INSUFFICIENT_SHARES';
    switch (op.type) {
      case 'deposit':
        this.row(op.account, op.asset).available += op.amount;
        this.external.set(op.asset, (this.external.get(op.asset) ?? 0) + op.amount);
        return null;
      case 'withdraw':
        if (have.available < op.amount) return short;
        this.row(op.account, op.asset).available -= op.amount;
        this.external.set(op.asset, (this.external.get(op.asset) ?? 0) - op.amount);
        return null;
      case 'hold':
        if (have.available < op.amount) return short;
        this.row(op.account, op.asset).available -= op.amount;
        this.row(op.account, op.asset).held += op.amount;
        return null;
      case 'release':
        if (have.held < op.amount) return 'HOLD_SHORT';
        this.row(op.account, op.asset).held -= op.amount;
        this.row(op.account, op.asset).available += op.amount;
        return null;
    }
  }
}

function run(ledger: Ledger, op: Op): LedgerResult {
  if (op.type !== 'settle') {
    const ref = `${op.type}:${op.account}`;
    switch (op.type) {
      case 'deposit':
        return ledger.deposit(op.account, op.asset, op.amount, ref);
      case 'withdraw':
        return ledger.withdraw(op.account, op.asset, op.amount, ref);
      case 'hold':
        return ledger.hold(op.account, op.asset, op.amount, ref);
      case 'release':
        return ledger.release(op.account, op.asset, op.amount, ref);
    }
  }
  const notional = op.quantity * op.price;
  const fee = (bps: number): number => (isAmount(notional) ? feeFor(notional, bps) : 0);
  return ledger.settleTrade({
    buyer: op.buyer,
    seller: op.seller,
    symbol: TCS,
    quantity: op.quantity,
    price: op.price,
    buyerFee: fee(op.buyerBps),
    sellerFee: fee(op.sellerBps),
    ref: 'trade',
  });
}

function ledgerRows(ledger: Ledger): Map<string, { available: number; held: number }> {
  const rows = new Map<string, { available: number; held: number }>();
  for (const r of ledger.balances()) {
    rows.set(`${r.account}|${r.asset}`, { available: r.available, held: r.held });
  }
  return rows;
}

function expectBalanced(entries: readonly LedgerEntry[], txId: number): void {
  const sums = new Map<string, number>();
  const byKind = new Map<string, number>();
  for (const e of entries) {
    expect(e.txId).toBe(txId);
    expect(Number.isSafeInteger(e.amount) && e.amount !== 0).toBe(true);
    sums.set(e.asset, (sums.get(e.asset) ?? 0) + e.amount);
    byKind.set(`${e.kind}|${e.asset}`, (byKind.get(`${e.kind}|${e.asset}`) ?? 0) + e.amount);
  }
  for (const sum of sums.values()) expect(sum).toBe(0);
  for (const sum of byKind.values()) expect(sum).toBe(0);
}

describe('Ledger on random operation streams', () => {
  it('matches the model, never goes negative, balances every transaction, conserves and replays', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(ops, (stream) => {
        const ledger = new Ledger({ cashAsset: INR, feeAccount: FEES });
        const model = new Model();
        const journal: LedgerEntry[] = [];
        let nextTxId = 1;
        for (const abstract of [...PRELUDE, ...stream]) {
          const op = model.concrete(abstract);
          const expected = model.apply(op);
          const result = run(ledger, op);
          const entries = ledger.drainEntries();
          if (expected === null) {
            expect(result).toEqual({ ok: true, txId: nextTxId });
            expect(entries.length).toBeGreaterThan(0);
            expectBalanced(entries, nextTxId);
            nextTxId += 1;
          } else {
            expect(result).toEqual({ ok: false, code: expected });
            expect(entries).toEqual([]);
          }
          const outcome = `${op.type}:${result.ok ? 'ok' : result.code}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          journal.push(...entries);
          expect(ledgerRows(ledger)).toEqual(model.rows);
          expect(ledger.checkInvariants(undefined, model.external)).toEqual([]);
          for (const asset of ASSETS) expect(ledger.totals(asset)).toBe(model.external.get(asset));
        }
        expect(ledger.nextTxId).toBe(nextTxId);
        expect(replayEntries(journal)).toEqual([...ledger.balances()]);
      }),
      { numRuns: 600 },
    );
    // The streams must really exercise each path, successes and refusals alike.
    for (const outcome of [
      'deposit:ok',
      'withdraw:ok',
      'hold:ok',
      'release:ok',
      'settle:ok',
      'withdraw:INSUFFICIENT_FUNDS',
      'hold:INSUFFICIENT_SHARES',
      'release:HOLD_SHORT',
      'settle:HOLD_SHORT',
      'settle:SELF_TRADE',
      'deposit:INVALID_AMOUNT',
      'hold:INVALID_ACCOUNT',
    ]) {
      expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(25);
    }
  });
});

describe('a buy order over the ledger', () => {
  it('holds enough for any split of its fills: settle never refuses, each release is >= 0', () => {
    const BUYER = 1;
    const SELLER = 2;
    const order = fc.record({
      limit: fc.integer({ min: 1, max: 1_000_000 }),
      quantity: fc.integer({ min: 1, max: 100_000 }),
      maker: fc.integer({ min: 0, max: 1_000 }),
      taker: fc.integer({ min: 0, max: 1_000 }),
    });
    const fill = fc.record({
      share: fc.integer({ min: 1, max: 100 }),
      improvement: fc.integer({ min: 0, max: 100 }),
      buyerIsMaker: fc.boolean(),
    });
    fc.assert(
      fc.property(order, fc.array(fill, { maxLength: 15 }), (o, fills) => {
        const ledger = new Ledger({ cashAsset: INR, feeAccount: FEES });
        const initial = buyHold(o.quantity, o.limit, o.maker, o.taker);
        ledger.deposit(BUYER, INR, initial, 'dep');
        expect(ledger.hold(BUYER, INR, initial, 'order:1').ok).toBe(true);
        ledger.deposit(SELLER, TCS, o.quantity, 'dep');
        expect(ledger.hold(SELLER, TCS, o.quantity, 'order:2').ok).toBe(true);

        let remaining = o.quantity;
        let buyerAccrual: FeeAccrual = NO_FEES_ACCRUED;
        let sellerAccrual: FeeAccrual = NO_FEES_ACCRUED;
        let feesPaid = 0;
        for (const f of fills) {
          if (remaining === 0) break;
          const n = Math.max(1, Math.floor((remaining * f.share) / 100));
          const price = Math.max(1, o.limit - Math.floor((o.limit * f.improvement) / 100));
          const notional = n * price;
          const buyerStep = accrueFee(buyerAccrual, notional, f.buyerIsMaker ? o.maker : o.taker);
          const sellerStep = accrueFee(sellerAccrual, notional, f.buyerIsMaker ? o.taker : o.maker);
          buyerAccrual = buyerStep.accrual;
          sellerAccrual = sellerStep.accrual;
          const heldBefore = ledger.balance(BUYER, INR).held;
          const settled = ledger.settleTrade({
            buyer: BUYER,
            seller: SELLER,
            symbol: TCS,
            quantity: n,
            price,
            buyerFee: buyerStep.fee,
            sellerFee: sellerStep.fee,
            ref: 'fill',
          });
          expect(settled.ok).toBe(true);
          feesPaid += buyerStep.fee + sellerStep.fee;
          remaining -= n;
          const need = buyHoldRemaining(remaining, o.limit, o.maker, o.taker, buyerAccrual);
          const excess = heldBefore - (notional + buyerStep.fee) - need;
          expect(excess).toBeGreaterThanOrEqual(0);
          if (excess > 0) expect(ledger.release(BUYER, INR, excess, 'order:1').ok).toBe(true);
          const claims = [
            { account: BUYER, asset: INR, amount: need },
            { account: SELLER, asset: TCS, amount: remaining },
          ];
          expect(ledger.checkInvariants(claims)).toEqual([]);
        }
        // Cancel: give back what is left.
        const left = ledger.balance(BUYER, INR).held;
        if (left > 0) expect(ledger.release(BUYER, INR, left, 'order:1').ok).toBe(true);
        expect(ledger.balance(BUYER, INR).held).toBe(0);
        expect(ledger.balance(FEES, INR).available).toBe(feesPaid);
        expect(ledger.totals(INR)).toBe(initial);
        expect(ledger.totals(TCS)).toBe(o.quantity);
      }),
      { numRuns: 2_000 },
    );
  });
});
