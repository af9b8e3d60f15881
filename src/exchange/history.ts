// A trader's history as business events: one per ledger transaction that moved their money or
// shares (a trade, a deposit or withdrawal, an adjustment, fee income), with its postings nested.
// Holds and releases are not events; they belong to their order's detail. Pure: rows in, events
// out.

import type { Selectable } from 'kysely';
import { formatPaise } from '../money.ts';
import type { LedgerEntriesTable, Side, TradesTable } from '../store/schema.ts';
import { readRef } from './ledger-refs.ts';

export type PostingRow = Selectable<LedgerEntriesTable>;
export type TradeRow = Selectable<TradesTable>;

export type EventKind = 'TRADE' | 'DEPOSIT' | 'WITHDRAWAL' | 'ADJUSTMENT' | 'FEE';

/** The trade behind a TRADE event, or behind the fee account's FEE income. */
export interface EventTrade {
  tradeId: number;
  symbol: string;
  quantity: number;
  /** Per share, paise. */
  price: number;
  /** The caller's side and order; null for the fee account, which is neither party. */
  side: Side | null;
  orderId: number | null;
  /** Paise: what the caller paid, or for the fee account what it earned. */
  fee: number;
}

export interface HistoryEvent {
  txId: number;
  time: number;
  kind: EventKind;
  ref: string | null;
  /** The asset the event is about: cash, or the shares a deposit or withdrawal moved. */
  asset: string;
  /** Net change of `asset` over the caller's postings (available and held together). */
  amount: number;
  /** Net change of the caller's cash, paise. */
  cash: number;
  /** The caller's cash (available + held) once this event was done, paise. */
  cashAfter: number;
  trade: EventTrade | null;
  /** Why: an administrator's reason, or the venue's note on a deposit ("starting balance"). */
  reason: string | null;
  postings: PostingRow[];
}

export interface HistoryInput {
  userId: number;
  cashAsset: string;
  /** The caller's postings of some transactions (no holds or releases), newest first. */
  postings: readonly PostingRow[];
  /** The trades their refs name, by id. */
  trades: ReadonlyMap<number, TradeRow>;
  /** The caller's cash after the newest of these transactions. */
  cashAfterNewest: number;
}

function tradeOf(row: TradeRow, userId: number, amount: number): EventTrade {
  const facts = { tradeId: row.id, symbol: row.symbol, quantity: row.quantity, price: row.price };
  if (row.buyer_id === userId)
    return { ...facts, side: 'BUY', orderId: row.buy_order_id, fee: row.buyer_fee };
  if (row.seller_id === userId)
    return { ...facts, side: 'SELL', orderId: row.sell_order_id, fee: row.seller_fee };
  return { ...facts, side: null, orderId: null, fee: amount };
}

function eventOf(input: HistoryInput, postings: PostingRow[], cashAfter: number): HistoryEvent {
  const first = postings[0];
  if (first === undefined) throw new Error('an event needs at least one posting');
  const { cashAsset, userId } = input;
  const meaning = readRef(first.ref);
  // A trade is told in cash (its shares are in `trade`); a deposit of shares in those shares.
  const moved = meaning.kind === 'trade' ? undefined : postings.find((p) => p.asset !== cashAsset);
  const asset = moved?.asset ?? cashAsset;
  const sum = (of: string) => postings.reduce((n, p) => n + (p.asset === of ? p.amount : 0), 0);
  const cash = sum(cashAsset);
  const amount = sum(asset);
  const base = { txId: first.tx_id, time: first.created_at, ref: first.ref, asset, amount, cash };
  const event = { ...base, cashAfter, trade: null, reason: null, postings };
  if (meaning.kind === 'trade') {
    const row = input.trades.get(meaning.tradeId);
    const kind = postings.some((p) => p.kind === 'TRADE') ? 'TRADE' : 'FEE';
    return { ...event, kind, trade: row === undefined ? null : tradeOf(row, userId, amount) };
  }
  if (meaning.kind === 'adjustment')
    return { ...event, kind: 'ADJUSTMENT', reason: meaning.reason };
  const kind = first.kind === 'WITHDRAWAL' ? 'WITHDRAWAL' : 'DEPOSIT';
  return { ...event, kind, reason: meaning.kind === 'funding' ? meaning.reason : null };
}

/** One event per transaction, newest first, each with its postings in the order written. */
export function historyEvents(input: HistoryInput): HistoryEvent[] {
  const byTx = new Map<number, PostingRow[]>();
  for (const p of input.postings) {
    const group = byTx.get(p.tx_id);
    if (group === undefined) byTx.set(p.tx_id, [p]);
    else group.push(p);
  }
  const events: HistoryEvent[] = [];
  let cashAfter = input.cashAfterNewest;
  for (const [, postings] of [...byTx].sort(([a], [b]) => b - a)) {
    postings.sort((a, b) => a.id - b.id);
    const event = eventOf(input, postings, cashAfter);
    events.push(event);
    cashAfter -= event.cash;
  }
  return events;
}

// --- the API's view ---------------------------------------------------------------------------

/** One ledger posting as the API shows it. */
export interface PostingView {
  id: number;
  tx_id: number;
  time: string;
  kind: string;
  asset: string;
  bucket: string;
  /** Signed: rupees ("-879.40") for cash, whole shares ("-5") otherwise. */
  amount: string;
  reference: string | null;
}

/** One business event as the API shows it; money as exact decimal rupees, ASCII minus. */
export interface TransactionView {
  /** The event's id (its ledger transaction): the cursor `before_id` pages by. */
  id: number;
  tx_id: number;
  time: string;
  kind: EventKind;
  asset: string;
  amount: string;
  reference: string | null;
  symbol: string | null;
  side: Side | null;
  quantity: number | null;
  price: string | null;
  fee: string | null;
  order_id: number | null;
  trade_id: number | null;
  reason: string | null;
  cash_after: string;
  postings: PostingView[];
}

/** Rupees for cash, whole shares otherwise, signed. */
function amountText(asset: string, amount: number, cashAsset: string): string {
  return asset === cashAsset ? formatPaise(amount) : String(amount);
}

export function postingView(p: PostingRow, cashAsset: string): PostingView {
  return {
    id: p.id,
    tx_id: p.tx_id,
    time: new Date(p.created_at).toISOString(),
    kind: p.kind,
    asset: p.asset,
    bucket: p.account,
    amount: amountText(p.asset, p.amount, cashAsset),
    reference: p.ref,
  };
}

export function transactionView(e: HistoryEvent, cashAsset: string): TransactionView {
  const t = e.trade;
  return {
    id: e.txId,
    tx_id: e.txId,
    time: new Date(e.time).toISOString(),
    kind: e.kind,
    asset: e.asset,
    amount: amountText(e.asset, e.amount, cashAsset),
    reference: e.ref,
    symbol: t?.symbol ?? (e.asset === cashAsset ? null : e.asset),
    side: t?.side ?? null,
    quantity: t?.quantity ?? null,
    price: t === null ? null : formatPaise(t.price),
    fee: t === null ? null : formatPaise(t.fee),
    order_id: t?.orderId ?? null,
    trade_id: t?.tradeId ?? null,
    reason: e.reason,
    cash_after: formatPaise(e.cashAfter),
    postings: e.postings.map((p) => postingView(p, cashAsset)),
  };
}
