// What one audit leaf says: a kind, a time and the record it vouches for, as canonical JSON
// (RFC 8785 for the values used here: sorted keys, no whitespace, safe integers, no floats).
// The leaf's data is the UTF-8 of that text; its hash is RFC 6962's SHA-256(0x00 ‖ data).

import { hash } from 'node:crypto';

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

/** The root of one complete tile of leaves, stored with the leaf that completes it. */
export interface AuditTile {
  readonly tile: number;
  readonly hash: Buffer;
}

/** What one write adds to the log's tables. */
export interface AuditRows {
  readonly leaves: readonly AuditLeaf[];
  readonly tiles: readonly AuditTile[];
}

/** Throws TypeError for anything outside the canonical domain (floats, undefined, bigint…). */
export function canonicalJson(value: unknown): string {
  // JSON.stringify writes strings and safe integers exactly as RFC 8785 does, and object keys
  // in insertion order: a value whose keys are already sorted (as the exchange builds its
  // records) serializes canonically as it is, at native speed; any other is copied sorted.
  return JSON.stringify(inCanonicalOrder(value) ? value : sortedCopy(value));
}

function isIndexLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9][0-9]*)$/.test(key);
}

function inCanonicalOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) {
    return typeof value !== 'number' || Number.isSafeInteger(value);
  }
  if (Array.isArray(value)) return value.every(inCanonicalOrder);
  let previous: string | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    if (previous !== undefined && key <= previous) return false;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || !inCanonicalOrder(item)) return false;
    previous = key;
  }
  return true;
}

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not a safe integer: ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      // The engine lists integer-like keys first, whatever order they were inserted in.
      if (isIndexLike(key)) throw new TypeError(`cannot keep the order of key ${key}`);
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortedCopy(item);
    }
    return out;
  }
  throw new TypeError(`cannot canonicalize a ${typeof value}`);
}

function leafPayload(entry: AuditEntry): string {
  return canonicalJson({ at: entry.at, data: entry.data, kind: entry.kind });
}

/** leafHash of the payload's UTF-8 bytes; U+0000 encodes as the single byte 0x00. */
export function payloadHash(payload: string): Buffer {
  return hash('sha256', `\u0000${payload}`, 'buffer');
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
