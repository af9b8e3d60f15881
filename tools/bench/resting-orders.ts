// Seeds resting limit orders straight into a PostgreSQL schema, in a few INSERT … SELECT
// statements, consistent with what recovery checks: no book crosses, each level's queue is in
// sequence order, holds equal what the open orders owe, and every balance came in by a deposit.

import pg from 'pg';

/** Price levels each side of the reference price; the seeded books never cross. */
const LEVELS = 200;
/** Cash each seeded trader has free, in paise, on top of what its buys hold. */
const FREE_CASH = 10_000_000_000;
/** Shares of each symbol each seeded trader has free, on top of what its sells hold. */
const FREE_SHARES = 1_000;

export interface SeededBook {
  orders: number;
  traders: number;
  ms: number;
}

/**
 * Adds `orders` GTC limit orders, spread over every listed symbol and over `traders` new
 * traders (so it can be called again to grow the book), with their balances and deposits.
 */
export async function seedRestingOrders(
  databaseUrl: string,
  schema: string,
  orders: number,
  traders = 500,
): Promise<SeededBook> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    await client.query('begin');
    const now = Date.now();
    const batch = (await client.query<{ n: string }>('select count(*) as n from users')).rows[0]?.n;
    const ids = await client.query<{ id: string }>(
      `insert into users (username, username_key, password_hash, role, opened, created_at, updated_at)
       select 'seed-' || $1 || '-' || g, 'seed-' || $1 || '-' || g, '!', 'user', 1, $2::bigint, $2::bigint
       from generate_series(1, $3::int) g returning id`,
      [batch, now, traders],
    );
    const traderIds = ids.rows.map((r) => Number(r.id));
    // Order g goes to symbol g mod S, alternating sides, one level further out every 2·S orders:
    // ids and sequences grow with g, so every level's queue is in time priority.
    await client.query(
      `with s as (select symbol, reference_price, tick_size,
                         (row_number() over (order by symbol)) - 1 as k,
                         count(*) over () as n from symbols),
            base as (select coalesce((select max(id) from orders), 0) as id,
                            (select max(last_sequence) from symbols) as seq),
            o as (select g, s.symbol, (g / s.n) % 2 = 0 as buy,
                         s.reference_price + (case when (g / s.n) % 2 = 0 then -1 else 1 end)
                           * s.tick_size * (1 + (g / (2 * s.n)) % $4) as price,
                         1 + g % 7 as quantity
                  from generate_series(0, $1::int - 1) g join s on s.k = g % s.n)
       insert into orders (id, user_id, client_order_id, symbol, side, mode, time_in_force,
                           price, stop_price, limit_price, quantity, status, held_amount,
                           cancel_reason, sequence, created_at, updated_at)
       select base.id + 1 + g, ($2::bigint[])[1 + g % $3], null, symbol,
              case when buy then 'BUY' else 'SELL' end, 'LIMIT', 'GTC', price, null, null,
              quantity, 'OPEN', case when buy then price * quantity else quantity end,
              null, base.seq + 1 + g, $5::bigint, $5::bigint
       from o, base`,
      [orders, traderIds, traders, LEVELS, now],
    );
    await client.query(`update symbols set last_sequence = (select max(sequence) from orders)`);
    await client.query(
      `insert into balances (user_id, asset, available, held, updated_at)
       select user_id, asset, case when asset = 'INR' then $2::bigint else $3::bigint end,
              sum(held_amount), $4::bigint
       from (select user_id, case when side = 'BUY' then 'INR' else symbol end as asset,
                    held_amount
             from orders where user_id = any($1::bigint[])) o
       group by user_id, asset`,
      [traderIds, FREE_CASH, FREE_SHARES, now],
    );
    // One deposit per balance: the outside world's side and the trader's, in one transaction.
    await client.query(
      `with b as (select user_id, asset, available + held as amount,
                         (select coalesce(max(tx_id), 0) from ledger_entries)
                           + row_number() over (order by user_id, asset) as tx
                  from balances where user_id = any($1::bigint[]))
       insert into ledger_entries (tx_id, user_id, account, asset, amount, kind, ref, created_at)
       select tx, null, 'external', asset, -amount, 'DEPOSIT', 'seed', $2::bigint from b
       union all
       select tx, user_id, 'available', asset, amount, 'DEPOSIT', 'seed', $2::bigint from b`,
      [traderIds, now],
    );
    await client.query('commit');
    await client.query('analyze orders');
    return { orders, traders, ms: performance.now() - started };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
