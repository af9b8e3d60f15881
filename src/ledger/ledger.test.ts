// Every ledger operation, its entries and each refusal; a refusal must leave balances, rows,
// entries and the next transaction id exactly as they were.
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { replayEntries } from './replay.ts';
import type { LedgerCode, LedgerEntry, LedgerResult, TradeSettlement } from './types.ts';

const INR = 'INR';
const TCS = 'TCS';
const FEES = 9_999;
const ALICE = 1;
const BOB = 2;

const fresh = (): Ledger => new Ledger({ cashAsset: INR, feeAccount: FEES });

/** Asserts the refusal code and that nothing observable changed. */
function expectRefused(ledger: Ledger, run: () => LedgerResult, code: LedgerCode): void {
  ledger.drainEntries();
  const rows = [...ledger.balances()];
  const accounts = [...ledger.accounts()];
  const next = ledger.nextTxId;
  expect(run()).toEqual({ ok: false, code });
  expect([...ledger.balances()]).toEqual(rows);
  expect([...ledger.accounts()]).toEqual(accounts);
  expect(ledger.nextTxId).toBe(next);
  expect(ledger.drainEntries()).toEqual([]);
}

function sumsByAsset(entries: readonly LedgerEntry[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const e of entries) sums.set(e.asset, (sums.get(e.asset) ?? 0) + e.amount);
  return sums;
}

/** Alice holds cash for a buy, Bob holds shares for a sell. */
function tradingPair(cash = 1_000_000, shares = 100): Ledger {
  const ledger = fresh();
  ledger.deposit(ALICE, INR, cash, 'dep:a');
  ledger.hold(ALICE, INR, cash, 'order:1');
  ledger.deposit(BOB, TCS, shares, 'dep:b');
  ledger.hold(BOB, TCS, shares, 'order:2');
  ledger.drainEntries();
  return ledger;
}

const trade = (extra: Partial<TradeSettlement> = {}): TradeSettlement => ({
  buyer: ALICE,
  seller: BOB,
  symbol: TCS,
  quantity: 10,
  price: 50_000,
  buyerFee: 125,
  sellerFee: 100,
  ref: 'trade:7',
  ...extra,
});

describe('Ledger construction', () => {
  it('starts at transaction 1 unless told otherwise', () => {
    expect(fresh().nextTxId).toBe(1);
    const ledger = new Ledger({ cashAsset: INR, feeAccount: 0, nextTxId: 42 });
    expect(ledger.deposit(ALICE, INR, 5, 'd')).toEqual({ ok: true, txId: 42 });
    expect(ledger.nextTxId).toBe(43);
  });

  it('throws on a bad configuration (a bug, not a business rule)', () => {
    expect(() => new Ledger({ cashAsset: '', feeAccount: 0 })).toThrow(RangeError);
    expect(() => new Ledger({ cashAsset: INR, feeAccount: 1.5 })).toThrow(RangeError);
    expect(() => new Ledger({ cashAsset: INR, feeAccount: 0, nextTxId: 0 })).toThrow(RangeError);
  });
});

describe('balance and listings', () => {
  it('answers zeros for an unknown account or asset without creating a row', () => {
    const ledger = fresh();
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 0, held: 0 });
    expect([...ledger.accounts()]).toEqual([]);
  });

  it('lists accounts and rows in the order first seen, as snapshots', () => {
    const ledger = fresh();
    ledger.deposit(BOB, TCS, 5, 'd1');
    ledger.deposit(ALICE, INR, 7, 'd2');
    ledger.deposit(BOB, INR, 9, 'd3');
    expect([...ledger.accounts()]).toEqual([BOB, ALICE]);
    expect([...ledger.balancesOf(BOB)]).toEqual([
      { account: BOB, asset: TCS, available: 5, held: 0 },
      { account: BOB, asset: INR, available: 9, held: 0 },
    ]);
    expect([...ledger.balancesOf(12345)]).toEqual([]);
    expect([...ledger.balances()]).toHaveLength(3);
    const snapshot = ledger.balance(BOB, TCS) as { available: number };
    snapshot.available = 1_000;
    expect(ledger.balance(BOB, TCS).available).toBe(5);
  });

  it('totals an asset over every account, fee account included', () => {
    const ledger = tradingPair();
    ledger.settleTrade(trade());
    expect(ledger.totals(INR)).toBe(1_000_000);
    expect(ledger.totals(TCS)).toBe(100);
    expect(ledger.balance(FEES, INR).available).toBe(225);
    expect(ledger.totals('INFY')).toBe(0);
  });
});

describe('deposit', () => {
  it('credits available and balances against the outside world', () => {
    const ledger = fresh();
    expect(ledger.deposit(ALICE, INR, 50_000, 'dep:1')).toEqual({ ok: true, txId: 1 });
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 50_000, held: 0 });
    expect(ledger.drainEntries()).toEqual([
      {
        txId: 1,
        account: null,
        bucket: 'available',
        asset: INR,
        amount: -50_000,
        kind: 'DEPOSIT',
        ref: 'dep:1',
      },
      {
        txId: 1,
        account: ALICE,
        bucket: 'available',
        asset: INR,
        amount: 50_000,
        kind: 'DEPOSIT',
        ref: 'dep:1',
      },
    ]);
  });

  it('accepts the fee account even when it is not a positive id', () => {
    const ledger = new Ledger({ cashAsset: INR, feeAccount: 0 });
    expect(ledger.deposit(0, INR, 1, 'd').ok).toBe(true);
    expect(ledger.balance(0, INR).available).toBe(1);
  });

  it('refuses a bad account, asset or amount', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, 10, 'd');
    for (const account of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expectRefused(ledger, () => ledger.deposit(account, INR, 1, 'd'), 'INVALID_ACCOUNT');
    }
    expectRefused(ledger, () => ledger.deposit(ALICE, '', 1, 'd'), 'INVALID_ASSET');
    for (const amount of [0, -5, 1.5, Number.NaN, Infinity, 2 ** 53]) {
      expectRefused(ledger, () => ledger.deposit(ALICE, INR, amount, 'd'), 'INVALID_AMOUNT');
    }
  });

  it('refuses to pass Number.MAX_SAFE_INTEGER', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, Number.MAX_SAFE_INTEGER - 1, 'd');
    expectRefused(ledger, () => ledger.deposit(ALICE, INR, 2, 'd'), 'BALANCE_OVERFLOW');
    expect(ledger.deposit(ALICE, INR, 1, 'd').ok).toBe(true);
  });
});

describe('withdraw', () => {
  it('debits available and credits the outside world', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, TCS, 30, 'd');
    ledger.drainEntries();
    expect(ledger.withdraw(ALICE, TCS, 30, 'w:1')).toEqual({ ok: true, txId: 2 });
    expect(ledger.balance(ALICE, TCS)).toEqual({ available: 0, held: 0 });
    expect(ledger.drainEntries()).toEqual([
      {
        txId: 2,
        account: ALICE,
        bucket: 'available',
        asset: TCS,
        amount: -30,
        kind: 'WITHDRAWAL',
        ref: 'w:1',
      },
      {
        txId: 2,
        account: null,
        bucket: 'available',
        asset: TCS,
        amount: 30,
        kind: 'WITHDRAWAL',
        ref: 'w:1',
      },
    ]);
  });

  it('never touches what is held', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, 100, 'd');
    ledger.hold(ALICE, INR, 60, 'o');
    expectRefused(ledger, () => ledger.withdraw(ALICE, INR, 41, 'w'), 'INSUFFICIENT_FUNDS');
    expect(ledger.withdraw(ALICE, INR, 40, 'w').ok).toBe(true);
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 0, held: 60 });
  });

  it('says shares, not funds, for a symbol, and refuses an unknown account', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, TCS, 1, 'd');
    expectRefused(ledger, () => ledger.withdraw(ALICE, TCS, 2, 'w'), 'INSUFFICIENT_SHARES');
    expectRefused(ledger, () => ledger.withdraw(BOB, INR, 1, 'w'), 'INSUFFICIENT_FUNDS');
    expectRefused(ledger, () => ledger.withdraw(ALICE, TCS, 0, 'w'), 'INVALID_AMOUNT');
  });
});

describe('hold', () => {
  it('moves available to held with two HOLD entries', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, 1_000, 'd');
    ledger.drainEntries();
    expect(ledger.hold(ALICE, INR, 1_000, 'order:9')).toEqual({ ok: true, txId: 2 });
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 0, held: 1_000 });
    expect(ledger.drainEntries()).toEqual([
      {
        txId: 2,
        account: ALICE,
        bucket: 'available',
        asset: INR,
        amount: -1_000,
        kind: 'HOLD',
        ref: 'order:9',
      },
      {
        txId: 2,
        account: ALICE,
        bucket: 'held',
        asset: INR,
        amount: 1_000,
        kind: 'HOLD',
        ref: 'order:9',
      },
    ]);
  });

  it('refuses more than is available: funds for cash, shares for a symbol', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, 1_000, 'd');
    ledger.deposit(ALICE, TCS, 5, 'd');
    expectRefused(ledger, () => ledger.hold(ALICE, INR, 1_001, 'o'), 'INSUFFICIENT_FUNDS');
    expectRefused(ledger, () => ledger.hold(ALICE, TCS, 6, 'o'), 'INSUFFICIENT_SHARES');
    expectRefused(ledger, () => ledger.hold(BOB, TCS, 1, 'o'), 'INSUFFICIENT_SHARES');
    expectRefused(ledger, () => ledger.hold(ALICE, INR, -1, 'o'), 'INVALID_AMOUNT');
    expectRefused(ledger, () => ledger.hold(-3, INR, 1, 'o'), 'INVALID_ACCOUNT');
  });

  it('refuses a held amount past Number.MAX_SAFE_INTEGER', () => {
    const ledger = fresh();
    ledger.load(ALICE, INR, { available: 10, held: Number.MAX_SAFE_INTEGER - 5 });
    expectRefused(ledger, () => ledger.hold(ALICE, INR, 6, 'o'), 'BALANCE_OVERFLOW');
  });
});

describe('release', () => {
  it('moves held back to available with two RELEASE entries', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, TCS, 8, 'd');
    ledger.hold(ALICE, TCS, 8, 'o');
    ledger.drainEntries();
    expect(ledger.release(ALICE, TCS, 3, 'o')).toEqual({ ok: true, txId: 3 });
    expect(ledger.balance(ALICE, TCS)).toEqual({ available: 3, held: 5 });
    expect(ledger.drainEntries()).toEqual([
      {
        txId: 3,
        account: ALICE,
        bucket: 'held',
        asset: TCS,
        amount: -3,
        kind: 'RELEASE',
        ref: 'o',
      },
      {
        txId: 3,
        account: ALICE,
        bucket: 'available',
        asset: TCS,
        amount: 3,
        kind: 'RELEASE',
        ref: 'o',
      },
    ]);
  });

  it('refuses to release more than is held (HOLD_SHORT), never going negative', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, TCS, 8, 'd');
    ledger.hold(ALICE, TCS, 2, 'o');
    expectRefused(ledger, () => ledger.release(ALICE, TCS, 3, 'o'), 'HOLD_SHORT');
    expectRefused(ledger, () => ledger.release(BOB, TCS, 1, 'o'), 'HOLD_SHORT');
    expectRefused(ledger, () => ledger.release(ALICE, TCS, 0, 'o'), 'INVALID_AMOUNT');
    expect(ledger.balance(ALICE, TCS)).toEqual({ available: 6, held: 2 });
  });
});

describe('settleTrade', () => {
  it('moves cash, shares and fees as one balanced transaction', () => {
    const ledger = tradingPair();
    expect(ledger.settleTrade(trade())).toEqual({ ok: true, txId: 5 });
    // notional 10 * 50,000 = 500,000 paise
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 0, held: 1_000_000 - 500_125 });
    expect(ledger.balance(ALICE, TCS)).toEqual({ available: 10, held: 0 });
    expect(ledger.balance(BOB, TCS)).toEqual({ available: 0, held: 90 });
    expect(ledger.balance(BOB, INR)).toEqual({ available: 499_900, held: 0 });
    expect(ledger.balance(FEES, INR)).toEqual({ available: 225, held: 0 });
    const entries = ledger.drainEntries();
    const r = 'trade:7';
    expect(entries).toEqual([
      {
        txId: 5,
        account: ALICE,
        bucket: 'held',
        asset: INR,
        amount: -500_000,
        kind: 'TRADE',
        ref: r,
      },
      {
        txId: 5,
        account: BOB,
        bucket: 'available',
        asset: INR,
        amount: 500_000,
        kind: 'TRADE',
        ref: r,
      },
      { txId: 5, account: BOB, bucket: 'held', asset: TCS, amount: -10, kind: 'TRADE', ref: r },
      {
        txId: 5,
        account: ALICE,
        bucket: 'available',
        asset: TCS,
        amount: 10,
        kind: 'TRADE',
        ref: r,
      },
      { txId: 5, account: ALICE, bucket: 'held', asset: INR, amount: -125, kind: 'FEE', ref: r },
      { txId: 5, account: BOB, bucket: 'available', asset: INR, amount: -100, kind: 'FEE', ref: r },
      { txId: 5, account: FEES, bucket: 'available', asset: INR, amount: 225, kind: 'FEE', ref: r },
    ]);
    expect(sumsByAsset(entries)).toEqual(
      new Map([
        [INR, 0],
        [TCS, 0],
      ]),
    );
  });

  it('records no FEE entries when both fees are zero, and only the paying side when one is', () => {
    const ledger = tradingPair();
    ledger.settleTrade(trade({ buyerFee: 0, sellerFee: 0 }));
    const noFee = ledger.drainEntries();
    expect(noFee.map((e) => e.kind)).toEqual(['TRADE', 'TRADE', 'TRADE', 'TRADE']);
    expect([...ledger.accounts()]).not.toContain(FEES);
    ledger.settleTrade(trade({ buyerFee: 0, sellerFee: 3 }));
    const sellerOnly = ledger.drainEntries().filter((e) => e.kind === 'FEE');
    expect(sellerOnly.map((e) => [e.account, e.amount])).toEqual([
      [BOB, -3],
      [FEES, 3],
    ]);
  });

  it('takes exactly the held cash when it covers notional plus fee to the paisa', () => {
    const ledger = tradingPair(500_125);
    expect(ledger.settleTrade(trade()).ok).toBe(true);
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 0, held: 0 });
  });

  it('refuses when the buyer holds one paisa too little, fee included', () => {
    const ledger = tradingPair(500_124);
    expectRefused(ledger, () => ledger.settleTrade(trade()), 'HOLD_SHORT');
  });

  it('refuses when the seller holds too few shares, or holds them only as available', () => {
    const short = tradingPair(1_000_000, 9);
    expectRefused(short, () => short.settleTrade(trade()), 'HOLD_SHORT');
    const unheld = fresh();
    unheld.deposit(ALICE, INR, 1_000_000, 'd');
    unheld.hold(ALICE, INR, 1_000_000, 'o');
    unheld.deposit(BOB, TCS, 100, 'd');
    expectRefused(unheld, () => unheld.settleTrade(trade()), 'HOLD_SHORT');
  });

  it('refuses a self-trade, bad accounts, a cash symbol and bad amounts', () => {
    const ledger = tradingPair();
    expectRefused(ledger, () => ledger.settleTrade(trade({ seller: ALICE })), 'SELF_TRADE');
    expectRefused(ledger, () => ledger.settleTrade(trade({ buyer: 0 })), 'INVALID_ACCOUNT');
    expectRefused(ledger, () => ledger.settleTrade(trade({ seller: 2.5 })), 'INVALID_ACCOUNT');
    expectRefused(ledger, () => ledger.settleTrade(trade({ symbol: INR })), 'INVALID_ASSET');
    expectRefused(ledger, () => ledger.settleTrade(trade({ symbol: '' })), 'INVALID_ASSET');
    expectRefused(ledger, () => ledger.settleTrade(trade({ quantity: 0 })), 'INVALID_AMOUNT');
    expectRefused(ledger, () => ledger.settleTrade(trade({ price: -1 })), 'INVALID_AMOUNT');
    expectRefused(ledger, () => ledger.settleTrade(trade({ price: 0.5 })), 'INVALID_AMOUNT');
    expectRefused(
      ledger,
      () => ledger.settleTrade(trade({ quantity: 2 ** 27, price: 2 ** 27 })),
      'INVALID_AMOUNT',
    );
  });

  it('refuses a negative or fractional fee, and a seller fee above the notional', () => {
    const ledger = tradingPair();
    expectRefused(ledger, () => ledger.settleTrade(trade({ buyerFee: -1 })), 'INVALID_FEE');
    expectRefused(ledger, () => ledger.settleTrade(trade({ sellerFee: 0.5 })), 'INVALID_FEE');
    expectRefused(ledger, () => ledger.settleTrade(trade({ sellerFee: 500_001 })), 'INVALID_FEE');
    expectRefused(
      ledger,
      () => ledger.settleTrade(trade({ buyerFee: Number.MAX_SAFE_INTEGER })),
      'INVALID_FEE',
    );
    expect(ledger.settleTrade(trade({ sellerFee: 500_000 })).ok).toBe(true);
    expect(ledger.balance(BOB, INR).available).toBe(0);
  });

  it('refuses a credit past Number.MAX_SAFE_INTEGER', () => {
    const ledger = tradingPair();
    ledger.load(BOB, INR, { available: Number.MAX_SAFE_INTEGER - 10, held: 0 });
    expectRefused(ledger, () => ledger.settleTrade(trade()), 'BALANCE_OVERFLOW');
    const shares = tradingPair();
    shares.load(ALICE, TCS, { available: Number.MAX_SAFE_INTEGER - 5, held: 0 });
    expectRefused(shares, () => shares.settleTrade(trade()), 'BALANCE_OVERFLOW');
    const fees = tradingPair();
    fees.load(FEES, INR, { available: Number.MAX_SAFE_INTEGER - 100, held: 0 });
    expectRefused(fees, () => fees.settleTrade(trade()), 'BALANCE_OVERFLOW');
  });

  it('settles when the fee account is the seller or the buyer, conserving every asset', () => {
    for (const role of ['seller', 'buyer'] as const) {
      const ledger = fresh();
      const buyer = role === 'buyer' ? FEES : ALICE;
      const seller = role === 'seller' ? FEES : BOB;
      ledger.deposit(buyer, INR, 600_000, 'd');
      ledger.hold(buyer, INR, 600_000, 'o');
      ledger.deposit(seller, TCS, 10, 'd');
      ledger.hold(seller, TCS, 10, 'o');
      expect(ledger.settleTrade(trade({ buyer, seller })).ok).toBe(true);
      expect(ledger.totals(INR)).toBe(600_000);
      expect(ledger.totals(TCS)).toBe(10);
      expect(ledger.checkInvariants()).toEqual([]);
      const fee = role === 'seller' ? 499_900 + 225 : 225;
      expect(ledger.balance(FEES, INR).available).toBe(fee);
    }
  });
});

describe('transaction ids and entries', () => {
  it('gives each success the next id; refusals take none', () => {
    const ledger = fresh();
    expect(ledger.deposit(ALICE, INR, 10, 'a')).toEqual({ ok: true, txId: 1 });
    expect(ledger.withdraw(ALICE, INR, 11, 'b').ok).toBe(false);
    expect(ledger.hold(ALICE, INR, 10, 'c')).toEqual({ ok: true, txId: 2 });
    expect(ledger.release(ALICE, INR, 10, 'd')).toEqual({ ok: true, txId: 3 });
    expect(ledger.drainEntries().map((e) => e.txId)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('drains once: a second drain is empty until something new happens', () => {
    const ledger = fresh();
    ledger.deposit(ALICE, INR, 10, 'a');
    expect(ledger.pendingEntries).toBe(2);
    expect(ledger.drainEntries()).toHaveLength(2);
    expect(ledger.pendingEntries).toBe(0);
    expect(ledger.drainEntries()).toEqual([]);
  });

  it('continues numbering from setNextTxId and rejects a bad one', () => {
    const ledger = fresh();
    ledger.setNextTxId(1_000);
    expect(ledger.deposit(ALICE, INR, 1, 'a')).toEqual({ ok: true, txId: 1_000 });
    expect(() => ledger.setNextTxId(0)).toThrow(RangeError);
    expect(() => ledger.setNextTxId(2.5)).toThrow(RangeError);
  });
});

describe('load (recovery)', () => {
  it('sets a row without recording entries or taking a transaction id', () => {
    const ledger = fresh();
    expect(ledger.load(ALICE, INR, { available: 70, held: 30 })).toEqual({ ok: true });
    expect(ledger.load(ALICE, INR, { available: 60, held: 40 })).toEqual({ ok: true });
    expect(ledger.balance(ALICE, INR)).toEqual({ available: 60, held: 40 });
    expect(ledger.pendingEntries).toBe(0);
    expect(ledger.nextTxId).toBe(1);
  });

  it('refuses what is not a safe integer, a bad account or asset', () => {
    const ledger = fresh();
    expect(ledger.load(ALICE, INR, { available: 1.5, held: 0 })).toEqual({
      ok: false,
      code: 'INVALID_AMOUNT',
    });
    expect(ledger.load(ALICE, INR, { available: 0, held: 2 ** 53 })).toEqual({
      ok: false,
      code: 'INVALID_AMOUNT',
    });
    expect(ledger.load(0, INR, { available: 1, held: 0 })).toEqual({
      ok: false,
      code: 'INVALID_ACCOUNT',
    });
    expect(ledger.load(ALICE, '', { available: 1, held: 0 })).toEqual({
      ok: false,
      code: 'INVALID_ASSET',
    });
    expect([...ledger.accounts()]).toEqual([]);
  });

  it('keeps a damaged (negative) row so checkInvariants can name it', () => {
    const ledger = fresh();
    expect(ledger.load(BOB, TCS, { available: -1, held: -2 }).ok).toBe(true);
    expect(ledger.checkInvariants().map((v) => [v.code, v.account, v.asset, v.actual])).toEqual([
      ['NEGATIVE_AVAILABLE', BOB, TCS, -1],
      ['NEGATIVE_HELD', BOB, TCS, -2],
    ]);
    // Operations still refuse rather than deepen the damage.
    expectRefused(ledger, () => ledger.hold(BOB, TCS, 1, 'o'), 'INSUFFICIENT_SHARES');
    expectRefused(ledger, () => ledger.withdraw(BOB, TCS, 1, 'w'), 'INSUFFICIENT_SHARES');
    expectRefused(ledger, () => ledger.release(BOB, TCS, 1, 'o'), 'HOLD_SHORT');
  });
});

describe('checkInvariants', () => {
  function loaded(): Ledger {
    const ledger = fresh();
    ledger.load(ALICE, INR, { available: 100, held: 50 });
    ledger.load(ALICE, TCS, { available: 0, held: 0 });
    ledger.load(BOB, TCS, { available: 5, held: 7 });
    return ledger;
  }

  it('is empty for a sound ledger', () => {
    const holds = (account: number, asset: string): number =>
      account === ALICE && asset === INR ? 50 : account === BOB && asset === TCS ? 7 : 0;
    const totals = new Map([
      [INR, 150],
      [TCS, 12],
    ]);
    expect(loaded().checkInvariants(holds, totals)).toEqual([]);
  });

  it('reports a hold that differs from what the function says open orders need', () => {
    const violations = loaded().checkInvariants(() => 0);
    expect(violations.map((v) => [v.code, v.account, v.asset, v.actual, v.expected])).toEqual([
      ['HOLD_MISMATCH', ALICE, INR, 50, 0],
      ['HOLD_MISMATCH', BOB, TCS, 7, 0],
    ]);
    expect(violations[0]?.message).toContain('account 1 holds 50 INR');
  });

  it('sums hold claims per account and asset and reports claims with no row', () => {
    const claims = [
      { account: ALICE, asset: INR, amount: 20 },
      { account: ALICE, asset: INR, amount: 30 },
      { account: BOB, asset: TCS, amount: 6 },
      { account: 77, asset: TCS, amount: 4 },
      { account: BOB, asset: INR, amount: 0 },
    ];
    const violations = loaded().checkInvariants(claims);
    expect(violations.map((v) => [v.code, v.account, v.asset, v.actual, v.expected])).toEqual([
      ['HOLD_MISMATCH', BOB, TCS, 7, 6],
      ['HOLD_MISMATCH', 77, TCS, 0, 4],
    ]);
  });

  it('reports totals that differ from deposits minus withdrawals, a missing asset counting 0', () => {
    const violations = loaded().checkInvariants(
      undefined,
      new Map([
        [INR, 150],
        [TCS, 11],
        ['INFY', 3],
      ]),
    );
    expect(violations.map((v) => [v.code, v.account, v.asset, v.actual, v.expected])).toEqual([
      ['TOTAL_MISMATCH', null, TCS, 12, 11],
      ['TOTAL_MISMATCH', null, 'INFY', 0, 3],
    ]);
  });
});

describe('replayEntries', () => {
  it('rebuilds balances from entries on top of a starting snapshot', () => {
    const ledger = fresh();
    ledger.load(ALICE, INR, { available: 1_000, held: 0 });
    const start = [...ledger.balances()];
    ledger.hold(ALICE, INR, 400, 'o');
    ledger.deposit(BOB, TCS, 3, 'd');
    ledger.hold(BOB, TCS, 3, 'o');
    ledger.settleTrade(trade({ quantity: 3, price: 100, buyerFee: 1, sellerFee: 1 }));
    expect(replayEntries(ledger.drainEntries(), start)).toEqual([...ledger.balances()]);
  });
});
