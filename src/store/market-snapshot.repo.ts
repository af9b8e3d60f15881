// The market's state at one commit, for a node's read model to start from: listings with their
// book sequence, open orders, balances and the recent trades, read in one transaction (repeatable
// read on PostgreSQL) so that all of them agree on which commits they include.

import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Dialect } from './db.ts';
import type { BalancesTable, Database, OrdersTable, SymbolRow } from './schema.ts';
import { openOrdersQuery } from './trading.repo.ts';

export interface SnapshotTrade {
  id: number;
  symbol: string;
  price: number;
  quantity: number;
  aggressor_side: 'BUY' | 'SELL';
  sequence: number;
  created_at: number;
}

export interface MarketSnapshot {
  symbols: SymbolRow[];
  /** Resting orders and waiting stops, oldest priority first. */
  openOrders: Selectable<OrdersTable>[];
  balances: Selectable<BalancesTable>[];
  /** Trades since the time asked for, in id order. */
  trades: SnapshotTrade[];
}

export class MarketSnapshotRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async read(tradesSince: number): Promise<MarketSnapshot> {
    const begin = this.db.transaction();
    // SQLite's transaction already reads one snapshot; PostgreSQL's default (read committed)
    // would let a commit land between two of these reads.
    const tx = this.dialect === 'postgres' ? begin.setIsolationLevel('repeatable read') : begin;
    return tx.execute((t) => this.readIn(t, tradesSince));
  }

  private async readIn(tx: Transaction<Database>, since: number): Promise<MarketSnapshot> {
    const symbols = await tx.selectFrom('symbols').selectAll().orderBy('symbol').execute();
    const openOrders = await openOrdersQuery(tx).execute();
    const balances = await tx.selectFrom('balances').selectAll().execute();
    const trades = await tx
      .selectFrom('trades')
      .select(['id', 'symbol', 'price', 'quantity', 'aggressor_side', 'sequence', 'created_at'])
      .where('created_at', '>=', since)
      .orderBy('id')
      .execute();
    return { symbols, openOrders, balances, trades };
  }
}
