// Trading through the HTTP API on every test database: orders, settlement, portfolio, the
// concurrency and recovery guarantees, bad input and object-level access.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_STOPS_PER_COMMAND } from '../src/engine/index.ts';
import { DEFAULT_CLIENT_ORDER_WINDOW } from '../src/exchange/client-order-ids.ts';
import { TRANSACTIONS_CSV_HEADER } from '../src/http/csv.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { call, signUp, type Reply } from './support/api.ts';
import { STARTING_CASH, openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

interface Trader {
  id: number;
  token: string;
}

describe.each(storeFactories())('trading on $name', (factory) => {
  let t: TestApp;

  async function giveShares(user: Trader, symbol: string, quantity: number): Promise<void> {
    const r = await t.exchange.venue.exchange.adjust(user.id, symbol, quantity, 'test shares');
    expect(r.ok).toBe(true);
  }

  function order(user: Trader, body: Record<string, unknown>): Promise<Reply> {
    return call(t, 'POST', '/api/trading/order', {
      token: user.token,
      body: { symbol: 'TCS', order_mode: 'LIMIT', ...body },
    });
  }

  function balance(user: Trader, asset: string): { available: number; held: number } {
    return t.exchange.venue.exchange.ledger.balance(user.id, asset);
  }

  function invariants(): string[] {
    const ex = t.exchange.venue.exchange;
    return ex.ledger.checkInvariants(ex.expectedHolds()).map((v) => v.message);
  }

  beforeEach(async () => {
    t = await openTestApp(factory);
  });
  afterEach(async () => {
    await t.close();
  });

  it('two users trade: cash and shares settle, and both see it', async () => {
    const alice = await signUp(t, 'alice');
    const bob = await signUp(t, 'bob');
    await giveShares(bob, 'TCS', 50);

    const sell = await order(bob, { order_type: 'SELL', quantity: 10, price: '4100.00' });
    expect(sell.status).toBe(201);
    expect(sell.body).toMatchObject({
      success: true,
      status: 'OPEN',
      message: 'Order placed successfully',
      fills: [],
    });
    expect(balance(bob, 'TCS')).toEqual({ available: 40, held: 10 });

    const buy = await order(alice, { order_type: 'BUY', quantity: 4, price: '4110.00' });
    expect(buy.status).toBe(201);
    expect(buy.body.status).toBe('FILLED');
    expect(buy.body.fills).toEqual([
      {
        trade_id: expect.any(Number) as number,
        price: '4100.00',
        quantity: 4,
        fee: '0.00',
        liquidity: 'TAKER',
      },
    ]);
    expect(balance(alice, 'INR')).toEqual({ available: STARTING_CASH - 4 * 410_000, held: 0 });
    expect(balance(alice, 'TCS')).toEqual({ available: 4, held: 0 });
    expect(balance(bob, 'INR')).toEqual({ available: STARTING_CASH + 4 * 410_000, held: 0 });
    expect(balance(bob, 'TCS')).toEqual({ available: 40, held: 6 });

    const bobOrder = await call(t, 'GET', `/api/trading/order/${sell.body.order_id as number}`, {
      token: bob.token,
    });
    expect(bobOrder.body).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filled_quantity: 4,
      remaining_quantity: 6,
      average_price: '4100.00',
    });

    const portfolio = await call(t, 'GET', '/api/trading/portfolio', { token: alice.token });
    expect(portfolio.body).toMatchObject({
      balance: '983600.00',
      cash: { available: '983600.00', held: '0.00', total: '983600.00' },
      holdings: [
        {
          symbol: 'TCS',
          quantity: 4,
          avg_price: '4100.00',
          current_price: '4100.00',
          unrealized_pnl: '0.00',
          profit_loss: '0.00',
          profit_loss_percent: '0.00',
        },
      ],
      total_value: '1000000.00',
    });

    const book = await call(t, 'GET', '/api/market/stock/TCS/orderbook?depth=5');
    expect(book.body).toMatchObject({ bids: [], asks: [['4100.00', 6]] });
    const trades = await call(t, 'GET', '/api/market/stock/TCS/trades');
    expect(trades.body.trades).toMatchObject([{ price: '4100.00', quantity: 4, side: 'BUY' }]);
    const stocks = await call(t, 'GET', '/api/market/stocks');
    expect(
      (stocks.body.stocks as { symbol: string; price: string; volume: number }[]).find(
        (s) => s.symbol === 'TCS',
      ),
    ).toMatchObject({
      price: '4100.00',
      volume: 4,
    });
    const candles = await call(t, 'GET', '/api/market/stock/TCS/candles?interval=1m');
    expect(candles.body.candles).toMatchObject([{ open: '4100.00', close: '4100.00', volume: 4 }]);

    const csv = await call(t, 'GET', '/api/trading/transactions?format=csv', {
      token: alice.token,
      text: true,
    });
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(TRANSACTIONS_CSV_HEADER.join(','));
    expect(
      lines.some((l) => l.includes(',"TRADE","TCS","BUY","4","4100.00","0.00","-16400.00",')),
    ).toBe(true);
    expect(invariants()).toEqual([]);
  });

  it("shows the original platform's balance and profit_loss beside the richer portfolio fields", async () => {
    const alice = await signUp(t, 'alice');
    const bob = await signUp(t, 'bob');
    await giveShares(bob, 'TCS', 10);
    const carol = await signUp(t, 'carol');
    expect((await order(bob, { order_type: 'SELL', quantity: 4, price: '4100.00' })).status).toBe(
      201,
    );
    expect((await order(alice, { order_type: 'BUY', quantity: 4, price: '4100.00' })).status).toBe(
      201,
    );
    // The last price moves to 4200.00: alice's 4 shares, bought for 16,400.00, gain 400.00.
    expect((await order(bob, { order_type: 'SELL', quantity: 1, price: '4200.00' })).status).toBe(
      201,
    );
    expect((await order(carol, { order_type: 'BUY', quantity: 1, price: '4200.00' })).status).toBe(
      201,
    );
    const res = await call(t, 'GET', '/api/trading/portfolio', { token: alice.token });
    expect(res.body).toMatchObject({
      balance: '983600.00',
      holdings: [
        {
          symbol: 'TCS',
          current_price: '4200.00',
          unrealized_pnl: '400.00',
          unrealized_pnl_percent: '2.44',
          profit_loss: '400.00',
          profit_loss_percent: '2.44',
        },
      ],
    });
  });

  it('fires 500 buys at once from an account whose cash covers 10: exactly 10 are accepted', async () => {
    const rich = await signUp(t, 'carol');
    // 10,00,000.00 cash; each order holds 28 x 3500.00 = 98,000.00.
    const seller = await signUp(t, 'dan');
    await giveShares(seller, 'TCS', 1);
    const results = await Promise.all(
      Array.from({ length: 500 }, () =>
        order(rich, { order_type: 'BUY', quantity: 28, price: '3500.00' }),
      ),
    );
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(STARTING_CASH).toBe(10_00_000_00);
    expect(accepted.length).toBe(10);
    expect(refused.length).toBe(500 - accepted.length);
    expect(new Set(refused.map((r) => (r.body.error as { code: string }).code))).toEqual(
      new Set(['INSUFFICIENT_FUNDS']),
    );
    const cash = balance(rich, 'INR');
    expect(cash.available).toBeGreaterThanOrEqual(0);
    expect(cash.held).toBe(accepted.length * 28 * 350_000);
    expect(invariants()).toEqual([]);
    const rows = await t.store.db
      .selectFrom('orders')
      .select('id')
      .where('user_id', '=', rich.id)
      .execute();
    expect(rows).toHaveLength(accepted.length);
  });

  it('a retried client_order_id returns the original order, not a second one', async () => {
    const erin = await signUp(t, 'erin');
    const first = await order(erin, {
      order_type: 'BUY',
      quantity: 1,
      price: '4000.00',
      client_order_id: 'bot-1',
    });
    const again = await order(erin, {
      order_type: 'BUY',
      quantity: 1,
      price: '4000.00',
      client_order_id: 'bot-1',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ order_id: first.body.order_id, duplicate: true });
    expect(balance(erin, 'INR').held).toBe(400_000);

    const after = await t.reopen();
    t = after;
    const third = await order(erin, {
      order_type: 'BUY',
      quantity: 1,
      price: '4000.00',
      client_order_id: 'bot-1',
    });
    expect(third.body).toMatchObject({ order_id: first.body.order_id, duplicate: true });
  });

  it('holds a bounded window of closed client order ids, and still refuses an evicted one', async () => {
    const bot = await signUp(t, 'bot');
    const exchange = t.exchange.venue.exchange;
    const ioc = (clientOrderId: string) =>
      exchange.placeOrder(bot.id, {
        symbol: 'TCS',
        side: 'BUY',
        mode: 'LIMIT',
        timeInForce: 'IOC',
        quantity: 1,
        price: 400_000,
        clientOrderId,
      });
    // More orders than the window, each closed at once (nothing to buy), in waves of 100.
    const count = DEFAULT_CLIENT_ORDER_WINDOW + 200;
    const firstIds: number[] = [];
    for (let i = 0; i < count; i += 100) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, (_, k) => ioc(`old-${i + k}`)),
      );
      for (const outcome of wave) if (outcome.ok) firstIds.push(outcome.order.order_id);
    }
    expect(firstIds).toHaveLength(count);
    expect(exchange.clientOrderIdsInMemory).toBeLessThanOrEqual(DEFAULT_CLIENT_ORDER_WINDOW);

    const retry = await order(bot, {
      order_type: 'BUY',
      quantity: 1,
      price: '4000.00',
      time_in_force: 'IOC',
      client_order_id: 'old-0',
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ order_id: firstIds[0], duplicate: true });
    const rows = await t.store.db
      .selectFrom('orders')
      .select('id')
      .where('user_id', '=', bot.id)
      .execute();
    expect(rows).toHaveLength(count);
  });

  it('two requests in flight with one new client_order_id place one order', async () => {
    const uma = await signUp(t, 'uma');
    const body = { order_type: 'BUY', quantity: 1, price: '4000.00', client_order_id: 'twice' };
    const replies = await Promise.all([order(uma, body), order(uma, body)]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(new Set(replies.map((r) => r.body.order_id)).size).toBe(1);
    expect(balance(uma, 'INR').held).toBe(400_000);
  });

  it('cancels and amends, keeping holds equal to what open orders need', async () => {
    const fay = await signUp(t, 'fay');
    const placed = await order(fay, { order_type: 'BUY', quantity: 10, price: '4000.00' });
    const id = placed.body.order_id as number;
    expect(balance(fay, 'INR').held).toBe(4_000_000);

    const smaller = await call(t, 'PATCH', `/api/trading/order/${id}`, {
      token: fay.token,
      body: { quantity: 5 },
    });
    expect(smaller.status).toBe(200);
    expect(balance(fay, 'INR').held).toBe(2_000_000);
    const repriced = await call(t, 'PATCH', `/api/trading/order/${id}`, {
      token: fay.token,
      body: { price: '4010.00' },
    });
    expect(repriced.status).toBe(200);
    expect(balance(fay, 'INR').held).toBe(2_005_000);
    const tooBig = await call(t, 'PATCH', `/api/trading/order/${id}`, {
      token: fay.token,
      body: { quantity: 1000 },
    });
    expect(tooBig.status).toBe(422);
    expect(balance(fay, 'INR').held).toBe(2_005_000);

    const cancelled = await call(t, 'DELETE', `/api/trading/order/${id}`, { token: fay.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancel_reason: 'USER' });
    expect(balance(fay, 'INR')).toEqual({ available: STARTING_CASH, held: 0 });
    const again = await call(t, 'DELETE', `/api/trading/order/${id}`, { token: fay.token });
    expect(again.status).toBe(409);
    expect(invariants()).toEqual([]);
  });

  it('market orders fill against the book and release what they did not spend', async () => {
    const gus = await signUp(t, 'gus');
    const hal = await signUp(t, 'hal');
    await giveShares(hal, 'TCS', 10);
    await order(hal, { order_type: 'SELL', quantity: 3, price: '4100.00' });
    await order(hal, { order_type: 'SELL', quantity: 3, price: '4120.00' });
    const market = await order(gus, { order_type: 'BUY', order_mode: 'MARKET', quantity: 10 });
    expect(market.status).toBe(201);
    expect(market.body).toMatchObject({
      status: 'CANCELLED',
      order: { filled_quantity: 6, cancel_reason: 'MARKET_NO_LIQUIDITY' },
    });
    expect(balance(gus, 'INR')).toEqual({
      available: STARTING_CASH - 3 * 410_000 - 3 * 412_000,
      held: 0,
    });
    expect(invariants()).toEqual([]);
  });

  it('a stop-loss triggers on the last trade price', async () => {
    const ivy = await signUp(t, 'ivy');
    const jay = await signUp(t, 'jay');
    const kai = await signUp(t, 'kai');
    await giveShares(ivy, 'TCS', 10);
    await giveShares(kai, 'TCS', 10);
    const stop = await order(ivy, {
      order_type: 'SELL',
      order_mode: 'STOP_LOSS',
      quantity: 2,
      stop_price: '4000.00',
    });
    expect(stop.body.status).toBe('PENDING_TRIGGER');
    await order(jay, { order_type: 'BUY', quantity: 5, price: '3990.00' });
    await order(kai, { order_type: 'SELL', quantity: 1, price: '3990.00' });
    const after = await call(t, 'GET', `/api/trading/order/${stop.body.order_id as number}`, {
      token: ivy.token,
    });
    expect(after.body).toMatchObject({
      status: 'FILLED',
      filled_quantity: 2,
      average_price: '3990.00',
    });
    expect(invariants()).toEqual([]);
  });

  /**
   * `count` sell stops at 4000.00 of one share each (placed in waves of 100), a bid for one more
   * at 3990.00, and the seller whose one share, sold into the bid, triggers them all.
   */
  async function stopCascade(count: number) {
    const exchange = t.exchange.venue.exchange;
    const stopper = await signUp(t, 'stopper');
    const bidder = await signUp(t, 'bidder');
    const trigger = await signUp(t, 'trigger');
    await giveShares(stopper, 'TCS', count);
    await giveShares(trigger, 'TCS', 1);
    expect((await exchange.adjust(bidder.id, 'INR', 400_000 * (count + 1), 'cash')).ok).toBe(true);
    const stopIds: number[] = [];
    for (let i = 0; i < count; i += 100) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, () =>
          exchange.placeOrder(stopper.id, {
            symbol: 'TCS',
            side: 'SELL',
            mode: 'STOP_LOSS',
            quantity: 1,
            stopPrice: 400_000,
          }),
        ),
      );
      for (const placed of wave) if (placed.ok) stopIds.push(placed.order.order_id);
    }
    expect(stopIds).toHaveLength(count);
    const bid = await order(bidder, { order_type: 'BUY', quantity: count + 1, price: '3990.00' });
    expect(bid.status).toBe(201);
    /** Places the triggering sale; its synchronous step has run when this returns. */
    const trade = () =>
      exchange.placeOrder(trigger.id, {
        symbol: 'TCS',
        side: 'SELL',
        mode: 'LIMIT',
        quantity: 1,
        price: 399_000,
      });
    /** The stopper's orders in the order they traded. */
    const sold = async (): Promise<number[]> => {
      const rows = await t.store.db
        .selectFrom('trades')
        .select('sell_order_id')
        .where('seller_id', '=', stopper.id)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.sell_order_id);
    };
    return { stopper, stopIds, trade, sold };
  }

  /** Lets the sequencer run its slices until no triggered stop waits, then drains the journal. */
  async function runSlices(): Promise<void> {
    const book = t.exchange.venue.exchange.market('TCS')!.book;
    for (let turns = 0; book.triggeredStops > 0 && turns < 10_000; turns++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await t.exchange.venue.journal.drain();
  }

  it('runs 3,000 stops one trade triggers in slices, in trigger order, with commands between', async () => {
    const STOPS = 3_000;
    const exchange = t.exchange.venue.exchange;
    const book = exchange.market('TCS')!.book;
    const { stopper, stopIds, trade, sold } = await stopCascade(STOPS);
    const slices: number[] = [];
    const unsubscribe = exchange.subscribe((published) => {
      for (const p of published) {
        if (p.kind !== 'book') continue;
        const ran = p.events.filter((e) => e.type === 'STOP_TRIGGERED').length;
        if (ran > 0) slices.push(ran);
      }
    });

    // The trade at 3990.00 triggers every stop; its command runs one slice and returns.
    const traded = trade();
    expect(book.triggeredStops).toBe(STOPS - DEFAULT_STOPS_PER_COMMAND);
    // Another command runs before the rest: it cancels the last stop while it waits its turn.
    const cancelled = await exchange.cancelOrder(stopper.id, stopIds.at(-1)!);
    expect(cancelled).toMatchObject({ ok: true, order: { status: 'CANCELLED' } });
    expect((await traded).ok).toBe(true);
    await runSlices();
    unsubscribe();

    expect(book.triggeredStops).toBe(0);
    expect(Math.max(...slices)).toBeLessThanOrEqual(DEFAULT_STOPS_PER_COMMAND);
    expect(slices.reduce((a, b) => a + b, 0)).toBe(STOPS - 1);
    expect(slices.length).toBeGreaterThanOrEqual(Math.ceil((STOPS - 1) / 64));
    // Price-time order: the stops entered the book in the order they were placed.
    expect(await sold()).toEqual(stopIds.slice(0, -1));
    const statuses = await t.store.db
      .selectFrom('orders')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('user_id', '=', stopper.id)
      .groupBy('status')
      .execute();
    expect(Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]))).toEqual({
      FILLED: STOPS - 1,
      CANCELLED: 1,
    });
    expect(balance(stopper, 'TCS')).toEqual({ available: 1, held: 0 });
    expect(invariants()).toEqual([]);
  });

  it('puts stops still waiting their turn back in order after a restart', async () => {
    const { stopIds, trade, sold } = await stopCascade(200);
    // Halted right after the trade, as a crash would leave it: the first slice ran, the rest wait.
    const traded = trade();
    t.exchange.venue.exchange.setStatus('TCS', 'HALTED');
    expect((await traded).ok).toBe(true);
    // Durable: the stops not yet run, still pending, and the one trigger check that met them.
    const waiting = await t.store.db
      .selectFrom('orders')
      .select('id')
      .where('status', '=', 'PENDING_TRIGGER')
      .orderBy('sequence')
      .execute();
    expect(waiting.map((r) => r.id)).toEqual(stopIds.slice(DEFAULT_STOPS_PER_COMMAND));
    const symbol = await t.store.db
      .selectFrom('symbols')
      .select('stop_triggers')
      .where('symbol', '=', 'TCS')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(symbol.stop_triggers)).toMatchObject([{ lastPrice: 399_000 }]);

    // Recovery puts the waiting stops back in the queue and runs them on.
    t = await t.reopen();
    await runSlices();
    expect(await sold()).toEqual(stopIds);
    expect(t.exchange.venue.exchange.market('TCS')!.book.triggeredStops).toBe(0);
    expect(invariants()).toEqual([]);
    expect((await call(t, 'GET', '/api/health')).body).toMatchObject({
      trading: { available: true },
    });
  });

  it('refuses prices off the tick grid (400) and outside the band (422)', async () => {
    const kim = await signUp(t, 'kim');
    const offTick = await order(kim, { order_type: 'BUY', quantity: 1, price: '4100.01' });
    expect(offTick.status).toBe(400);
    expect((offTick.body.error as { code: string }).code).toBe('PRICE_NOT_ON_TICK');
    const far = await order(kim, { order_type: 'BUY', quantity: 1, price: '9000.00' });
    expect(far.status).toBe(422);
    expect((far.body.error as { code: string }).code).toBe('PRICE_OUT_OF_BAND');
    const noShares = await order(kim, { order_type: 'SELL', quantity: 1, price: '4100.00' });
    expect((noShares.body.error as { code: string }).code).toBe('INSUFFICIENT_SHARES');
    expect(balance(kim, 'INR')).toEqual({ available: STARTING_CASH, held: 0 });
  });

  it('hostile order bodies get a 4xx, never a 500, and change nothing', async () => {
    const mal = await signUp(t, 'mallory');
    const base = {
      symbol: 'TCS',
      order_type: 'BUY',
      order_mode: 'LIMIT',
      quantity: 1,
      price: '4100.00',
    };
    const bodies: unknown[] = [
      { ...base, quantity: Number.NaN },
      { ...base, quantity: 'Infinity' },
      { ...base, quantity: -0 },
      '{"symbol":"TCS","order_type":"BUY","order_mode":"LIMIT","quantity":1e309,"price":"4100.00"}',
      { ...base, quantity: -5 },
      { ...base, quantity: 0 },
      { ...base, quantity: '10' },
      { ...base, quantity: 1.5 },
      { ...base, quantity: 1e16 },
      { ...base, price: 'NaN' },
      { ...base, price: '-4100' },
      { ...base, price: 0 },
      { ...base, price: '4100.005' },
      { ...base, price: '1e3' },
      '{"symbol":"TCS","order_type":"BUY","order_mode":"LIMIT","quantity":1,"price":1e309}',
      '{"symbol":"TCS","order_type":"BUY","order_mode":"LIMIT","quantity":1,"price":"4100.00","price":"1.00"',
      { ...base, price: [4100] },
      { ...base, price: { $gt: 0 } },
      { ...base, symbol: 'NOPE' },
      { ...base, symbol: "TCS'; DROP TABLE orders;--" },
      { ...base, symbol: ['TCS'] },
      { ...base, order_type: 'HOLD' },
      { ...base, order_mode: 'ICEBERG' },
      { ...base, order_mode: 'MARKET' },
      { ...base, order_mode: 'STOP_LIMIT' },
      { ...base, time_in_force: 'FOREVER' },
      { ...base, post_only: 'yes' },
      { ...base, client_order_id: 'x'.repeat(200) },
      JSON.parse('{"__proto__": {"admin": true}, "symbol": "TCS"}') as unknown,
      { ...base, constructor: { prototype: { polluted: true } } },
      [base],
      'just a string',
      { nested: { deep: { deeper: [1, 2, 3] } } },
    ];
    for (const body of bodies) {
      const res = await call(t, 'POST', '/api/trading/order', { token: mal.token, body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      expect(res.body.error, JSON.stringify(body)).toMatchObject({
        code: expect.any(String) as string,
        message: expect.any(String) as string,
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(balance(mal, 'INR')).toEqual({ available: STARTING_CASH, held: 0 });
    const rows = await t.store.db.selectFrom('orders').select('id').execute();
    expect(rows).toHaveLength(0);
  });

  it('refuses prices padded with whitespace, a no-break space, a BOM or a newline, and integers written 1.0', async () => {
    const pat = await signUp(t, 'pat');
    await giveShares(pat, 'TCS', 5);
    const placed = await order(pat, { order_type: 'SELL', quantity: 1, price: '4200.00' });
    expect(placed.status).toBe(201);
    const id = placed.body.order_id as number;
    const refused = (res: Reply, what: string) => {
      expect(res.status, what).toBe(400);
      expect(res.body.error, what).toMatchObject({ code: 'VALIDATION_FAILED' });
    };
    for (const pad of [' ', '\t', '\n', '\r\n', '\u00a0', '\ufeff', '\u2007']) {
      for (const price of [`${pad}4100.00`, `4100.00${pad}`]) {
        const what = JSON.stringify(price);
        refused(await order(pat, { order_type: 'BUY', quantity: 1, price }), what);
        refused(
          await order(pat, {
            order_type: 'SELL',
            order_mode: 'STOP_LIMIT',
            quantity: 1,
            price: '4000.00',
            stop_price: price,
          }),
          what,
        );
        const amend = await call(t, 'PATCH', `/api/trading/order/${id}`, {
          token: pat.token,
          body: { price },
        });
        refused(amend, what);
      }
    }
    // An integer field takes only an integer literal, however the key is spelled.
    const raw = (quantity: string, key = 'quantity') =>
      call(t, 'POST', '/api/trading/order', {
        token: pat.token,
        headers: { 'content-type': 'application/json' },
        body: `{"symbol":"TCS","order_type":"BUY","order_mode":"LIMIT","${key}":${quantity},"price":"4100.00"}`,
      });
    for (const quantity of ['1.0', '1.00', '1e0', '1E0', '10e-1', '0.1e1']) {
      refused(await raw(quantity), quantity);
    }
    refused(await raw('1.0', 'quan\\u0074ity'), 'an escaped key');
    const amendRaw = await call(t, 'PATCH', `/api/trading/order/${id}`, {
      token: pat.token,
      headers: { 'content-type': 'application/json' },
      body: '{"quantity":2.0}',
    });
    refused(amendRaw, 'amend quantity 2.0');

    expect(balance(pat, 'INR')).toEqual({ available: STARTING_CASH, held: 0 });
    const orders = await t.store.db.selectFrom('orders').selectAll().execute();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ quantity: 1, price: 420_000 });
    // Honest input still goes through: an integer literal, and a price as a number with decimals.
    expect((await raw('1')).status).toBe(201);
    const asNumber = await call(t, 'POST', '/api/trading/order', {
      token: pat.token,
      headers: { 'content-type': 'application/json' },
      body: '{"symbol":"TCS","order_type":"BUY","order_mode":"LIMIT","quantity":1,"price":4100.50}',
    });
    expect(asNumber.status).toBe(201);
    expect(asNumber.body.order).toMatchObject({ price: '4100.50', quantity: 1 });
  });

  it('an admin adjustment past the balance bound answers BALANCE_OVERFLOW and changes nothing', async () => {
    const admin = await signUp(t, 'root', { admin: true });
    const ruth = await signUp(t, 'ruth');
    const adjust = (asset: string, amount: string) =>
      call(t, 'POST', `/api/admin/users/${ruth.id}/adjust`, {
        token: admin.token,
        body: { asset, amount, reason: 'bound test' },
      });
    expect((await adjust('INR', '90000000000000.00')).status).toBe(200);
    expect((await adjust('INFY', String(Number.MAX_SAFE_INTEGER))).status).toBe(200);
    const before = [balance(ruth, 'INR'), balance(ruth, 'INFY')];
    for (const [asset, amount] of [
      ['INR', '90000000000000.00'],
      ['INR', '100000000000.00'],
      ['INFY', '1'],
    ] as const) {
      const res = await adjust(asset, amount);
      expect(res.status, `${asset} ${amount}`).toBe(422);
      expect(res.body.error, `${asset} ${amount}`).toMatchObject({ code: 'BALANCE_OVERFLOW' });
    }
    for (const amount of [' 100', '100 ', '100\n', '\u00a0100', '\ufeff100', '- 100']) {
      const res = await adjust('INR', amount);
      expect(res.status, JSON.stringify(amount)).toBe(400);
    }
    expect([balance(ruth, 'INR'), balance(ruth, 'INFY')]).toEqual(before);
    expect(invariants()).toEqual([]);
  });

  it('random JSON bodies get a 4xx, never a 500, and change nothing', async () => {
    const fuzz = await signUp(t, 'fuzz');
    const base = {
      symbol: 'TCS',
      order_type: 'BUY',
      order_mode: 'LIMIT',
      quantity: 1,
      price: '4100.00',
    };
    const field = fc.constantFrom(
      ...Object.keys(base),
      'stop_price',
      'time_in_force',
      'post_only',
      'client_order_id',
    );
    const hostile = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(field, fc.jsonValue()),
      fc
        .record({ key: field, value: fc.oneof(fc.jsonValue(), fc.string(), fc.double()) })
        .map(({ key, value }) => ({
          ...base,
          [key]: value,
          quantity: key === 'quantity' ? value : 0,
        })),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (body) => {
        const res = await call(t, 'POST', '/api/trading/order', {
          token: fuzz.token,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect(balance(fuzz, 'INR')).toEqual({ available: STARTING_CASH, held: 0 });
    expect(await t.store.db.selectFrom('orders').select('id').execute()).toHaveLength(0);
  });

  it("another user's order answers 404 and stays as it was", async () => {
    const owner = await signUp(t, 'olive');
    const thief = await signUp(t, 'trent');
    const placed = await order(owner, { order_type: 'BUY', quantity: 2, price: '4000.00' });
    const id = placed.body.order_id as number;
    expect((await call(t, 'GET', `/api/trading/order/${id}`, { token: thief.token })).status).toBe(
      404,
    );
    expect(
      (await call(t, 'DELETE', `/api/trading/order/${id}`, { token: thief.token })).status,
    ).toBe(404);
    expect(
      (
        await call(t, 'PATCH', `/api/trading/order/${id}`, {
          token: thief.token,
          body: { quantity: 1 },
        })
      ).status,
    ).toBe(404);
    const list = await call(t, 'GET', '/api/trading/orders', { token: thief.token });
    expect(list.body.orders).toEqual([]);
    const mine = await call(t, 'GET', `/api/trading/order/${id}`, { token: owner.token });
    expect(mine.body).toMatchObject({ status: 'OPEN', quantity: 2 });
    expect(balance(owner, 'INR').held).toBe(800_000);
  });

  it('lists orders with filters and pages', async () => {
    const pam = await signUp(t, 'pam');
    for (let i = 0; i < 5; i++)
      await order(pam, { order_type: 'BUY', quantity: 1, price: '4000.00' });
    const page1 = await call(t, 'GET', '/api/trading/orders?limit=2&status=OPEN&symbol=TCS', {
      token: pam.token,
    });
    expect((page1.body.orders as unknown[]).length).toBe(2);
    const next = page1.body.next_before_id as number;
    const page2 = await call(t, 'GET', `/api/trading/orders?limit=10&before_id=${next}`, {
      token: pam.token,
    });
    expect((page2.body.orders as unknown[]).length).toBe(3);
    expect(
      (await call(t, 'GET', '/api/trading/orders?status=FILLED', { token: pam.token })).body.orders,
    ).toEqual([]);
  });

  it('an admin halts and resumes a symbol, and adjusts balances with a reason', async () => {
    const admin = await signUp(t, 'root');
    await new UsersRepo(t.store.db).update(admin.id, { role: 'admin' });
    const quinn = await signUp(t, 'quinn');
    expect(
      (await call(t, 'POST', '/api/admin/symbols/TCS/halt', { token: admin.token })).status,
    ).toBe(200);
    const halted = await order(quinn, { order_type: 'BUY', quantity: 1, price: '4000.00' });
    expect(halted.status).toBe(422);
    expect((halted.body.error as { code: string }).code).toBe('MARKET_HALTED');
    expect(
      (await call(t, 'POST', '/api/admin/symbols/TCS/resume', { token: admin.token })).status,
    ).toBe(200);
    expect((await order(quinn, { order_type: 'BUY', quantity: 1, price: '4000.00' })).status).toBe(
      201,
    );
    expect(
      (await call(t, 'POST', '/api/admin/symbols/TCS/halt', { token: quinn.token })).status,
    ).toBe(403);

    const dep = await call(t, 'POST', `/api/admin/users/${quinn.id}/adjust`, {
      token: admin.token,
      body: {
        asset: 'INFY',
        amount: '25',
        reason: 'corporate action',
      },
    });
    expect(dep.body).toMatchObject({
      success: true,
      balance: { asset: 'INFY', available: '25', held: '0' },
    });
    const overdraw = await call(t, 'POST', `/api/admin/users/${quinn.id}/adjust`, {
      token: admin.token,
      body: {
        asset: 'INR',
        amount: '-2000000',
        reason: 'mistake',
      },
    });
    expect(overdraw.status).toBe(422);
    expect(invariants()).toEqual([]);
  });

  it('recovers books, holds and balances after a restart', async () => {
    const rae = await signUp(t, 'rae');
    const sid = await signUp(t, 'sid');
    await giveShares(sid, 'TCS', 20);
    await order(rae, { order_type: 'BUY', quantity: 3, price: '4090.00' });
    await order(rae, { order_type: 'BUY', quantity: 2, price: '4095.00' });
    await order(sid, { order_type: 'SELL', quantity: 4, price: '4110.00' });
    await order(sid, {
      order_type: 'SELL',
      order_mode: 'STOP_LIMIT',
      quantity: 1,
      price: '3990.00',
      stop_price: '4000.00',
    });
    await order(sid, { order_type: 'SELL', quantity: 1, price: '4095.00' });
    const before = await call(t, 'GET', '/api/market/stock/TCS/orderbook?depth=10');
    const raeCash = balance(rae, 'INR');

    t = await t.reopen();
    const after = await call(t, 'GET', '/api/market/stock/TCS/orderbook?depth=10');
    expect(after.body).toEqual(before.body);
    expect(balance(rae, 'INR')).toEqual(raeCash);
    expect(invariants()).toEqual([]);
    expect((await call(t, 'GET', '/api/health')).body).toMatchObject({
      trading: { available: true },
    });
    // Trading continues where it stopped.
    const more = await order(rae, { order_type: 'BUY', quantity: 4, price: '4110.00' });
    expect(more.body.status).toBe('FILLED');
  });

  it('refuses to trade after a restart on a state that fails its checks, and says why', async () => {
    const tom = await signUp(t, 'tom');
    await order(tom, { order_type: 'BUY', quantity: 1, price: '4000.00' });
    await t.store.db
      .updateTable('balances')
      .set({ held: 1 })
      .where('user_id', '=', tom.id)
      .execute();
    t = await t.reopen();
    const health = await call(t, 'GET', '/api/health');
    expect(health.status).toBe(503);
    expect((health.body.trading as { reason: string }).reason).toMatch(
      /recovery found .* trading is refused/,
    );
    const refused = await order(tom, { order_type: 'BUY', quantity: 1, price: '4000.00' });
    expect(refused.status).toBe(503);
    expect((refused.body.error as { code: string }).code).toBe('TRADING_UNAVAILABLE');
  });
});
