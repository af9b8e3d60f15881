// Money in the browser: prices arrive as decimal strings and become integer paise; all sums are
// integer paise; only the final text has rupees. Parsing, fees and the collar are the server's own
// code.

import { formatPaise, parseRupees } from '../../src/money.ts';
import { buyHold, feeFor } from '../../src/ledger/fees.ts';
import { buyCollar } from '../../src/exchange/collar.ts';

export { buyCollar, buyHold, feeFor, formatPaise, parseRupees };

const GROUPING = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });

/** Paise of an API price string; NaN-free: a malformed value is 0 (never shown as money). */
export function paiseOf(text: string | null | undefined): number {
  if (text === null || text === undefined) return 0;
  const negative = text.startsWith('-');
  const paise = parseRupees(negative ? text.slice(1) : text) ?? 0;
  return negative ? -paise : paise;
}

/** "₹1,00,000.00" for 10000000 paise: rupees grouped en-IN, paise appended exactly. */
export function rupees(paise: number, options: { sign?: boolean; symbol?: boolean } = {}): string {
  const negative = paise < 0;
  const abs = Math.abs(paise);
  const whole = GROUPING.format(Math.floor(abs / 100));
  const cents = String(abs % 100).padStart(2, '0');
  const sign = negative ? '−' : options.sign === true && paise > 0 ? '+' : '';
  return `${sign}${options.symbol === false ? '' : '₹'}${whole}.${cents}`;
}

/** A price string as en-IN text without the currency sign ("4,105.35"). */
export function price(text: string | null | undefined): string {
  return text === null || text === undefined ? '—' : rupees(paiseOf(text), { symbol: false });
}

/** Whole shares with en-IN grouping. */
export function shares(n: number): string {
  return GROUPING.format(n);
}

/** Hundredths of a percent of `part` over `whole`, as "+1.23%" (integers only). */
export function percent(part: number, whole: number): string {
  if (whole === 0) return '—';
  const bps = Math.round((part * 10_000) / whole);
  const abs = Math.abs(bps);
  const sign = bps < 0 ? '−' : bps > 0 ? '+' : '';
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
}

export function tone(n: number): string {
  return n > 0 ? 'text-up' : n < 0 ? 'text-down' : 'text-dim';
}
