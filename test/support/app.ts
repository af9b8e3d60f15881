// Builds a complete exchange application on a fresh database and key directory, for tests that
// talk HTTP through `app.inject`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { ensureKeyMaterial } from '../../src/store/key-files.ts';
import type { ExchangeApp } from '../../src/http/exchange-app.ts';
import type { Store } from '../../src/store/db.ts';
import type { StoreFactory } from './stores.ts';

export interface TestApp {
  app: ExchangeApp;
  store: Store;
  config: Config;
  close(): Promise<void>;
}

export async function openTestApp(
  factory: StoreFactory,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-app-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_FILE: 'off', ...env }, dir);
  const { keys } = ensureKeyMaterial(config);
  const opened = await factory.open();
  const store = opened.store;
  const app = await buildApp({ config, store, keys });
  await app.ready();
  return {
    app,
    store,
    config,
    async close() {
      await app.close();
      await opened.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
