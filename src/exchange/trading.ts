// What a trader can do and see: place, cancel and amend orders, read orders, the portfolio and
// the transaction history (one row per business event). Every read is scoped to the caller;
// another user's order is a 404.

import { ApiError } from '../errors.ts';
import { formatPaise } from '../money.ts';
import type { TradingRepo } from '../store/trading.repo.ts';
import {
  CASH,
  type AmendRequest,
  type Exchange,
  type OrderOutcome,
  type OrderRequest,
} from './exchange.ts';
import {
  historyEvents,
  postingView,
  transactionView,
  type PostingView,
  type TransactionView,
} from './history.ts';
import { orderRef, readRef } from './ledger-refs.ts';
import { orderView, type OrderView } from './orders.ts';

export interface PlacedOrder {
  order: OrderView;
  fills: {
    trade_id: number;
    price: string;
    quantity: number;
    fee: string;
    liquidity: 'MAKER' | 'TAKER';
  }[];
  duplicate: boolean;
}

/** An order with its holds and releases. */
export interface OrderDetail extends OrderView {
  postings: PostingView[];
}

export interface Holding {
  symbol: string;
  quantity: number;
  available: number;
  held: number;
  avg_price: string | null;
  current_price: string | null;
  market_value: string;
  cost_basis: string;
  unrealized_pnl: string;
  unrealized_pnl_percent: string | null;
  /** The original platform's names for unrealized_pnl and unrealized_pnl_percent. */
  profit_loss: string;
  profit_loss_percent: string | null;
}

export interface Portfolio {
  /** The original platform's name for cash.total: cash the account holds, held or not. */
  balance: string;
  cash: { available: string; held: string; total: string };
  holdings: Holding[];
  realized_pnl: string;
  unrealized_pnl: string;
  total_value: string;
}

function outcome(result: OrderOutcome): PlacedOrder {
  if (!result.ok) throw new ApiError(result.code, result.message);
  return {
    order: result.order,
    duplicate: result.duplicate,
    fills: result.fills.map((f) => ({
      trade_id: f.trade_id,
      price: formatPaise(f.price),
      quantity: f.quantity,
      fee: formatPaise(f.fee),
      liquidity: f.liquidity,
    })),
  };
}

/** Percent with two decimals, from integers: 100 * part / whole, rounded half away from zero. */
function percent(part: number, whole: number): string | null {
  if (whole === 0) return null;
  const basisPoints = Math.round((part * 10_000) / whole);
  const sign = basisPoints < 0 ? '-' : '';
  const abs = Math.abs(basisPoints);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export class Trading {
  constructor(
    private readonly exchange: Exchange,
    private readonly repo: TradingRepo,
  ) {}

  /** A client order id already used answers with its order (`duplicate`), placing nothing. */
  async place(userId: number, request: OrderRequest): Promise<PlacedOrder> {
    return outcome(await this.exchange.placeOrder(userId, request));
  }

  async cancel(userId: number, orderId: number): Promise<OrderView> {
    const result = await this.exchange.cancelOrder(userId, orderId);
    if (!result.ok && result.code === 'ORDER_NOT_FOUND') await this.explainClosed(userId, orderId);
    return outcome(result).order;
  }

  async amend(userId: number, orderId: number, request: AmendRequest): Promise<PlacedOrder> {
    const result = await this.exchange.amendOrder(userId, orderId, request);
    if (!result.ok && result.code === 'ORDER_NOT_FOUND') await this.explainClosed(userId, orderId);
    return outcome(result);
  }

  /** The caller's order with the holds and releases it made, which the history leaves out. */
  async order(userId: number, orderId: number): Promise<OrderDetail> {
    const row = await this.repo.orderOfUser(userId, orderId);
    if (row === undefined) throw new ApiError('ORDER_NOT_FOUND', 'no such order');
    const postings = await this.repo.postingsOfUserWithRef(userId, orderRef(orderId));
    return { ...orderView(row), postings: postings.map((p) => postingView(p, CASH)) };
  }

  async orders(
    userId: number,
    filter: { status?: readonly string[]; symbol?: string; beforeId?: number; limit: number },
  ): Promise<{ orders: OrderView[]; next_before_id: number | null }> {
    const rows = await this.repo.ordersOfUser(userId, { ...filter, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit);
    return {
      orders: page.map(orderView),
      next_before_id: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async portfolio(userId: number): Promise<Portfolio> {
    const ledger = this.exchange.ledger;
    const cash = ledger.balance(userId, CASH);
    const positions = new Map<string, { quantity: number; cost: number }>();
    let realized = 0;
    // Average cost: buys add at their price (fees included); sells release cost at the average.
    for (const t of await this.repo.tradesOfUser(userId)) {
      const p = positions.get(t.symbol) ?? { quantity: 0, cost: 0 };
      if (t.buyer_id === userId) {
        p.quantity += t.quantity;
        p.cost += t.price * t.quantity + t.buyer_fee;
      }
      if (t.seller_id === userId) {
        const released = p.quantity === 0 ? 0 : Math.round((p.cost * t.quantity) / p.quantity);
        realized += t.price * t.quantity - t.seller_fee - released;
        p.quantity -= t.quantity;
        p.cost -= released;
      }
      positions.set(t.symbol, p);
    }
    const holdings: Holding[] = [];
    let marketValue = 0;
    let unrealized = 0;
    for (const row of ledger.balancesOf(userId)) {
      if (row.asset === CASH) continue;
      const quantity = row.available + row.held;
      if (quantity === 0) continue;
      const market = this.exchange.market(row.asset);
      const last = market === undefined ? null : (market.book.lastPrice ?? market.referencePrice);
      const position = positions.get(row.asset);
      // Shares that arrived by deposit, not by trade, have no cost: they count at zero cost.
      const cost =
        position !== undefined && position.quantity === quantity
          ? position.cost
          : (position?.cost ?? 0);
      const value = last === null ? 0 : last * quantity;
      marketValue += value;
      unrealized += value - cost;
      const pnl = formatPaise(value - cost);
      const pnlPercent = percent(value - cost, cost);
      holdings.push({
        symbol: row.asset,
        quantity,
        available: row.available,
        held: row.held,
        avg_price: quantity === 0 || cost === 0 ? null : formatPaise(Math.round(cost / quantity)),
        current_price: last === null ? null : formatPaise(last),
        market_value: formatPaise(value),
        cost_basis: formatPaise(cost),
        unrealized_pnl: pnl,
        unrealized_pnl_percent: pnlPercent,
        profit_loss: pnl,
        profit_loss_percent: pnlPercent,
      });
    }
    const cashTotal = formatPaise(cash.available + cash.held);
    return {
      balance: cashTotal,
      cash: {
        available: formatPaise(cash.available),
        held: formatPaise(cash.held),
        total: cashTotal,
      },
      holdings,
      realized_pnl: formatPaise(realized),
      unrealized_pnl: formatPaise(unrealized),
      total_value: formatPaise(cash.available + cash.held + marketValue),
    };
  }

  /**
   * The caller's history, one row per business event, newest first; pages by event, so a page
   * never splits a trade's postings. `before_id` is the last row's `id`.
   */
  async transactions(
    userId: number,
    filter: { beforeId?: number; limit: number },
  ): Promise<{ transactions: TransactionView[]; next_before_id: number | null }> {
    const { postings, more } = await this.repo.transactionPostingsOfUser(userId, {
      limit: filter.limit,
      ...(filter.beforeId === undefined ? {} : { beforeTxId: filter.beforeId }),
    });
    const newest = postings[0]?.tx_id;
    const tradeIds = postings.flatMap((p) => {
      const meaning = readRef(p.ref);
      return meaning.kind === 'trade' ? [meaning.tradeId] : [];
    });
    const trades = await this.repo.tradesByIds([...new Set(tradeIds)]);
    const events = historyEvents({
      userId,
      cashAsset: CASH,
      postings,
      trades: new Map(trades.map((t) => [t.id, t])),
      cashAfterNewest:
        newest === undefined ? 0 : await this.repo.balanceOfUserThrough(userId, CASH, newest),
    });
    const page = events.map((e) => transactionView(e, CASH));
    return { transactions: page, next_before_id: more ? (page.at(-1)?.id ?? null) : null };
  }

  /** Turns "not open" into 409 for the owner's closed order; someone else's stays 404. */
  private async explainClosed(userId: number, orderId: number): Promise<void> {
    const row = await this.repo.orderOfUser(userId, orderId);
    if (row !== undefined)
      throw new ApiError('ORDER_NOT_OPEN', `the order is ${row.status.toLowerCase()}`);
  }
}
