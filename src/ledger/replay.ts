// Rebuilds balances from journalled entries alone, the cross-check that the journal and the
// balances tell one story. Pure; the outside world (account null) gets no row.
import type { BalanceRow, LedgerEntry } from './types.ts';

interface MutableRow {
  account: number;
  asset: string;
  available: number;
  held: number;
}

/**
 * Applies `entries` in order on top of `start` (default: nothing) and returns every row touched,
 * account by account, in the order first seen (as `Ledger.balances()` lists them). Replaying everything a Ledger drained since it was empty yields exactly
 * its `balances()`.
 */
export function replayEntries(
  entries: Iterable<LedgerEntry>,
  start: Iterable<BalanceRow> = [],
): BalanceRow[] {
  const rows = new Map<number, Map<string, MutableRow>>();
  const rowFor = (account: number, asset: string): MutableRow => {
    let assets = rows.get(account);
    if (assets === undefined) {
      assets = new Map();
      rows.set(account, assets);
    }
    let row = assets.get(asset);
    if (row === undefined) {
      row = { account, asset, available: 0, held: 0 };
      assets.set(asset, row);
    }
    return row;
  };
  for (const { account, asset, available, held } of start) {
    const row = rowFor(account, asset);
    row.available = available;
    row.held = held;
  }
  for (const entry of entries) {
    if (entry.account === null) continue;
    rowFor(entry.account, entry.asset)[entry.bucket] += entry.amount;
  }
  const replayed: BalanceRow[] = [];
  for (const assets of rows.values()) replayed.push(...assets.values());
  return replayed;
}
