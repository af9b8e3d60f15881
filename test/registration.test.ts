// Registration is one durable step: an account exists with its starting cash, or not at all. The
// user row is stored unopened, and the journal write that credits the cash opens it; a failure
// between the two, in this process or a crash, leaves no account that can log in without cash.
// The faults are real: triggers make the database refuse the writes, and on PostgreSQL a server
// is killed with SIGKILL while a lock holds its opening back.

import { adjustmentRef } from '../src/exchange/ledger-refs.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPaise } from '../src/money.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { PASSWORD, call, login, register, signIn } from './support/api.ts';
import { STARTING_CASH, openTestApp, type TestApp } from './support/app.ts';
import { refuseWrites, untilTradingResumes } from './support/faults.ts';
import { freePort, postJson, runServer, waitForHealth, type Running } from './support/process.ts';
import { postgresTestUrl, storeFactories } from './support/stores.ts';

const body = (username: string, email = `${username}@example.com`) => ({
  username,
  email,
  password: PASSWORD,
  full_name: `${username} Trader`,
});

async function cashOf(t: TestApp, username: string): Promise<unknown> {
  const { access_token } = await signIn(t, username);
  const portfolio = await call(t, 'GET', '/api/trading/portfolio', {
    token: access_token as string,
  });
  return portfolio.body.cash;
}

const FUNDED = {
  available: formatPaise(STARTING_CASH),
  held: '0.00',
  total: formatPaise(STARTING_CASH),
};

describe.each(storeFactories())('registration on $name', (factory) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('opens the account with its cash in one step', async () => {
    t = await openTestApp(factory);
    const id = await register(t, 'olga');
    const row = await new UsersRepo(t.store.db).findById(id);
    expect(row).toMatchObject({ opened: 1, disabled: 0 });
    expect(await cashOf(t, 'olga')).toEqual(FUNDED);
  });

  it('leaves no account when the opening cannot be written, and the name is free again', async () => {
    t = await openTestApp(factory);
    const users = new UsersRepo(t.store.db);
    const allowEntries = await refuseWrites(t.store, 'ledger_entries', 'insert');
    const refused = await call(t, 'POST', '/api/auth/register', { body: body('pavel') });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({
      code: 'TRADING_UNAVAILABLE',
      message:
        'the exchange could not open the account, so it was not created; try again in a few seconds',
    });
    expect(await users.findByUsername('pavel')).toBeUndefined();
    expect((await login(t, 'pavel')).status).toBe(401);

    await allowEntries();
    expect((await untilTradingResumes(t)).status).toBe(200);
    await register(t, 'pavel');
    expect(await cashOf(t, 'pavel')).toEqual(FUNDED);
  });

  it('removes, on restart, an account a crash left between its row and its opening', async () => {
    t = await openTestApp(factory);
    const users = new UsersRepo(t.store.db);
    // The opening fails, and so does the clean-up: the database holds what a kill -9 between the
    // two writes leaves, the user row without its opening.
    const allowEntries = await refuseWrites(t.store, 'ledger_entries', 'insert');
    const allowDeletes = await refuseWrites(t.store, 'users', 'delete');
    const refused = await call(t, 'POST', '/api/auth/register', { body: body('quinn') });
    expect(refused.status).toBe(503);
    expect(await users.findByUsername('quinn')).toMatchObject({ opened: 0, disabled: 1 });
    // Never an account that can log in without its cash.
    expect((await login(t, 'quinn')).status).toBe(401);
    await allowEntries();
    await allowDeletes();

    t = await t.reopen();
    expect(await users.findByUsername('quinn')).toBeUndefined();
    const balances = await t.store.db.selectFrom('balances').selectAll().execute();
    expect(balances.filter((b) => b.asset === 'INR' && b.available === STARTING_CASH)).toEqual([]);
    await register(t, 'quinn');
    expect(await cashOf(t, 'quinn')).toEqual(FUNDED);
  });

  it('refuses a duplicate username cleanly, leaving nothing, even when both race', async () => {
    t = await openTestApp(factory);
    const users = new UsersRepo(t.store.db);
    const before = await users.count();
    const raced = await Promise.all([
      call(t, 'POST', '/api/auth/register', { body: body('rosa', 'rosa1@example.com') }),
      call(t, 'POST', '/api/auth/register', { body: body('ROSA', 'rosa2@example.com') }),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    const again = await call(t, 'POST', '/api/auth/register', {
      body: body('Rosa', 'rosa3@example.com'),
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(await users.count()).toBe(before + 1);
    // One opening deposit, for the one account.
    const winner = raced.find((r) => r.status === 201)!.body.user_id as number;
    const entries = await t.store.db
      .selectFrom('ledger_entries')
      .select(['user_id', 'amount'])
      .where('ref', '=', adjustmentRef('starting balance'))
      .where('user_id', 'is not', null)
      .execute();
    expect(entries).toEqual([{ user_id: winner, amount: STARTING_CASH }]);
    expect(await cashOf(t, (await users.findById(winner))!.username)).toEqual(FUNDED);
  });
});

const postgres = postgresTestUrl();
if (postgres !== undefined) {
  describe('registration under SIGKILL on postgres', () => {
    let server: Running | undefined;
    let dir: string | undefined;
    const database = `sse_registration_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgres });
    afterEach(async () => {
      await server?.stop('SIGKILL');
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('leaves no account when the process dies between the user row and its opening', async () => {
      await admin.connect();
      await admin.query(`create database ${database}`);
      const url = new URL(postgres);
      url.pathname = `/${database}`;
      dir = mkdtempSync(join(tmpdir(), 'sse-registration-'));
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        DATA_DIR: dir,
        DATABASE_URL: url.toString(),
        LOG_FILE: 'off',
        PORT: String(port),
        API_RATE_LIMIT: '10000000',
      };
      server = runServer(env);
      expect((await waitForHealth(port, server)).status).toBe(200);

      // A lock that lets the user row in but holds back the journal's ledger entries.
      const locker = new pg.Client({ connectionString: url.toString() });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table ledger_entries in exclusive mode');
        const registering = postJson(base, '/api/auth/register', body('sam')).catch(
          () => undefined,
        );
        let row: { opened: number } | undefined;
        for (let polls = 0; polls < 400 && row === undefined; polls++) {
          await new Promise((r) => setTimeout(r, 25));
          const found = await locker.query<{ opened: number }>(
            "select opened from users where username_key = 'sam'",
          );
          row = found.rows[0];
        }
        expect(row, 'the user row was written').toEqual({ opened: 0 });
        expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
        await registering;
        await locker.query('rollback');
      } finally {
        await locker.end();
      }

      server = runServer(env);
      expect((await waitForHealth(port, server)).status).toBe(200);
      const check = new pg.Client({ connectionString: url.toString() });
      await check.connect();
      try {
        const users = await check.query("select id from users where username_key = 'sam'");
        expect(users.rows).toEqual([]);
      } finally {
        await check.end();
      }
      const again = await postJson(base, '/api/auth/register', body('sam'));
      expect(again.status).toBe(201);
      const signedIn = await postJson(base, '/api/auth/login', {
        username: 'sam',
        password: PASSWORD,
      });
      const res = await fetch(`${base}/api/trading/portfolio`, {
        headers: { authorization: `Bearer ${signedIn.body.access_token as string}` },
      });
      expect(((await res.json()) as { cash: unknown }).cash).toEqual(FUNDED);
    }, 120_000);
  });
}
