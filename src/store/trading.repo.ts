// All SQL about orders, trades, balances and ledger entries as the exchange writes and reads
// them: one batch per journal commit, and the reads that recovery and the API need. A batch also
// opens the accounts whose starting cash it credits, so that registration is one durable step.

import type SQLite from 'better-sqlite3';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { AuditRows } from '../audit/leaf.ts';
import type { EntryKind } from '../ledger/types.ts';
import { insertAuditRows, sqliteAuditWriter } from './audit.repo.ts';
import type { Store } from './db.ts';
import type { WriteFence } from './fence.ts';
import type {
  BalancesTable,
  Database,
  LedgerEntriesTable,
  OrdersTable,
  TradesTable,
} from './schema.ts';

export type OrderWrite = Insertable<OrdersTable> & { id: number };
export type TradeWrite = Insertable<TradesTable>;
export type EntryWrite = Insertable<LedgerEntriesTable>;
export type BalanceWrite = Required<
  Pick<Insertable<BalancesTable>, 'user_id' | 'asset' | 'available' | 'held' | 'updated_at'>
>;
export interface SymbolStateWrite {
  symbol: string;
  last_sequence: number;
  last_price: number | null;
  stop_triggers: string;
}

/** A registered account the batch opens, with its starting cash (see users.opened). */
export interface AccountOpening {
  user_id: number;
  updated_at: number;
}

/** Everything one journal commit writes. Orders, balances and symbols carry their final state. */
export interface WriteBatch {
  orders: OrderWrite[];
  trades: TradeWrite[];
  entries: EntryWrite[];
  balances: BalanceWrite[];
  symbols: SymbolStateWrite[];
  openings: AccountOpening[];
}

/** SQLite allows 32,766 bound values per statement; stay well below with any column count. */
const CHUNK = 400;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/** Postings that move an order's reserve, not the trader's wealth: no transaction of their own. */
const HOLD_KINDS: readonly EntryKind[] = ['HOLD', 'RELEASE'];

/** The statuses of an order still in its book: waiting for its stop, or resting. */
export const OPEN_STATUSES = ['PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED'] as const;

/** Every open order, oldest priority first (also read in a market snapshot's transaction). */
export function openOrdersQuery(db: Kysely<Database>) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('sequence')
    .orderBy('id');
}

/** Every column of `orders`, in the order the SQLite writer binds them. */
export const ORDER_COLUMNS = [
  'id',
  'user_id',
  'client_order_id',
  'symbol',
  'side',
  'mode',
  'time_in_force',
  'price',
  'stop_price',
  'limit_price',
  'quantity',
  'filled_quantity',
  'filled_notional',
  'fees_paid',
  'fee_remainder',
  'held_amount',
  'status',
  'cancel_reason',
  'post_only',
  'self_trade',
  'sequence',
  'created_at',
  'updated_at',
] as const;

/** Every column of `trades`. */
export const TRADE_COLUMNS = [
  'id',
  'symbol',
  'price',
  'quantity',
  'buy_order_id',
  'sell_order_id',
  'buyer_id',
  'seller_id',
  'aggressor_side',
  'buyer_fee',
  'seller_fee',
  'sequence',
  'created_at',
] as const;

/** Column defaults for optional fields of the rows above, matching the migration. */
const ROW_DEFAULTS: Readonly<Record<string, string | number | null>> = {
  client_order_id: null,
  price: null,
  stop_price: null,
  limit_price: null,
  filled_quantity: 0,
  filled_notional: 0,
  fees_paid: 0,
  fee_remainder: 0,
  held_amount: 0,
  cancel_reason: null,
  post_only: 0,
  self_trade: 'CANCEL_NEWEST',
  buyer_fee: 0,
  seller_fee: 0,
};

/** A row as it will read back: every column present, defaults filled in. */
export function completeRow(
  columns: readonly string[],
  row: object,
): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  const values = row as Record<string, string | number | null | undefined>;
  for (const c of columns) out[c] = values[c] ?? ROW_DEFAULTS[c] ?? null;
  return out;
}

/**
 * The journal's write on SQLite, as prepared statements run in one transaction: the same
 * statements as the Kysely path below, without building SQL text for every batch.
 */
function sqliteWriter(native: SQLite.Database): (batch: WriteBatch, audit: AuditRows) => void {
  const orderColumns = ORDER_COLUMNS;
  const mutable = [
    'quantity',
    'price',
    'stop_price',
    'filled_quantity',
    'filled_notional',
    'fees_paid',
    'fee_remainder',
    'held_amount',
    'status',
    'cancel_reason',
    'sequence',
    'updated_at',
  ];
  const upsertOrder = native.prepare(
    `insert into orders (${orderColumns.join(', ')}) values (${orderColumns.map(() => '?').join(', ')})
     on conflict (id) do update set ${mutable.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const tradeColumns = TRADE_COLUMNS;
  const insertTrade = native.prepare(
    `insert into trades (${tradeColumns.join(', ')}) values (${tradeColumns.map(() => '?').join(', ')})
     on conflict (id) do nothing`,
  );
  const insertEntry = native.prepare(
    `insert into ledger_entries (tx_id, user_id, account, asset, amount, kind, ref, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertBalance = native.prepare(
    `insert into balances (user_id, asset, available, held, updated_at) values (?, ?, ?, ?, ?)
     on conflict (user_id, asset) do update set available = excluded.available,
     held = excluded.held, updated_at = excluded.updated_at`,
  );
  const updateSymbol = native.prepare(
    'update symbols set last_sequence = ?, last_price = ?, stop_triggers = ? where symbol = ?',
  );
  const openAccount = native.prepare(
    'update users set opened = 1, disabled = 0, updated_at = ? where id = ? and opened = 0',
  );
  const insertAudit = sqliteAuditWriter(native);
  return native.transaction((batch: WriteBatch, audit: AuditRows) => {
    for (const o of batch.orders) {
      upsertOrder.run(Object.values(completeRow(orderColumns, o)));
    }
    for (const t of batch.trades) {
      insertTrade.run(Object.values(completeRow(tradeColumns, t)));
    }
    for (const e of batch.entries) {
      insertEntry.run(
        e.tx_id,
        e.user_id,
        e.account,
        e.asset,
        e.amount,
        e.kind,
        e.ref,
        e.created_at,
      );
    }
    for (const b of batch.balances) {
      upsertBalance.run(b.user_id, b.asset, b.available, b.held, b.updated_at);
    }
    for (const s of batch.symbols) {
      updateSymbol.run(s.last_sequence, s.last_price, s.stop_triggers, s.symbol);
    }
    for (const a of batch.openings) openAccount.run(a.updated_at, a.user_id);
    insertAudit(audit);
  });
}

export class TradingRepo {
  private readonly db: Kysely<Database>;
  private readonly fence: WriteFence;
  private readonly sqlite:
    { handle: SQLite.Database; write: (batch: WriteBatch, audit: AuditRows) => void } | undefined;

  constructor(store: Store) {
    this.db = store.db;
    this.fence = store.fence;
    this.sqlite =
      store.sqlite === undefined
        ? undefined
        : { handle: store.sqlite, write: sqliteWriter(store.sqlite) };
  }

  /**
   * Writes one batch and the audit leaves that record it in one transaction. Upserts make a
   * retried batch harmless.
   */
  async write(batch: WriteBatch, audit: AuditRows): Promise<void> {
    if (this.sqlite !== undefined) {
      // The connection is shared with Kysely: never nest inside a transaction it has open
      // (a rollback there would take the journal's rows with it). The write itself is
      // synchronous, so nothing can start in between.
      while (this.sqlite.handle.inTransaction) await new Promise((r) => setImmediate(r));
      this.sqlite.write(batch, audit);
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      await this.fence.check(tx);
      await this.writeOrders(tx, batch.orders);
      for (const rows of chunks(batch.trades)) {
        await tx
          .insertInto('trades')
          .values(rows)
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      for (const rows of chunks(batch.entries))
        await tx.insertInto('ledger_entries').values(rows).execute();
      for (const rows of chunks(batch.balances)) {
        await tx
          .insertInto('balances')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['user_id', 'asset']).doUpdateSet((eb) => ({
              available: eb.ref('excluded.available'),
              held: eb.ref('excluded.held'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      for (const s of batch.symbols) {
        await tx
          .updateTable('symbols')
          .set({
            last_sequence: s.last_sequence,
            last_price: s.last_price,
            stop_triggers: s.stop_triggers,
          })
          .where('symbol', '=', s.symbol)
          .execute();
      }
      for (const a of batch.openings) {
        await tx
          .updateTable('users')
          .set({ opened: 1, disabled: 0, updated_at: a.updated_at })
          .where('id', '=', a.user_id)
          .where('opened', '=', 0)
          .execute();
      }
      await insertAuditRows(tx, audit);
    });
  }

  private async writeOrders(
    tx: Transaction<Database>,
    orders: readonly OrderWrite[],
  ): Promise<void> {
    for (const rows of chunks(orders)) {
      await tx
        .insertInto('orders')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            quantity: eb.ref('excluded.quantity'),
            price: eb.ref('excluded.price'),
            stop_price: eb.ref('excluded.stop_price'),
            filled_quantity: eb.ref('excluded.filled_quantity'),
            filled_notional: eb.ref('excluded.filled_notional'),
            fees_paid: eb.ref('excluded.fees_paid'),
            fee_remainder: eb.ref('excluded.fee_remainder'),
            held_amount: eb.ref('excluded.held_amount'),
            status: eb.ref('excluded.status'),
            cancel_reason: eb.ref('excluded.cancel_reason'),
            sequence: eb.ref('excluded.sequence'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  // --- recovery ---------------------------------------------------------------------------

  async openOrders() {
    return openOrdersQuery(this.db).execute();
  }

  async allBalances() {
    return this.db.selectFrom('balances').selectAll().execute();
  }

  async highWaterMarks(): Promise<{ order: number; trade: number; tx: number }> {
    const order = await this.db
      .selectFrom('orders')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    const trade = await this.db
      .selectFrom('trades')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    const tx = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.max('tx_id').as('m'))
      .executeTakeFirst();
    return { order: Number(order?.m ?? 0), trade: Number(trade?.m ?? 0), tx: Number(tx?.m ?? 0) };
  }

  /** Net external flows per asset (deposits minus withdrawals), for the conservation check. */
  async externalNet(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select(['asset', (eb) => eb.fn.sum<number>('amount').as('total')])
      .where('user_id', 'is', null)
      .groupBy('asset')
      .execute();
    return new Map(rows.map((r) => [r.asset, -Number(r.total)]));
  }

  // --- reads for the API ------------------------------------------------------------------

  async ordersOfUser(
    userId: number,
    filter: { status?: readonly string[]; symbol?: string; beforeId?: number; limit: number },
  ) {
    let query = this.db.selectFrom('orders').selectAll().where('user_id', '=', userId);
    if (filter.status !== undefined) query = query.where('status', 'in', filter.status);
    if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  async orderOfUser(userId: number, orderId: number) {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async orderOfUserByClientId(userId: number, clientOrderId: string) {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_order_id', '=', clientOrderId)
      .executeTakeFirst();
  }

  async tradesSince(symbol: string, since: number) {
    return this.db
      .selectFrom('trades')
      .select(['id', 'price', 'quantity', 'aggressor_side', 'created_at'])
      .where('symbol', '=', symbol)
      .where('created_at', '>=', since)
      .orderBy('id')
      .execute();
  }

  async tradesOfUser(userId: number) {
    return this.db
      .selectFrom('trades')
      .selectAll()
      .where((eb) => eb.or([eb('buyer_id', '=', userId), eb('seller_id', '=', userId)]))
      .orderBy('id')
      .execute();
  }

  /**
   * The user's postings of their `limit` newest transactions before `beforeTxId`, leaving out
   * holds and releases (an order's, not a transaction of their own), newest transaction first;
   * `more` says whether older transactions remain.
   */
  async transactionPostingsOfUser(
    userId: number,
    filter: { beforeTxId?: number; limit: number },
  ): Promise<{ postings: Selectable<LedgerEntriesTable>[]; more: boolean }> {
    let txs = this.db
      .selectFrom('ledger_entries')
      .select('tx_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('kind', 'not in', HOLD_KINDS);
    if (filter.beforeTxId !== undefined) txs = txs.where('tx_id', '<', filter.beforeTxId);
    const ids = (
      await txs
        .orderBy('tx_id', 'desc')
        .limit(filter.limit + 1)
        .execute()
    ).map((r) => r.tx_id);
    const page = ids.slice(0, filter.limit);
    if (page.length === 0) return { postings: [], more: false };
    const postings = await this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('user_id', '=', userId)
      .where('tx_id', 'in', page)
      .where('kind', 'not in', HOLD_KINDS)
      .orderBy('tx_id', 'desc')
      .orderBy('id')
      .execute();
    return { postings, more: ids.length > filter.limit };
  }

  /**
   * The user's balance of `asset` (available + held) once transaction `txId` was done: today's
   * balance less the postings since, so the work grows with how far back the page is, not with
   * the account's whole history. One statement, so a commit cannot land between its two reads.
   */
  async balanceOfUserThrough(userId: number, asset: string, txId: number): Promise<number> {
    const row = await this.db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('balances')
          .select((b) => b(b.ref('available'), '+', b.ref('held')).as('total'))
          .where('user_id', '=', userId)
          .where('asset', '=', asset)
          .as('current'),
        eb
          .selectFrom('ledger_entries')
          .select((e) => e.fn.sum<number | string>('amount').as('sum'))
          .where('user_id', '=', userId)
          .where('asset', '=', asset)
          .where('tx_id', '>', txId)
          .as('since'),
      ])
      .executeTakeFirst();
    // PostgreSQL sums bigints as numeric, which arrives as text.
    return Number(row?.current ?? 0) - Number(row?.since ?? 0);
  }

  async tradesByIds(ids: readonly number[]) {
    if (ids.length === 0) return [];
    return this.db.selectFrom('trades').selectAll().where('id', 'in', ids).execute();
  }

  /** The user's postings with this ref, oldest first: an order's holds and releases. */
  async postingsOfUserWithRef(userId: number, ref: string) {
    return this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('user_id', '=', userId)
      .where('ref', '=', ref)
      .orderBy('id')
      .execute();
  }
}
