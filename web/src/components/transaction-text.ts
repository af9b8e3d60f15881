// One line of the history in words, from the API's row: "Bought 3 INFY @ ₹1,862.60 · fee ₹0.00 ·
// −₹5,587.80", "Deposit +₹1,00,000.00 — starting balance". Every amount through money.ts.

import type { Transaction } from '../api/types.ts';
import { assetAmount, paiseOf, rupees, shares } from '../money.ts';

export function transactionText(t: Transaction): string {
  const amount = assetAmount(t.asset, t.amount);
  const note = t.reason === null ? '' : ` — ${t.reason}`;
  switch (t.kind) {
    case 'TRADE': {
      const verb = t.side === 'SELL' ? 'Sold' : 'Bought';
      const what = `${verb} ${shares(t.quantity ?? 0)} ${t.symbol ?? ''}`;
      const fee = `fee ${rupees(paiseOf(t.fee))}`;
      return `${what} @ ${rupees(paiseOf(t.price))} · ${fee} · ${amount}`;
    }
    case 'FEE':
      return `Fee income · trade ${t.trade_id ?? ''} · ${amount}`;
    case 'DEPOSIT':
      return `Deposit ${amount}${note}`;
    case 'WITHDRAWAL':
      return `Withdrawal ${amount}${note}`;
    case 'ADJUSTMENT':
      return `Adjustment ${amount}${note}`;
  }
}
