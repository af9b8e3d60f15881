// Faults a test injects into the database itself, on SQLite and PostgreSQL alike: a trigger that
// makes every insert into (or delete from) a table fail, as a full disk or a lost connection would.

import { sql } from 'kysely';
import type { Store } from '../../src/store/db.ts';
import { call } from './api.ts';
import type { TestApp } from './app.ts';

export type Operation = 'insert' | 'delete';

const MESSAGE = 'disk I/O error (injected)';

/** From now on, every `operation` on `table` fails; the answer allows it again. */
export async function refuseWrites(
  store: Store,
  table: string,
  operation: Operation,
): Promise<() => Promise<void>> {
  const name = `refuse_${operation}_${table}`;
  const run = (text: string) => sql.raw(text).execute(store.db);
  if (store.dialect === 'sqlite') {
    await run(
      `create trigger ${name} before ${operation} on ${table} begin select raise(abort, '${MESSAGE}'); end`,
    );
    return async () => void (await run(`drop trigger ${name}`));
  }
  await run(
    `create function ${name}() returns trigger language plpgsql as $$ begin raise exception '${MESSAGE}'; end $$`,
  );
  await run(
    `create trigger ${name} before ${operation} on ${table} for each row execute function ${name}()`,
  );
  return async () => {
    await run(`drop trigger ${name} on ${table}`);
    await run(`drop function ${name}()`);
  };
}

/** What /api/health says about trading. */
export async function tradingHealth(t: TestApp) {
  const res = await call(t, 'GET', '/api/health');
  return {
    status: res.status,
    trading: res.body.trading as { available: boolean; reason?: string },
  };
}

/** Waits (up to 5 s) for the exchange to recover from a journal outage; the last health seen. */
export async function untilTradingResumes(t: TestApp) {
  let health = await tradingHealth(t);
  for (let polls = 0; polls < 200 && health.status !== 200; polls++) {
    await new Promise((r) => setTimeout(r, 25));
    health = await tradingHealth(t);
  }
  return health;
}
