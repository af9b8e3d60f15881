// What a caller may read of an audit leaf: an administrator the stored payload; a user only the
// parts that are theirs (their side of a trade, their entries of a ledger transaction), so a leaf
// never names a counterparty to them. A cut payload no longer hashes to the leaf hash, and says
// so; the inclusion proof is over the leaf hash, which every caller gets.

import type { Role } from '../store/schema.ts';
import { canonicalJson, type AuditKind, type Canonical } from './leaf.ts';

type Fields = { readonly [key: string]: Canonical };

export interface LeafViewer {
  readonly userId: number;
  readonly role: Role;
}

export interface LeafView {
  /** Canonical JSON of `{at, data, kind}` as the viewer may see it; null if none of it is theirs. */
  readonly payload: string | null;
  /** The payload is not the stored leaf: the other party's fields are left out, or it is null. */
  readonly redacted: boolean;
}

/** A trade's fields per side; a user on one side sees none of the other's. */
const TRADE_SIDES = [
  { party: 'buyer_id', fields: ['buy_order_id', 'buyer_fee', 'buyer_id'] },
  { party: 'seller_id', fields: ['sell_order_id', 'seller_fee', 'seller_id'] },
] as const;

const isList = (value: Canonical | undefined): value is readonly Canonical[] =>
  Array.isArray(value);
const isFields = (value: Canonical | undefined): value is Fields =>
  typeof value === 'object' && value !== null && !isList(value);

function tradeSide(data: Fields, userId: number): Fields | undefined {
  const theirs = TRADE_SIDES.filter((side) => data[side.party] !== userId);
  if (theirs.length === TRADE_SIDES.length) return undefined;
  const hidden = new Set<string>(theirs.flatMap((side) => side.fields));
  return Object.fromEntries(Object.entries(data).filter(([key]) => !hidden.has(key)));
}

function ownEntries(data: Fields, userId: number): Fields | undefined {
  const all = isList(data.entries) ? data.entries : [];
  const entries = all.filter((entry) => isFields(entry) && entry.user_id === userId);
  return entries.length === 0 ? undefined : { ...data, entries };
}

const ownedBy =
  (key: string) =>
  (data: Fields, userId: number): Fields | undefined =>
    data[key] === userId ? data : undefined;

/** Each kind's part that belongs to a user, or undefined when none does. */
const OWN_PART: Readonly<Record<AuditKind, (data: Fields, userId: number) => Fields | undefined>> =
  {
    order: ownedBy('user_id'),
    trade: tradeSide,
    ledger_tx: ownEntries,
    security_event: ownedBy('user_id'),
    admin_action: ownedBy('actor'),
  };

/** `payload` is a stored leaf's canonical JSON. */
export function leafView(payload: string, viewer: LeafViewer): LeafView {
  if (viewer.role === 'admin') return { payload, redacted: false };
  const leaf = JSON.parse(payload) as { at: number; data: Canonical; kind: string };
  const partOf = Object.hasOwn(OWN_PART, leaf.kind) ? OWN_PART[leaf.kind as AuditKind] : undefined;
  const part = isFields(leaf.data) ? partOf?.(leaf.data, viewer.userId) : undefined;
  if (part === undefined) return { payload: null, redacted: true };
  const shown = canonicalJson({ at: leaf.at, data: part, kind: leaf.kind });
  return { payload: shown, redacted: shown !== payload };
}
