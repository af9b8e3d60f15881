// CSV exports, RFC 4180: a plain header, then every cell quoted with quotes doubled; CRLF line
// ends. Safe to open in a spreadsheet: text that would run as a formula gets a leading
// apostrophe, while a plain number ("-5587.80": ASCII minus, no grouping) stays a number.

import { CASH } from '../exchange/exchange.ts';
import type { TransactionView } from '../exchange/history.ts';

export type Cell = string | number | null;

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell; text starting with = + - @, a tab or a carriage return is defused, numbers not. */
export function csvCell(value: Cell): string {
  if (value === null) return '""';
  const text = String(value);
  const inert = /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return `"${inert.replaceAll('"', '""')}"`;
}

/** A header of plain names (letters, digits, spaces: never quoted), then the rows. */
export function csvDocument(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [header.join(','), ...rows.map((row) => row.map(csvCell).join(','))];
  return lines.join('\r\n') + '\r\n';
}

export const TRANSACTIONS_CSV_HEADER = [
  'Date',
  'Type',
  'Symbol',
  'Side',
  'Quantity',
  'Price',
  'Fee',
  'Net amount',
  'Cash balance after',
  'Order id',
  'Trade id',
  'Reference',
  'Description',
] as const;

/** What happened, in words: "Bought 3 INFY @ 1862.60", "Adjustment: refund of a fee". */
function description(t: TransactionView): string {
  const note = t.reason === null ? '' : `: ${t.reason}`;
  const shares = t.asset === CASH ? '' : ` of ${t.amount.replace('-', '')} ${t.asset}`;
  switch (t.kind) {
    case 'TRADE': {
      const verb = t.side === 'SELL' ? 'Sold' : 'Bought';
      return `${verb} ${t.quantity ?? ''} ${t.symbol ?? ''} @ ${t.price ?? ''}`;
    }
    case 'FEE':
      return `Fee income from trade ${t.trade_id ?? ''}`;
    case 'DEPOSIT':
      return `Deposit${shares}${note}`;
    case 'WITHDRAWAL':
      return `Withdrawal${shares}${note}`;
    case 'ADJUSTMENT':
      return `Adjustment${shares}${note}`;
  }
}

/**
 * One row per event. Money in plain decimal rupees; Quantity is a trade's shares (see Side), or
 * the signed change of shares a deposit, withdrawal or adjustment made.
 */
export function transactionsCsv(rows: readonly TransactionView[]): string {
  return csvDocument(
    TRANSACTIONS_CSV_HEADER,
    rows.map((t) => [
      t.time,
      t.kind,
      t.symbol,
      t.side,
      t.quantity ?? (t.asset === CASH ? null : t.amount),
      t.price,
      t.fee,
      t.asset === CASH ? t.amount : '0.00',
      t.cash_after,
      t.order_id,
      t.trade_id,
      t.reference,
      description(t),
    ]),
  );
}
