import { describe, expect, it } from 'vitest';
import type { Transaction } from '../api/types.ts';
import { transactionText } from './transaction-text.ts';

const BASE: Transaction = {
  id: 9,
  tx_id: 9,
  time: '2026-12-03T09:00:00.000Z',
  kind: 'DEPOSIT',
  asset: 'INR',
  amount: '0.00',
  reference: null,
  symbol: null,
  side: null,
  quantity: null,
  price: null,
  fee: null,
  order_id: null,
  trade_id: null,
  reason: null,
  cash_after: '0.00',
  postings: [],
};

describe('a transaction in words', () => {
  it('tells a trade by its side, shares, price, fee and net cash', () => {
    const trade = { ...BASE, kind: 'TRADE' as const, symbol: 'INFY', quantity: 3, trade_id: 4 };
    expect(
      transactionText({ ...trade, side: 'BUY', price: '1862.60', fee: '0.00', amount: '-5587.80' }),
    ).toBe('Bought 3 INFY @ ₹1,862.60 · fee ₹0.00 · −₹5,587.80');
    expect(
      transactionText({ ...trade, side: 'SELL', price: '1862.60', fee: '2.24', amount: '5585.56' }),
    ).toBe('Sold 3 INFY @ ₹1,862.60 · fee ₹2.24 · +₹5,585.56');
  });

  it('tells deposits, withdrawals and adjustments with their reason', () => {
    expect(transactionText({ ...BASE, amount: '100000.00' })).toBe('Deposit +₹1,00,000.00');
    expect(transactionText({ ...BASE, amount: '100000.00', reason: 'starting balance' })).toBe(
      'Deposit +₹1,00,000.00 — starting balance',
    );
    expect(
      transactionText({ ...BASE, kind: 'ADJUSTMENT', amount: '500.00', reason: 'goodwill' }),
    ).toBe('Adjustment +₹500.00 — goodwill');
    expect(
      transactionText({ ...BASE, kind: 'WITHDRAWAL', asset: 'TCS', amount: '-5', reason: 'out' }),
    ).toBe('Withdrawal −5 TCS — out');
    expect(transactionText({ ...BASE, kind: 'FEE', amount: '19.68', trade_id: 4 })).toBe(
      'Fee income · trade 4 · +₹19.68',
    );
  });
});
