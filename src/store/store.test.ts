import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { storeFactories, type TestStore } from '../../test/support/stores.ts';
import { migrateToLatest } from './migrate.ts';
import { UnsafeIntegerError } from './safe-integer-plugin.ts';
import { SymbolsRepo } from './symbols.repo.ts';
import { UsersRepo } from './users.repo.ts';
import { initialListings } from '../market/listings.ts';
import type { NewUser } from './schema.ts';

const NOW = 1_795_000_000_000;

function newUser(username: string): NewUser {
  return {
    username,
    username_key: username.toLowerCase(),
    email_enc: null,
    email_index: null,
    full_name_enc: null,
    password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    role: 'user',
    mfa_secret_enc: null,
    mfa_last_step: null,
    created_at: NOW,
    updated_at: NOW,
  };
}

describe.each(storeFactories())('store on $name', (factory) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await factory.open();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('is migrated, and migrating again applies nothing', async () => {
    expect(t.store.dialect).toBe(factory.name);
    expect(await migrateToLatest(t.store)).toEqual([]);
    expect(await t.store.ping()).toBe(true);
  });

  it('finds users by username regardless of case and refuses a duplicate', async () => {
    const users = new UsersRepo(t.store.db);
    const created = await users.insert(newUser('Trader_01'));
    expect(typeof created.id).toBe('number');
    expect((await users.findByUsername('trader_01'))?.id).toBe(created.id);
    expect((await users.findById(created.id))?.username).toBe('Trader_01');
    await expect(users.insert(newUser('TRADER_01'))).rejects.toThrow();
    expect(await users.count()).toBe(1);
  });

  it('refuses a role outside user/admin', async () => {
    const users = new UsersRepo(t.store.db);
    await expect(
      users.insert({ ...newUser('mallory'), role: 'root' as 'admin' }),
    ).rejects.toThrow();
    expect(await users.count()).toBe(0);
  });

  it('lists the initial symbols once, however often it runs', async () => {
    const symbols = new SymbolsRepo(t.store.db);
    const listings = initialListings(NOW);
    expect(await symbols.insertMissing(listings)).toBe(listings.length);
    expect(await symbols.insertMissing(listings)).toBe(0);
    const rows = await symbols.list();
    expect(rows.map((r) => r.symbol)).toEqual(listings.map((l) => l.symbol).sort());
    const aapl = await symbols.find('AAPL');
    expect(aapl).toMatchObject({ tick_size: 5, reference_price: 1_523_450, status: 'ACTIVE' });
    expect(await symbols.setStatus('AAPL', 'HALTED', () => ({ leaves: [], tiles: [] }))).toBe(true);
    expect((await symbols.find('AAPL'))?.status).toBe('HALTED');
    expect(await symbols.setStatus('NOPE', 'HALTED', () => ({ leaves: [], tiles: [] }))).toBe(
      false,
    );
  });

  it('backs the money invariants with CHECK constraints', async () => {
    const { db } = t.store;
    const user = await new UsersRepo(db).insert(newUser('alice'));
    await new SymbolsRepo(db).insertMissing(initialListings(NOW));
    const balance = { user_id: user.id, asset: 'INR', updated_at: NOW };
    await expect(
      db
        .insertInto('balances')
        .values({ ...balance, available: -1 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('balances')
        .values({ ...balance, held: -1 })
        .execute(),
    ).rejects.toThrow();
    const order = {
      id: 1,
      user_id: user.id,
      client_order_id: null,
      symbol: 'AAPL',
      side: 'BUY' as const,
      mode: 'LIMIT' as const,
      time_in_force: 'GTC' as const,
      price: 100,
      stop_price: null,
      status: 'OPEN',
      sequence: 1,
      created_at: NOW,
      updated_at: NOW,
    };
    await expect(
      db
        .insertInto('orders')
        .values({ ...order, quantity: 0 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('orders')
        .values({ ...order, quantity: 5, filled_quantity: 6 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db
        .insertInto('orders')
        .values({ ...order, quantity: 5, price: 0 })
        .execute(),
    ).rejects.toThrow();
    await db
      .insertInto('orders')
      .values({ ...order, quantity: 5 })
      .execute();
    const rows = await db.selectFrom('orders').selectAll().execute();
    expect(rows).toHaveLength(1);
    await expect(
      db
        .insertInto('ledger_entries')
        .values({
          tx_id: 1,
          user_id: user.id,
          account: 'available',
          asset: 'INR',
          amount: 0,
          kind: 'DEPOSIT',
          ref: null,
          created_at: NOW,
        })
        .execute(),
    ).rejects.toThrow();
  });

  it('reads 64-bit integers exactly and refuses those a number cannot hold', async () => {
    const { db } = t.store;
    const user = await new UsersRepo(db).insert(newUser('bob'));
    await db
      .insertInto('balances')
      .values({
        user_id: user.id,
        asset: 'INR',
        available: Number.MAX_SAFE_INTEGER,
        updated_at: NOW,
      })
      .execute();
    const row = await db.selectFrom('balances').selectAll().executeTakeFirstOrThrow();
    expect(row.available).toBe(Number.MAX_SAFE_INTEGER);
    expect(typeof row.held).toBe('number');

    await sql`update balances set available = 9007199254740993`.execute(db);
    await expect(db.selectFrom('balances').selectAll().execute()).rejects.toThrow(
      UnsafeIntegerError,
    );
  });

  it('sums BIGINT columns to exact numbers', async () => {
    const { db } = t.store;
    const user = await new UsersRepo(db).insert(newUser('carol'));
    const entry = {
      tx_id: 1,
      user_id: user.id,
      account: 'available',
      asset: 'INR',
      kind: 'DEPOSIT',
      ref: null,
      created_at: NOW,
    };
    await db
      .insertInto('ledger_entries')
      .values([
        { ...entry, amount: 4_000_000_000_000_000 },
        { ...entry, amount: 3 },
      ])
      .execute();
    const total = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount').as('total'))
      .executeTakeFirstOrThrow();
    expect(total.total).toBe(4_000_000_000_000_003);
  });
});
