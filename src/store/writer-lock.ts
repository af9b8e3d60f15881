// One writer per database: the process that opens a database to write it takes this lock first,
// and holds it until it closes the database; a second process is refused at once. The operating
// system or the database server releases the lock when its holder dies, so a crash leaves no
// stale lock to clear by hand. A PostgreSQL lock also dies with its connection while the process
// lives on: `lost` says so, and the holder must then stop writing (main.ts stops and exits).
//   SQLite      an exclusive transaction held open on `<database>.writer`, a file beside it
//   PostgreSQL  a session advisory lock keyed by the schema, on a connection of its own

import { closeSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export interface WriterLock {
  /** Settles if the lock ends while held (its connection closed); never after `release`. */
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

/** A lock that only its process's end releases: an open SQLite handle, or nothing to lock. */
const NEVER_LOST = new Promise<Error>(() => undefined);

/** Another process holds the database's writer lock. */
export class WriterLockHeld extends Error {
  constructor(what: string) {
    super(`another process is writing ${what}: is the exchange already running?`);
    this.name = 'WriterLockHeld';
  }
}

const LOCK_FILE_MODE = 0o600;

/** The lock of the SQLite database at `path` (a resolved file path); none for `:memory:`. */
export function sqliteWriterLock(path: string): WriterLock {
  if (path === ':memory:') return { lost: NEVER_LOST, release: () => Promise.resolve() };
  const file = `${path}.writer`;
  closeSync(openSync(file, 'a', LOCK_FILE_MODE));
  // No busy timeout: a held lock is refused at once, not waited for.
  const handle = new SQLite(file, { timeout: 0 });
  try {
    handle.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    handle.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new WriterLockHeld(path);
    throw error;
  }
  return {
    lost: NEVER_LOST,
    release: () => {
      handle.close();
      return Promise.resolve();
    },
  };
}

/** The lock of the PostgreSQL database at `url`, for `schema` (the default one when undefined). */
export async function postgresWriterLock(url: string, schema?: string): Promise<WriterLock> {
  const client = new pg.Client({
    connectionString: url,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // A lost connection has released the lock, and another process may take it at once.
  let released = false;
  let lose: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => (lose = resolve));
  const ended = (why: string): void => {
    if (!released)
      lose(new Error(`the writer lock on schema ${schema ?? 'public'} was lost (${why})`));
  };
  client.on('error', (error) => ended(error.message));
  client.on('end', () => ended('its connection closed'));
  await client.connect();
  try {
    const { rows } = await client.query<{ held: boolean }>(
      "select pg_try_advisory_lock(hashtext('secure-stock-exchange writer ' || current_schema())) as held",
    );
    if (rows[0]?.held !== true) throw new WriterLockHeld(`schema ${schema ?? 'public'}`);
  } catch (error) {
    released = true;
    await client.end();
    throw error;
  }
  return {
    lost,
    release: () => {
      released = true;
      return client.end();
    },
  };
}
