// What the exchange's changes look like as audit entries, and the same shape rebuilt from the
// rows they describe, so the integrity check can compare a leaf with the row it vouches for.

import type { SecurityEventRow } from '../store/schema.ts';
import {
  completeRow,
  ORDER_COLUMNS,
  TRADE_COLUMNS,
  type EntryWrite,
  type WriteBatch,
} from '../store/trading.repo.ts';
import type { AuditEntry, Canonical } from './leaf.ts';

const LEDGER_ENTRY_COLUMNS = [
  'user_id',
  'account',
  'asset',
  'amount',
  'kind',
  'ref',
  'created_at',
] as const;

const SECURITY_EVENT_COLUMNS = [
  'id',
  'event_type',
  'severity',
  'source_ip',
  'user_id',
  'description',
  'details',
  'created_at',
] as const;

// Records are built with their keys in canonical (sorted) order, so that canonicalJson can
// serialize them without copying.
const ORDER_KEYS = [...ORDER_COLUMNS].sort();
const TRADE_KEYS = [...TRADE_COLUMNS].sort();
const ENTRY_KEYS = [...LEDGER_ENTRY_COLUMNS].sort();
const EVENT_KEYS = [...SECURITY_EVENT_COLUMNS].sort();

export function orderData(row: object): Record<string, Canonical> {
  return completeRow(ORDER_KEYS, row);
}

export function tradeData(row: object): Record<string, Canonical> {
  return completeRow(TRADE_KEYS, row);
}

/** A ledger transaction: its entries in the order written (their ids ascend the same way). */
export function ledgerTxData(txId: number, entries: readonly object[]): Record<string, Canonical> {
  return { entries: entries.map((e) => completeRow(ENTRY_KEYS, e)), tx_id: txId };
}

export function securityEventData(row: SecurityEventRow): Record<string, Canonical> {
  return completeRow(EVENT_KEYS, row);
}

/**
 * One journal commit's entries: each order state, each trade, each ledger transaction. The
 * batches are the unmerged ones, so an order that changed twice in a group leaves two leaves.
 */
export function tradingEntries(batch: WriteBatch): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const o of batch.orders) out.push({ kind: 'order', at: o.updated_at, data: orderData(o) });
  for (const t of batch.trades) out.push({ kind: 'trade', at: t.created_at, data: tradeData(t) });
  let tx: EntryWrite[] = [];
  const flush = (): void => {
    const first = tx[0];
    if (first !== undefined) {
      out.push({ kind: 'ledger_tx', at: first.created_at, data: ledgerTxData(first.tx_id, tx) });
    }
    tx = [];
  };
  for (const e of batch.entries) {
    if (tx[0] !== undefined && tx[0].tx_id !== e.tx_id) flush();
    tx.push(e);
  }
  flush();
  return out;
}

export function securityEventEntry(row: SecurityEventRow): AuditEntry {
  return { kind: 'security_event', at: row.created_at, data: securityEventData(row) };
}

export interface AdminAction {
  readonly actor: number;
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, Canonical>;
}

export function adminActionEntry(action: AdminAction, at: number): AuditEntry {
  return {
    kind: 'admin_action',
    at,
    data: {
      action: action.action,
      actor: action.actor,
      details: action.details ?? {},
      target: action.target,
    },
  };
}
