// The transaction history on every test database: one row per business event (a trade, a
// deposit, an adjustment, fee income) with its postings nested, holds and releases only in their
// order's detail, pagination by event, and the CSV export read back.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTIONS_CSV_HEADER } from '../src/http/csv.ts';
import { call, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

interface Trader {
  id: number;
  token: string;
}

interface Posting {
  id: number;
  tx_id: number;
  kind: string;
  asset: string;
  bucket: string;
  amount: string;
  reference: string | null;
}

interface Row {
  id: number;
  tx_id: number;
  kind: string;
  asset: string;
  amount: string;
  cash_after: string;
  postings: Posting[];
  [field: string]: unknown;
}

/** Integer paise or shares of an API amount ("-164.00" or "50"), exactly. */
function units(text: string): number {
  const negative = text.startsWith('-');
  const [whole = '0', cents] = (negative ? text.slice(1) : text).split('.');
  const n = cents === undefined ? Number(whole) : Number(whole) * 100 + Number(cents);
  return negative ? -n : n;
}

/** RFC 4180 as csv.ts writes it: a plain header, then every cell quoted. */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  const [header = '', ...lines] = text.slice(0, -2).split('\r\n');
  return [
    header.split(','),
    ...lines.map((line) => {
      const cells = [...line.matchAll(/"((?:[^"]|"")*)"(,|$)/g)].map((m) =>
        (m[1] ?? '').replaceAll('""', '"'),
      );
      expect(cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).toBe(line);
      return cells;
    }),
  ];
}

describe.each(storeFactories())('transaction history on $name', (factory) => {
  let t: TestApp;
  let admin: Trader;

  beforeAll(async () => {
    // A maker fee of 0.04% and a taker fee of 0.08%, so that trades carry fees.
    t = await openTestApp(factory, { MAKER_FEE_BPS: '4', TAKER_FEE_BPS: '8' });
    admin = await signUp(t, 'root', { admin: true });
  });
  afterAll(async () => {
    await t.close();
  });

  async function history(user: Trader, query = ''): Promise<{ rows: Row[]; next: number | null }> {
    const res = await call(t, 'GET', `/api/trading/transactions${query}`, { token: user.token });
    expect(res.status).toBe(200);
    return { rows: res.body.transactions as Row[], next: res.body.next_before_id as number | null };
  }

  function order(user: Trader, body: Record<string, unknown>) {
    return call(t, 'POST', '/api/trading/order', {
      token: user.token,
      body: { symbol: 'TCS', order_mode: 'LIMIT', ...body },
    });
  }

  function adjust(user: Trader, asset: string, amount: string, reason: string) {
    return call(t, 'POST', `/api/admin/users/${user.id}/adjust`, {
      token: admin.token,
      body: { asset, amount, reason },
    });
  }

  /** The user's postings as the ledger wrote them, leaving out holds and releases. */
  async function ledgerPostings(userId: number): Promise<number[]> {
    const rows = await t.store.db
      .selectFrom('ledger_entries')
      .select('id')
      .where('user_id', '=', userId)
      .where('kind', 'not in', ['HOLD', 'RELEASE'])
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  it('tells a buy, a sell with its fee, deposits and an adjustment as one row each', async () => {
    const alice = await signUp(t, 'alice');
    const bob = await signUp(t, 'bob');
    expect((await adjust(bob, 'TCS', '50', 'shares moved in from a broker')).status).toBe(200);
    expect((await order(bob, { order_type: 'SELL', quantity: 10, price: '4100.00' })).status).toBe(
      201,
    );
    const buy = await order(alice, { order_type: 'BUY', quantity: 4, price: '4110.00' });
    expect(buy.body.status).toBe('FILLED');
    const buyId = buy.body.order_id as number;
    // A buy that rests and is cancelled: a hold and its release, and nothing in the history.
    const resting = await order(alice, { order_type: 'BUY', quantity: 1, price: '4000.00' });
    const restingId = resting.body.order_id as number;
    const cancel = await call(t, 'DELETE', `/api/trading/order/${restingId}`, {
      token: alice.token,
    });
    expect(cancel.status).toBe(200);
    expect((await adjust(alice, 'INR', '500.00', 'goodwill credit')).status).toBe(200);

    // 4 x 4100.00 = 16,400.00; alice took (8 bps, 13.12), bob made (4 bps, 6.56).
    const a = await history(alice);
    expect(a.next).toBeNull();
    expect(a.rows.map((r) => r.kind)).toEqual(['ADJUSTMENT', 'TRADE', 'DEPOSIT']);
    const [credit, bought, opening] = a.rows as [Row, Row, Row];
    expect(credit).toMatchObject({
      asset: 'INR',
      amount: '500.00',
      reason: 'goodwill credit',
      symbol: null,
      trade_id: null,
      cash_after: '984086.88',
      reference: `adjustment:${admin.id}:goodwill credit`,
    });
    expect(bought).toMatchObject({
      asset: 'INR',
      amount: '-16413.12',
      symbol: 'TCS',
      side: 'BUY',
      quantity: 4,
      price: '4100.00',
      fee: '13.12',
      order_id: buyId,
      trade_id: expect.any(Number) as number,
      reason: null,
      cash_after: '983586.88',
    });
    expect(opening).toMatchObject({
      asset: 'INR',
      amount: '1000000.00',
      reason: 'starting balance',
      cash_after: '1000000.00',
    });
    // Nested postings: a buyer's trade is held cash out, shares in, and the fee.
    expect(bought.postings.map((p) => [p.kind, p.asset, p.bucket, p.amount])).toEqual([
      ['TRADE', 'INR', 'held', '-16400.00'],
      ['TRADE', 'TCS', 'available', '4'],
      ['FEE', 'INR', 'held', '-13.12'],
    ]);
    for (const row of a.rows) {
      expect(row.postings.every((p) => p.tx_id === row.tx_id)).toBe(true);
      const cash = row.postings.filter((p) => p.asset === 'INR').map((p) => units(p.amount));
      expect(cash.reduce((x, y) => x + y, 0)).toBe(units(row.amount));
      expect(row.postings.some((p) => p.kind === 'HOLD' || p.kind === 'RELEASE')).toBe(false);
    }
    expect(a.rows.flatMap((r) => r.postings.map((p) => p.id)).sort((x, y) => x - y)).toEqual(
      await ledgerPostings(alice.id),
    );

    const b = await history(bob);
    expect(b.rows.map((r) => [r.kind, r.asset, r.amount, r.reason])).toEqual([
      ['TRADE', 'INR', '16393.44', null],
      ['ADJUSTMENT', 'TCS', '50', 'shares moved in from a broker'],
      ['DEPOSIT', 'INR', '1000000.00', 'starting balance'],
    ]);
    expect(b.rows[0]).toMatchObject({ side: 'SELL', quantity: 4, fee: '6.56', symbol: 'TCS' });
    expect(b.rows[1]).toMatchObject({ symbol: 'TCS', quantity: null, cash_after: '1000000.00' });

    // The cancelled order's detail has its hold and release, which net to nothing.
    const detail = await call(t, 'GET', `/api/trading/order/${restingId}`, { token: alice.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ order_id: restingId, status: 'CANCELLED' });
    const held = detail.body.postings as Posting[];
    expect(held.map((p) => [p.kind, p.bucket])).toEqual([
      ['HOLD', 'available'],
      ['HOLD', 'held'],
      ['RELEASE', 'held'],
      ['RELEASE', 'available'],
    ]);
    expect(held.every((p) => p.reference === `order:${restingId}`)).toBe(true);
    expect(held.reduce((n, p) => n + units(p.amount), 0)).toBe(0);
    // A filled buy gives back what its hold kept for a worse price.
    const filled = await call(t, 'GET', `/api/trading/order/${buyId}`, { token: alice.token });
    expect((filled.body.postings as Posting[]).map((p) => p.kind)).toEqual([
      'HOLD',
      'HOLD',
      'RELEASE',
      'RELEASE',
    ]);
    // Someone else's order stays a 404.
    const other = await call(t, 'GET', `/api/trading/order/${restingId}`, { token: bob.token });
    expect(other.status).toBe(404);

    // The fee account sees each trade's fees as one FEE row.
    const fees = await t.store.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'exchange')
      .executeTakeFirstOrThrow();
    const feeRows = await t.exchange.venue.trading.transactions(fees.id, { limit: 10 });
    expect(feeRows.transactions.map((r) => [r.kind, r.amount, r.trade_id])).toEqual([
      ['FEE', '19.68', bought.trade_id],
    ]);

    // The CSV: one line per event, plain decimals with an ASCII minus, read back exactly.
    const csv = await call(t, 'GET', '/api/trading/transactions?format=csv', {
      token: alice.token,
      text: true,
    });
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
    const [header, ...lines] = parseCsv(csv.text);
    expect(header).toEqual([...TRANSACTIONS_CSV_HEADER]);
    expect(lines).toEqual([
      [
        credit.time,
        'ADJUSTMENT',
        '',
        '',
        '',
        '',
        '',
        '500.00',
        '984086.88',
        '',
        '',
        `adjustment:${admin.id}:goodwill credit`,
        'Adjustment: goodwill credit',
      ],
      [
        bought.time,
        'TRADE',
        'TCS',
        'BUY',
        '4',
        '4100.00',
        '13.12',
        '-16413.12',
        '983586.88',
        String(buyId),
        String(bought.trade_id),
        `trade:${String(bought.trade_id)}`,
        'Bought 4 TCS @ 4100.00',
      ],
      [
        opening.time,
        'DEPOSIT',
        '',
        '',
        '',
        '',
        '',
        '1000000.00',
        '1000000.00',
        '',
        '',
        'admin:starting balance',
        'Deposit: starting balance',
      ],
    ]);
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l[0] ?? ''))).toBe(
      true,
    );
  });

  it('quotes a reason with commas and quotes, and keeps a negative amount a number', async () => {
    const mallory = await signUp(t, 'mallory');
    expect((await adjust(mallory, 'INR', '-25.50', '=1+1, "fee" back')).status).toBe(200);
    const csv = await call(t, 'GET', '/api/trading/transactions?format=csv&limit=1', {
      token: mallory.token,
      text: true,
    });
    const [, row] = parseCsv(csv.text);
    expect(row?.slice(7, 9)).toEqual(['-25.50', '999974.50']);
    expect(row?.at(-1)).toBe('Adjustment: =1+1, "fee" back');
    expect(csv.text).toContain(',"Adjustment: =1+1, ""fee"" back"\r\n');
  });

  it('refuses a bad page query with a 400 and pages by event', async () => {
    const carol = await signUp(t, 'carol');
    for (const q of ['?limit=0', '?limit=1001', '?before_id=0', '?format=xlsx', '?limit=2.5']) {
      const res = await call(t, 'GET', `/api/trading/transactions${q}`, { token: carol.token });
      expect(res.status, q).toBe(400);
    }
    const none = await call(t, 'GET', '/api/trading/transactions');
    expect(none.status).toBe(401);
  });

  it('for random operations, the rows hold every non-hold posting once, page by page', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('order' as const),
              who: fc.integer({ min: 0, max: 1 }),
              side: fc.constantFrom('BUY', 'SELL'),
              quantity: fc.integer({ min: 1, max: 5 }),
              ticks: fc.integer({ min: -4, max: 4 }),
            }),
            fc.record({
              op: fc.constant('cancel' as const),
              who: fc.integer({ min: 0, max: 1 }),
            }),
            fc.record({
              op: fc.constant('adjust' as const),
              who: fc.integer({ min: 0, max: 1 }),
              rupees: fc.integer({ min: -50, max: 500 }).filter((n) => n !== 0),
            }),
          ),
          { maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (ops, limit) => {
          run += 1;
          const users = [await signUp(t, `p${run}a`), await signUp(t, `p${run}b`)];
          for (const user of users) await adjust(user, 'TCS', '20', 'seed shares');
          const open: number[][] = [[], []];
          for (const op of ops) {
            const user = users[op.who] as Trader;
            if (op.op === 'order') {
              const price = (410_000 + op.ticks * 500) / 100;
              const res = await order(user, {
                order_type: op.side,
                quantity: op.quantity,
                price: price.toFixed(2),
              });
              if (res.status === 201) open[op.who]?.push(res.body.order_id as number);
            } else if (op.op === 'cancel') {
              const id = open[op.who]?.pop();
              if (id !== undefined)
                await call(t, 'DELETE', `/api/trading/order/${id}`, { token: user.token });
            } else {
              await adjust(user, 'INR', `${op.rupees}.00`, 'random adjustment');
            }
          }
          for (const user of users) {
            const rows: Row[] = [];
            let query = `?limit=${limit}`;
            for (;;) {
              const page = await history(user, query);
              expect(page.rows.length).toBeLessThanOrEqual(limit);
              rows.push(...page.rows);
              if (page.next === null) break;
              expect(page.next).toBe(page.rows.at(-1)?.id);
              query = `?limit=${limit}&before_id=${page.next}`;
            }
            const ids = rows.map((r) => r.id);
            expect(ids).toEqual([...ids].sort((x, y) => y - x));
            expect(new Set(ids).size).toBe(ids.length);
            const nested = rows.flatMap((r) => r.postings.map((p) => p.id));
            expect([...nested].sort((x, y) => x - y)).toEqual(await ledgerPostings(user.id));
            // The cash after each row is the cash after the next older row plus this row's cash.
            const { available, held } = t.exchange.venue.exchange.ledger.balance(user.id, 'INR');
            expect(units(rows[0]?.cash_after ?? '0')).toBe(available + held);
            rows.forEach((r, i) => {
              const older = rows[i + 1];
              const cash = r.postings
                .filter((p) => p.asset === 'INR')
                .reduce((n, p) => n + units(p.amount), 0);
              expect(units(r.cash_after) - cash).toBe(
                older === undefined ? 0 : units(older.cash_after),
              );
            });
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});
