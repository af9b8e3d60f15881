// One writer per database: the process that opens a database to write it takes this lock first,
// and holds it until it closes the database; a second process is refused at once, with a message
// naming the holder. The operating system or the database server releases the lock when its
// holder dies, so a crash leaves no stale lock to clear by hand. A PostgreSQL lock also dies with
// its connection while the process lives on: `lost` says so, and the holder must then stop
// writing (main.ts stops and exits).
//   SQLite      an exclusive transaction held open on `<database>.writer`, a file beside it, and
//               the holder's name in `<database>.writer-holder`
//   PostgreSQL  a session advisory lock keyed by the schema, on a connection of its own whose
//               application_name names the holder
// A cluster's leader takes the PostgreSQL lock too (after its lease, which fences it): it may end
// the session of an earlier leader that still holds it, paused or cut off, but never a single
// node's.

import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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
  constructor(what: string, holder: string | undefined) {
    super(
      `another process is writing ${what}${holder === undefined ? '' : ` (${holder})`}: is the exchange already running?`,
    );
    this.name = 'WriterLockHeld';
  }
}

/** A cluster leader's role names start so; only such a holder may be taken over. */
export const CLUSTER_LEADER_ROLE = 'cluster leader';

function describeHolder(role: string, now: number): string {
  return `${role}, pid ${process.pid} on ${hostname()}, since ${new Date(now).toISOString()}`;
}

const LOCK_FILE_MODE = 0o600;

/** The lock of the SQLite database at `path` (a resolved file path); none for `:memory:`. */
export function sqliteWriterLock(path: string, role = 'exchange'): WriterLock {
  if (path === ':memory:') return { lost: NEVER_LOST, release: () => Promise.resolve() };
  const file = `${path}.writer`;
  const holderFile = `${path}.writer-holder`;
  closeSync(openSync(file, 'a', LOCK_FILE_MODE));
  // No busy timeout: a held lock is refused at once, not waited for.
  const handle = new SQLite(file, { timeout: 0 });
  try {
    handle.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    handle.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new WriterLockHeld(path, readHolder(holderFile));
    throw error;
  }
  writeFileSync(holderFile, describeHolder(role, Date.now()), { mode: LOCK_FILE_MODE });
  return {
    lost: NEVER_LOST,
    release: () => {
      handle.close();
      return Promise.resolve();
    },
  };
}

function readHolder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const LOCK_KEY = "hashtext('secure-stock-exchange writer ' || current_schema())";
/** PostgreSQL keeps 63 bytes of an application_name. */
const APPLICATION_NAME_BYTES = 63;
const TAKEOVER_TRIES = 20;
const TAKEOVER_PAUSE_MS = 50;

interface Holder {
  pid: number;
  name: string;
  since: Date;
}

async function tryLock(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ held: boolean }>(
    `select pg_try_advisory_lock(${LOCK_KEY}) as held`,
  );
  return rows[0]?.held === true;
}

/** The session holding this schema's lock, as its application_name names it. */
async function lockHolder(client: pg.Client): Promise<Holder | undefined> {
  const { rows } = await client.query<{ pid: number; name: string; since: Date }>(
    `select a.pid, a.application_name as name, a.backend_start as since
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objid = (${LOCK_KEY})::oid
        and l.database = (select oid from pg_database where datname = current_database())`,
  );
  return rows[0];
}

/**
 * The lock of the PostgreSQL database at `url`, for `schema` (the default one when undefined),
 * taken as `role`. A role starting with CLUSTER_LEADER_ROLE takes the lock over from an earlier
 * leader's session (the caller has already taken the lease, so that leader is fenced).
 */
export async function postgresWriterLock(
  url: string,
  schema?: string,
  role = 'exchange',
): Promise<WriterLock> {
  const name = `${role}, pid ${process.pid} on ${hostname()}`;
  const client = new pg.Client({
    connectionString: url,
    application_name: Buffer.from(name).subarray(0, APPLICATION_NAME_BYTES).toString(),
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
    let held = await tryLock(client);
    const earlier = held ? undefined : await lockHolder(client);
    if (
      earlier?.name.startsWith(CLUSTER_LEADER_ROLE) === true &&
      role.startsWith(CLUSTER_LEADER_ROLE)
    ) {
      await client.query('select pg_terminate_backend($1)', [earlier.pid]);
      for (let i = 0; i < TAKEOVER_TRIES && !held; i += 1) {
        held = await tryLock(client);
        if (!held) await new Promise((r) => setTimeout(r, TAKEOVER_PAUSE_MS));
      }
    }
    if (!held) {
      const holder = await lockHolder(client);
      throw new WriterLockHeld(
        `schema ${schema ?? 'public'}`,
        holder === undefined ? undefined : `${holder.name}, since ${holder.since.toISOString()}`,
      );
    }
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
