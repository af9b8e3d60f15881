// Builds a complete exchange application on a fresh database and key directory, for tests that
// talk HTTP through `app.inject`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExchange, type AppDeps, type Exchange } from '../../src/app.ts';
import { PasswordHasher } from '../../src/auth/password.ts';
import { openKeyring } from '../../src/store/data-keys.repo.ts';
import { initialListings } from '../../src/market/listings.ts';
import { SymbolsRepo } from '../../src/store/symbols.repo.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { ensureKeyMaterial } from '../../src/store/key-files.ts';
import type { ExchangeApp } from '../../src/http/exchange-app.ts';
import type { Store } from '../../src/store/db.ts';
import type { StoreFactory } from './stores.ts';

/** Cheap argon2 parameters: the production ones are tested in password.test.ts. */
export const FAST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export interface TestApp {
  app: ExchangeApp;
  exchange: Exchange;
  store: Store;
  /** SQLite only: the database file. */
  file: string | undefined;
  config: Config;
  close(): Promise<void>;
}

export async function openTestApp(
  factory: StoreFactory,
  env: Record<string, string> = {},
  options: Partial<Pick<AppDeps, 'now'>> = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-app-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_FILE: 'off', ...env }, dir);
  const { keys } = ensureKeyMaterial(config);
  const opened = await factory.open();
  const store = opened.store;
  await new SymbolsRepo(store.db).insertMissing(initialListings(Date.now()));
  const keyring = await openKeyring(store.db, keys.masterKey, Date.now());
  const exchange = await buildExchange({
    config,
    store,
    keys,
    keyring,
    hasher: FAST_HASHER,
    ...options,
  });
  const app = exchange.app;
  await app.ready();
  return {
    app,
    exchange,
    store,
    file: opened.file,
    config,
    async close() {
      await app.close();
      await opened.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
