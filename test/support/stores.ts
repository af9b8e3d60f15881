// The databases the repository tests run on: always SQLite; PostgreSQL when TEST_DATABASE_URL
// is set, each run in its own schema. Redis when TEST_REDIS_URL is set. Under CI a missing
// TEST_DATABASE_URL or TEST_REDIS_URL is an error, not a skip.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

export interface TestStore {
  store: Store;
  /** SQLite only: the database file. */
  file?: string;
  /** Closes the store and removes everything the test created. */
  dispose(): Promise<void>;
}

export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  open(): Promise<TestStore>;
}

/** A local service's URL from the environment; undefined outside CI when unset. */
function serviceUrl(variable: string, service: string): string | undefined {
  const url = process.env[variable];
  if (url === undefined || url === '') {
    if (process.env.CI) throw new Error(`CI requires ${variable} (${service}) to be set`);
    return undefined;
  }
  return url;
}

export function postgresTestUrl(): string | undefined {
  return serviceUrl('TEST_DATABASE_URL', 'PostgreSQL');
}

/** The Redis the cluster tests share, each under its own key prefix. */
export function redisTestUrl(): string | undefined {
  return serviceUrl('TEST_REDIS_URL', 'Redis');
}

async function openSqlite(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-store-'));
  const file = join(dir, 'test.db');
  const store = await openStore(`sqlite:${file}`);
  await migrateToLatest(store);
  return {
    store,
    file,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(url: string): Promise<TestStore> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore(url, { schema, poolSize: 4 });
  const dispose = async (): Promise<void> => {
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  };
  try {
    await migrateToLatest(store);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { store, dispose };
}

/** The store factories for this run; use with `describe.each`. */
export function storeFactories(): StoreFactory[] {
  const factories: StoreFactory[] = [{ name: 'sqlite', open: openSqlite }];
  const url = postgresTestUrl();
  if (url !== undefined) factories.push({ name: 'postgres', open: () => openPostgres(url) });
  return factories;
}
