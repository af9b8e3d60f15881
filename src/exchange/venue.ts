// Puts the trading side together: the fee account, the recovered exchange, the trader-facing
// service, market data fed by durable trades, and the daily session end for DAY orders.

import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log.ts';
import { adminActionEntry } from '../audit/records.ts';
import type { Config } from '../config.ts';
import { MarketData, storedPrint } from '../market/market-data.ts';
import type { Store } from '../store/db.ts';
import type { SymbolStatus } from '../store/schema.ts';
import { SymbolsRepo } from '../store/symbols.repo.ts';
import { TradingRepo } from '../store/trading.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';
import { ApiError } from '../errors.ts';
import type { Exchange } from './exchange.ts';
import type { Journal } from './journal.ts';
import { recoverExchange } from './recovery.ts';
import { Trading } from './trading.ts';

export const FEE_ACCOUNT_USERNAME = 'exchange';

export interface Venue {
  exchange: Exchange;
  trading: Trading;
  marketData: MarketData;
  journal: Journal;
  repo: TradingRepo;
  symbols: SymbolsRepo;
  feeAccount: number;
  /** Problems recovery found; trading is refused while there are any. */
  problems: string[];
  /** Halts or resumes a symbol for an administrator, audited; false if there is no such symbol. */
  setSymbolStatus(symbol: string, status: SymbolStatus, admin: number): Promise<boolean>;
  /** Opens a registered account with its starting cash, in one journal write; throws if refused. */
  openAccount(userId: number, cash: number): Promise<void>;
  close(): Promise<void>;
}

/** Milliseconds from `now` to the next `HH:MM` UTC. */
export function untilNext(hhmm: string, now: number): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const day = now - (now % 86_400_000);
  let next = day + (h * 60 + m) * 60_000;
  if (next <= now) next += 86_400_000;
  return next - now;
}

export async function openVenue(
  config: Config,
  store: Store,
  audit: AuditLog,
  now: () => number,
  log?: Logger,
): Promise<Venue> {
  const repo = new TradingRepo(store);
  const symbols = new SymbolsRepo(store.db, store.fence);
  const feeAccount = await new UsersRepo(store.db).ensureSystemUser(FEE_ACCOUNT_USERNAME, now());
  const { exchange, journal, outage, problems, openOrders } = await recoverExchange({
    trading: repo,
    symbols,
    audit,
    options: {
      feeAccount,
      makerFeeBps: config.makerFeeBps,
      takerFeeBps: config.takerFeeBps,
      marketCollarBps: config.marketCollarBps,
      priceBandBps: config.priceBandBps,
      stopsPerCommand: config.stopsPerCommand,
      now,
    },
    log,
  });
  log?.info({ openOrders, problems: problems.length }, 'exchange recovered');

  const marketData = new MarketData();
  const since = now() - 86_400_000;
  for (const market of exchange.allMarkets()) {
    marketData.list(market.symbol, market.referencePrice);
    for (const t of await repo.tradesSince(market.symbol, since))
      marketData.record(market.symbol, storedPrint(t));
  }
  exchange.subscribe((events) => {
    for (const e of events) {
      if (e.kind === 'trade') marketData.record(e.symbol, storedPrint(e.trade));
    }
  });

  let timer: NodeJS.Timeout | undefined;
  const scheduleSessionEnd = (): void => {
    timer = setTimeout(
      () => {
        exchange
          .endSession()
          .then((expired) => log?.info({ expired }, 'session ended: DAY orders expired'))
          .catch((error: unknown) => log?.error({ err: error }, 'session end failed'))
          .finally(scheduleSessionEnd);
      },
      untilNext(config.sessionEndUtc, now()),
    );
    timer.unref();
  };
  scheduleSessionEnd();

  return {
    exchange,
    trading: new Trading(exchange, repo),
    marketData,
    journal,
    repo,
    symbols,
    feeAccount,
    problems,
    async setSymbolStatus(symbol, status, admin) {
      const entry = adminActionEntry(
        { actor: admin, action: status === 'HALTED' ? 'halt' : 'resume', target: symbol },
        now(),
      );
      const changed = await audit.record((seal) =>
        symbols.setStatus(symbol, status, () => seal([entry])),
      );
      if (changed) exchange.setStatus(symbol, status);
      return changed;
    },
    async openAccount(userId, cash) {
      const result = await exchange.openAccount(userId, cash);
      if (!result.ok) throw new ApiError(result.code, result.message);
    },
    async close() {
      clearTimeout(timer);
      outage.close();
      exchange.close();
      await journal.drain();
    },
  };
}
