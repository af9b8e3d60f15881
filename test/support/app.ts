// Builds a complete exchange application on a fresh database and key directory, for tests that
// talk HTTP through `app.inject`. `reopen` builds a new application on the same database, as a
// restart would.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExchange, type AppDeps, type Exchange } from '../../src/app.ts';
import { PasswordHasher } from '../../src/auth/password.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { ExchangeApp } from '../../src/http/exchange-app.ts';
import { initialListings } from '../../src/market/listings.ts';
import { openKeyring } from '../../src/store/data-keys.repo.ts';
import type { Store } from '../../src/store/db.ts';
import { ensureKeyMaterial } from '../../src/store/key-files.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';
import type { StoreFactory } from './stores.ts';

/** A new account's cash, in paise: the default STARTING_BALANCE (config.test.ts pins it). */
export const STARTING_CASH = loadConfig({}).startingBalance;

/** Cheap argon2 parameters: the production ones are tested in password.test.ts. */
export const FAST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export interface TestApp {
  app: ExchangeApp;
  exchange: Exchange;
  store: Store;
  /** SQLite only: the database file. */
  file: string | undefined;
  config: Config;
  /** Closes this application and builds a new one on the same database and keys. */
  reopen(): Promise<TestApp>;
  close(): Promise<void>;
}

/** Tests make many requests from one address: limits are raised unless a test sets its own. */
export function testEnvironment(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    LOG_FILE: 'off',
    SIMULATOR: 'off',
    API_RATE_LIMIT: '10000000',
    API_BURST_LIMIT: '1000',
    LOGIN_RATE_LIMIT: '1000000',
    BRUTE_FORCE_THRESHOLD: '1000000',
  };
}

export async function openTestApp(
  factory: StoreFactory,
  env: Record<string, string> = {},
  options: Partial<Pick<AppDeps, 'now' | 'redisPrefix' | 'logger'>> = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-app-'));
  const config = loadConfig({ ...testEnvironment(dir), ...env }, dir);
  const opened = await factory.open();
  await new SymbolsRepo(opened.store.db).insertMissing(initialListings(Date.now()));
  const dispose = async (): Promise<void> => {
    await opened.dispose();
    rmSync(dir, { recursive: true, force: true });
  };

  const build = async (): Promise<TestApp> => {
    const { keys } = ensureKeyMaterial(config);
    const keyring = await openKeyring(opened.store.db, keys.masterKey, Date.now());
    const exchange = await buildExchange({
      config,
      store: opened.store,
      keys,
      keyring,
      hasher: FAST_HASHER,
      ...options,
    });
    await exchange.app.ready();
    return {
      app: exchange.app,
      exchange,
      store: opened.store,
      file: opened.file,
      config,
      async reopen() {
        await exchange.app.close();
        return build();
      },
      async close() {
        await exchange.app.close();
        await dispose();
      },
    };
  };
  return build();
}
