// INR amounts: paise in, paise out. The API takes a price as a decimal string or number with at
// most two decimals and sends prices out as decimal strings ("15234.50"); nothing is rounded, and
// nothing is trimmed: a space, no-break space, BOM or newline around the digits is refused.

const DECIMAL = /^(0|[1-9]\d{0,13})(?:\.(\d{1,2}))?$/;

/** Paise for a rupee amount with at most 2 decimals, or undefined for anything else. */
export function parseRupees(input: string | number): number | undefined {
  if (typeof input === 'number' && (!Number.isFinite(input) || Object.is(input, -0)))
    return undefined;
  const text = typeof input === 'number' ? String(input) : input;
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const paise = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(paise) ? paise : undefined;
}

/** "15234.50" for 1523450. */
export function formatPaise(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
