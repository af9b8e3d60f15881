// What a ledger transaction is for, as its `ref` names it: written by the exchange, read back by
// the transaction history. One place for both directions, so a reader never guesses at text.

/** The longest ref the exchange writes; a long reason is cut, never the part that names it. */
const MAX_REF = 200;

/** A trade's settlement (TRADE and FEE postings). */
export const tradeRef = (tradeId: number): string => `trade:${tradeId}`;

/** An order's holds and releases. */
export const orderRef = (orderId: number): string => `order:${orderId}`;

/**
 * A deposit or withdrawal with its reason: made by an administrator (`by`), or by the venue
 * itself (a starting balance, a simulator's top-up).
 */
export function adjustmentRef(reason: string, by?: number): string {
  const ref = by === undefined ? `admin:${reason}` : `adjustment:${by}:${reason}`;
  return ref.slice(0, MAX_REF);
}

export type RefMeaning =
  | { kind: 'trade'; tradeId: number }
  | { kind: 'order'; orderId: number }
  | { kind: 'adjustment'; reason: string; by: number }
  | { kind: 'funding'; reason: string }
  | { kind: 'other' };

/** Refs written before an adjustment's ref named its administrator up front. */
const LEGACY_ADJUSTMENT = /^admin:(.*) \(by admin (\d+)\)$/s;

export function readRef(ref: string | null): RefMeaning {
  if (ref === null) return { kind: 'other' };
  const [, head, rest] = /^([a-z]+):(.*)$/s.exec(ref) ?? [];
  if (head === 'trade' && rest !== undefined && /^\d+$/.test(rest))
    return { kind: 'trade', tradeId: Number(rest) };
  if (head === 'order' && rest !== undefined && /^\d+$/.test(rest))
    return { kind: 'order', orderId: Number(rest) };
  const adjustment = head === 'adjustment' ? /^(\d+):(.*)$/s.exec(rest ?? '') : null;
  if (adjustment !== null)
    return { kind: 'adjustment', by: Number(adjustment[1]), reason: adjustment[2] ?? '' };
  const legacy = LEGACY_ADJUSTMENT.exec(ref);
  if (legacy !== null)
    return { kind: 'adjustment', reason: legacy[1] ?? '', by: Number(legacy[2]) };
  if (head === 'admin' && rest !== undefined) return { kind: 'funding', reason: rest };
  return { kind: 'other' };
}
