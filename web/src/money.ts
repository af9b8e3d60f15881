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

/**
 * The terminal's one sign style, for every signed amount on every page: U+2212 MINUS SIGN before
 * a negative, and a '+' before a positive when `plus` asks for it (zero has no sign).
 */
function signOf(n: number, plus = false): string {
  return n < 0 ? '−' : plus && n > 0 ? '+' : '';
}

/** "₹1,00,000.00" for 10000000 paise: rupees grouped en-IN, paise appended exactly. */
export function rupees(paise: number, options: { sign?: boolean; symbol?: boolean } = {}): string {
  const abs = Math.abs(paise);
  const whole = GROUPING.format(Math.floor(abs / 100));
  const cents = String(abs % 100).padStart(2, '0');
  return `${signOf(paise, options.sign)}${options.symbol === false ? '' : '₹'}${whole}.${cents}`;
}

/** A price string as en-IN text without the currency sign ("4,105.35"). */
export function price(text: string | null | undefined): string {
  return text === null || text === undefined ? '—' : rupees(paiseOf(text), { symbol: false });
}

/** Whole shares with en-IN grouping; with `sign`, "+1,200" and "−5". */
export function shares(n: number, options: { sign?: boolean } = {}): string {
  return `${signOf(n, options.sign)}${GROUPING.format(Math.abs(n))}`;
}

/** A signed API amount of an asset: "+₹500.00" for INR (text in rupees), "−5 TCS" for shares. */
export function assetAmount(asset: string, text: string): string {
  return asset === 'INR'
    ? rupees(paiseOf(text), { sign: true })
    : `${shares(Number(text), { sign: true })} ${asset}`;
}

/** Hundredths of a percent of `part` over `whole`, as "+1.23%" (integers only). */
export function percent(part: number, whole: number): string {
  if (whole === 0) return '—';
  return basisPoints(Math.round((part * 10_000) / whole));
}

/** An API percent string ("-1.23", "+0.50") in the terminal's style: "−1.23%". */
export function percentText(text: string): string {
  const m = /^([+-]?)(\d+)\.(\d{2})$/.exec(text);
  if (m === null) return '—';
  const bps = Number(m[2]) * 100 + Number(m[3]);
  return basisPoints(m[1] === '-' ? -bps : bps);
}

function basisPoints(bps: number): string {
  const abs = Math.abs(bps);
  return `${signOf(bps, true)}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
}

export function tone(n: number): string {
  return n > 0 ? 'text-up' : n < 0 ? 'text-down' : 'text-dim';
}
