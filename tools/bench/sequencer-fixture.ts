// A recovered exchange on a fresh SQLite database, with its audit log and journal, for the
// benchmarks that measure the sequencer itself (no HTTP): the order path a request takes once
// it has been authenticated and validated.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/audit/log.ts';
import type { Exchange, ExchangeOptions } from '../../src/exchange/exchange.ts';
import { recoverExchange } from '../../src/exchange/recovery.ts';
import { initialListings } from '../../src/market/listings.ts';
import { AuditRepo } from '../../src/store/audit.repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';
import { TradingRepo } from '../../src/store/trading.repo.ts';
import { UsersRepo } from '../../src/store/users.repo.ts';

/** The exchange's settings every benchmark runs with: no fees, the default collar and band. */
export function benchExchangeOptions(feeAccount: number, now: () => number) {
  return {
    feeAccount,
    makerFeeBps: 0,
    takerFeeBps: 0,
    marketCollarBps: 500,
    priceBandBps: 2_000,
    now,
  };
}

export interface SequencerFixture {
  exchange: Exchange;
  repo: TradingRepo;
  store: Store;
  /** The audit log every command appends to. */
  audit: AuditLog;
  /** Ids of traders created for the run, each funded with `cash` paise. */
  traders: number[];
  close(): Promise<void>;
}

export async function openSequencer(options: {
  traders: number;
  cash: number;
  exchange?: Partial<ExchangeOptions>;
}): Promise<SequencerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-sequencer-'));
  const now = Date.now;
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
  await migrateToLatest(store);
  const symbols = new SymbolsRepo(store.db);
  await symbols.insertMissing(initialListings(now()));
  const users = new UsersRepo(store.db);
  const feeAccount = await users.ensureSystemUser('exchange', now());
  const traders: number[] = [];
  for (let i = 0; i < options.traders; i++) {
    traders.push(await users.ensureSystemUser(`trader-${i}`, now()));
  }
  const audit = await AuditLog.open({
    repo: new AuditRepo(store.db),
    key: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    now,
    headIntervalMs: 3_600_000,
    headEveryLeaves: Number.MAX_SAFE_INTEGER,
  });
  const repo = new TradingRepo(store);
  const { exchange, journal, problems } = await recoverExchange({
    trading: repo,
    symbols,
    audit,
    options: { ...benchExchangeOptions(feeAccount, now), ...options.exchange },
  });
  if (problems.length > 0) throw new Error(`recovery: ${problems.join('; ')}`);
  for (const id of traders) {
    const funded = await exchange.adjust(id, 'INR', options.cash, 'bench');
    if (!funded.ok) throw new Error(`funding trader ${id}: ${funded.code}`);
  }
  return {
    exchange,
    repo,
    store,
    audit,
    traders,
    async close() {
      await journal.drain();
      await audit.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
