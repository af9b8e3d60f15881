// What one audit leaf says: a kind, a time and the record it vouches for, as canonical JSON
// (RFC 8785 for the values used here: sorted keys, no whitespace, safe integers, no floats).
// The leaf's data is the UTF-8 of that text; its hash is RFC 6962's SHA-256(0x00 ‖ data).

import { leafHash } from './merkle.ts';

export type AuditKind = 'order' | 'trade' | 'ledger_tx' | 'security_event' | 'admin_action';

export type Canonical =
  string | number | boolean | null | readonly Canonical[] | { readonly [key: string]: Canonical };

export interface AuditEntry {
  readonly kind: AuditKind;
  /** Epoch milliseconds of the change. */
  readonly at: number;
  readonly data: Canonical;
}

/** One leaf as stored: `seq` is its index in the tree. */
export interface AuditLeaf {
  readonly seq: number;
  readonly kind: AuditKind;
  readonly payload: string;
  readonly leafHash: Buffer;
  readonly createdAt: number;
}

/** Throws TypeError for anything outside the canonical domain (floats, undefined, bigint…). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot canonicalize a ${typeof value}`);
}

export function leafPayload(entry: AuditEntry): string {
  return canonicalJson({ kind: entry.kind, at: entry.at, data: entry.data });
}

export function payloadHash(payload: string): Buffer {
  return leafHash(Buffer.from(payload, 'utf8'));
}

/** Numbers the entries from `firstSeq` and hashes them, ready to store. */
export function sealLeaves(firstSeq: number, entries: readonly AuditEntry[]): AuditLeaf[] {
  return entries.map((entry, i) => {
    const payload = leafPayload(entry);
    return {
      seq: firstSeq + i,
      kind: entry.kind,
      payload,
      leafHash: payloadHash(payload),
      createdAt: entry.at,
    };
  });
}
