// Rebuilds the exchange from the database on start, and again in the same process after a journal
// outage: balances into the ledger, open orders into their books in sequence order (triggered
// stops into their trigger queues). Then checks the invariants; if any fails, the exchange
// refuses to trade and says why, rather than trade on a state it cannot vouch for.

import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log.ts';
import { tradingEntries } from '../audit/records.ts';
import { Ledger } from '../ledger/ledger.ts';
import type { SymbolsRepo } from '../store/symbols.repo.ts';
import type { TradingRepo } from '../store/trading.repo.ts';
import {
  asPrice,
  asSequence,
  type SelfTradePrevention,
  type StopTrigger,
} from '../engine/index.ts';
import { CASH, Exchange, type ExchangeOptions } from './exchange.ts';
import { Journal, mergeBatches } from './journal.ts';
import type { LiveOrder, OrderStatusName } from './orders.ts';
import { JournalOutage, type OutagePolicy } from './outage.ts';

export interface Recovered {
  exchange: Exchange;
  journal: Journal;
  /** Recovers in this process after a failed journal write. */
  outage: JournalOutage;
  /** Empty when the state passed every check. */
  problems: string[];
  openOrders: number;
}

type OrderRow = Awaited<ReturnType<TradingRepo['openOrders']>>[number];

function liveOrder(row: OrderRow): LiveOrder {
  const part = row.fee_remainder;
  return {
    id: row.id,
    userId: row.user_id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    mode: row.mode,
    timeInForce: row.time_in_force,
    price: row.price,
    stopPrice: row.stop_price,
    limitPrice: row.limit_price,
    quantity: row.quantity,
    filled: row.filled_quantity,
    filledNotional: row.filled_notional,
    feesPaid: row.fees_paid,
    feeAccrual: { whole: row.fees_paid - (part > 0 ? 1 : 0), part },
    held: row.held_amount,
    status: row.status as OrderStatusName,
    cancelReason: row.cancel_reason,
    sequence: row.sequence,
    postOnly: row.post_only === 1,
    selfTrade: row.self_trade as SelfTradePrevention,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The stored trigger checks of a book (JSON), or undefined if they do not parse as such. */
function stopTriggers(text: string): StopTrigger[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return undefined;
    const triggers: StopTrigger[] = [];
    for (const t of parsed as unknown[]) {
      const { sequence, lastPrice } = (t ?? {}) as Record<string, unknown>;
      if (typeof sequence !== 'number' || typeof lastPrice !== 'number') return undefined;
      triggers.push({ sequence: asSequence(sequence), lastPrice: asPrice(lastPrice) });
    }
    return triggers;
  } catch {
    return undefined;
  }
}

interface RecoveryDeps {
  trading: TradingRepo;
  symbols: SymbolsRepo;
  audit: AuditLog;
  options: ExchangeOptions;
  log?: Logger | undefined;
  /** How a journal outage retries (default: DEFAULT_OUTAGE_POLICY). */
  outage?: OutagePolicy | undefined;
}

export async function recoverExchange(deps: RecoveryDeps): Promise<Recovered> {
  const { trading, audit, options, log } = deps;
  const ledger = new Ledger({ cashAsset: CASH, feeAccount: options.feeAccount });
  const journal = new Journal(
    (group) =>
      audit.record((seal) =>
        trading.write(mergeBatches(group), seal(group.flatMap(tradingEntries))),
      ),
    (error) => outage.begin(error),
  );
  const exchange = new Exchange(ledger, journal, options, trading);
  // Recovering again is what startup does, on the same objects: the routes keep theirs.
  const outage = new JournalOutage(
    exchange,
    async () => {
      await audit.reload();
      exchange.reset();
      const { problems } = await load(exchange, deps);
      journal.resume();
      judge(exchange, problems, log);
      return problems;
    },
    deps.outage,
    log,
  );
  const { problems, openOrders } = await load(exchange, deps);
  judge(exchange, problems, log);
  return { exchange, journal, outage, problems, openOrders };
}

/** Loads balances, books and open orders from the database, and lists what fails the checks. */
async function load(
  exchange: Exchange,
  deps: RecoveryDeps,
): Promise<{ problems: string[]; openOrders: number }> {
  const { trading, audit } = deps;
  const ledger = exchange.ledger;
  const problems: string[] = [...audit.problems];

  for (const row of await trading.allBalances()) {
    const loaded = ledger.load(row.user_id, row.asset, {
      available: row.available,
      held: row.held,
    });
    if (!loaded.ok) problems.push(`balance of user ${row.user_id} in ${row.asset}: ${loaded.code}`);
  }
  const marks = await trading.highWaterMarks();
  ledger.setNextTxId(marks.tx + 1);
  exchange.setHighWaterMarks(marks);

  for (const s of await deps.symbols.list()) {
    const triggers = stopTriggers(s.stop_triggers);
    if (triggers === undefined) problems.push(`the stop triggers of ${s.symbol} are unreadable`);
    const refused = exchange.list(
      {
        symbol: s.symbol,
        name: s.name,
        tickSize: s.tick_size,
        referencePrice: s.reference_price,
        status: s.status,
      },
      {
        sequence: asSequence(s.last_sequence),
        lastPrice: s.last_price === null ? null : asPrice(s.last_price),
        triggers: triggers ?? [],
      },
    );
    if (refused !== undefined) problems.push(`the book of ${s.symbol} cannot resume: ${refused}`);
  }
  const open = await trading.openOrders();
  for (const row of open) {
    const refused = exchange.restoreOrder(liveOrder(row));
    if (refused !== undefined)
      problems.push(`order ${row.id} cannot go back into ${row.symbol}: ${refused}`);
  }

  const totals = await trading.externalNet();
  if (!totals.has(CASH)) totals.set(CASH, 0);
  for (const violation of ledger.checkInvariants(exchange.expectedHolds(), totals)) {
    problems.push(violation.message);
  }
  return { problems, openOrders: open.length };
}

/** Trades on a state that passed every check; refuses, and says why, otherwise. */
function judge(exchange: Exchange, problems: readonly string[], log: Logger | undefined): void {
  // Whatever stopped trading before (a journal outage), this recovery now decides.
  exchange.resume();
  if (problems.length > 0) {
    const reason = `recovery found ${problems.length} problem(s), trading is refused: ${problems.slice(0, 5).join('; ')}`;
    exchange.stop(reason);
    log?.error({ problems }, reason);
  } else {
    // Stops triggered before the restart run on, in the order they were triggered.
    exchange.resumeStops();
  }
}
