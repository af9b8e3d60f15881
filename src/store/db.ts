// Opens the database named by DATABASE_URL: SQLite (embedded, WAL) or PostgreSQL, behind one
// Kysely instance. Both read 64-bit integers exactly and hand them out as checked numbers. A
// SQLite file and its -wal and -shm files are the owner's alone (0600), like the keys. Opened as
// the writer, a store holds the database's writer lock (writer-lock.ts) until it is closed.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { EpochFence, UNFENCED, type WriteFence } from './fence.ts';
import { LeaseRepo } from './lease.repo.ts';
import type { Database } from './schema.ts';
import { SafeIntegerPlugin } from './safe-integer-plugin.ts';
import {
  WriterLockHeld,
  postgresWriterLock,
  sqliteWriterLock,
  type WriterLock,
} from './writer-lock.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** PostgreSQL only: the schema every table lives in, when not the default. */
  readonly schema?: string | undefined;
  /** SQLite only: the driver's handle, for prepared statements on the journal's hot path. */
  readonly sqlite?: SQLite.Database | undefined;
  /** Whether a trivial query succeeds right now. */
  ping(): Promise<boolean>;
  /** Checked first by every transaction that writes the sequencer's state (see fence.ts). */
  readonly fence: WriteFence;
  /** Opened as the writer: settles if the writer lock is lost while the store is open. */
  readonly writerLost?: Promise<Error> | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to create (if missing) and use for every connection. */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
  /** SQLite only: open an existing file read-only. */
  readonly?: boolean;
  /**
   * Take the writer lock, which the store holds until closed; rejects with WriterLockHeld while
   * another process holds it. The exchange opens its database so; `npm run security` does too
   * when no exchange is running.
   */
  writer?: boolean;
  /**
   * PostgreSQL only: open as a cluster node. No writer lock (the lease is the leader's, see
   * src/cluster/lease.ts); the store's fence is an EpochFence, closed until this node leads.
   */
  cluster?: boolean;
  /**
   * PostgreSQL only: end a session left idle inside a transaction this long (ms). A cluster sets
   * it to the lease TTL, so that a paused leader's open transaction, whose lock on the lease row
   * a takeover waits for, does not outlive its lease by much.
   */
  idleInTransactionMs?: number;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

type TextParser = (value: string) => unknown;

function pgTypes(): pg.CustomTypesConfig {
  const parser = (oid: number): TextParser => {
    if (oid === PG_INT8) return (value) => BigInt(value);
    // SUM() over BIGINT yields NUMERIC; whole values come back as exact integers.
    if (oid === PG_NUMERIC) return (value) => (/^-?\d+$/.test(value) ? BigInt(value) : value);
    return pg.types.getTypeParser(oid, 'text') as TextParser;
  };
  return { getTypeParser: parser as pg.CustomTypesConfig['getTypeParser'] };
}

function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\.|\/)/, '');
  return path === ':memory:' ? path : resolve(path);
}

const DATABASE_FILE_MODE = 0o600;

/**
 * Creates the database file 0600 before SQLite does (it would follow the umask, 0644), and
 * narrows the file and its -wal and -shm files where an older version left them wider. SQLite
 * makes the -wal and -shm files with the database file's own mode.
 */
function keepPrivate(path: string): void {
  closeSync(openSync(path, 'a', DATABASE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, DATABASE_FILE_MODE);
  }
}

function openSqlite(url: string, readonly: boolean): Store {
  const path = sqlitePath(url);
  if (readonly) {
    // For inspecting a copy: nothing is created or changed, not even the journal mode.
    return sqliteStore(new SQLite(path, { readonly: true, fileMustExist: true }));
  }
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    keepPrivate(path);
  }
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  if (path !== ':memory:') keepPrivate(path);
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return sqliteStore(database);
}

function sqliteStore(database: SQLite.Database): Store {
  database.defaultSafeIntegers(true);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database }),
    plugins: [new SafeIntegerPlugin()],
  });
  return {
    db,
    dialect: 'sqlite',
    sqlite: database,
    fence: UNFENCED,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name ${name}`);
  return `"${name}"`;
}

async function openPostgres(url: string, options: OpenOptions): Promise<Store> {
  if (options.schema !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes(),
    ...(options.idleInTransactionMs === undefined
      ? {}
      : { idle_in_transaction_session_timeout: options.idleInTransactionMs }),
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // A client that loses its server must not crash the process, idle (the pool's 'error') or in
  // use (its own 'error'; the query in flight fails with it): a session ended by the server,
  // such as a paused leader's by idle_in_transaction_session_timeout, is routine.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new SafeIntegerPlugin()],
  });
  return {
    db,
    dialect: 'postgres',
    schema: options.schema,
    fence: UNFENCED,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

async function ping(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL's undefined_table: a database the migrations have not reached yet. */
const UNDEFINED_TABLE = '42P01';

/**
 * The writer lock of a single process. On PostgreSQL a cluster's leader holds it too, but only
 * after its lease: a live lease therefore also refuses a single process.
 */
async function writerLock(url: string, store: Store, options: OpenOptions): Promise<WriterLock> {
  if (url.startsWith('sqlite:')) return sqliteWriterLock(sqlitePath(url));
  const lock = await postgresWriterLock(url, options.schema);
  const lease = await new LeaseRepo(store.db).read().catch((error: unknown) => {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return undefined;
    throw error;
  });
  if (lease !== undefined && lease.node_id !== '' && lease.expires_at >= lease.now) {
    await lock.release();
    throw new WriterLockHeld(
      `schema ${options.schema ?? 'public'}`,
      `cluster node ${lease.node_id} leads it under epoch ${lease.epoch}; start this process with CLUSTER=on to join the cluster`,
    );
  }
  return lock;
}

/** Opens the store and proves it answers; connection failures reject. */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  const store = url.startsWith('sqlite:')
    ? openSqlite(url, options.readonly === true)
    : await openPostgres(url, options);
  try {
    await sql`select 1`.execute(store.db);
    if (options.cluster === true) {
      if (store.dialect !== 'postgres') throw new Error('a cluster needs PostgreSQL');
      return { ...store, fence: new EpochFence(new LeaseRepo(store.db)) };
    }
    if (options.writer !== true) return store;
    const lock = await writerLock(url, store, options);
    return {
      ...store,
      writerLost: lock.lost,
      close: async () => {
        try {
          await store.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
