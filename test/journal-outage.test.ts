// A journal write the database refuses, over HTTP: the order gets a 503 that says its outcome is
// unknown, /api/health says why trading is halted, and once the database takes writes again the
// exchange recovers from it and trades on, in the same process. A restart then finds every order
// that was acknowledged. The fault is real: a trigger makes the database refuse new order rows.

import { afterEach, describe, expect, it } from 'vitest';
import { TRADING_RETRY_AFTER_SECONDS } from '../src/http/plugins/error-handler.ts';
import { call, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { refuseWrites, tradingHealth, untilTradingResumes } from './support/faults.ts';
import { storeFactories } from './support/stores.ts';

const bid = (price: string) => ({
  symbol: 'TCS',
  order_type: 'BUY',
  order_mode: 'LIMIT',
  quantity: 1,
  price,
});

describe.each(storeFactories())('a journal outage over HTTP on $name', (factory) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('answers 503, reports the halt, resumes without a restart and keeps every acknowledged order', async () => {
    t = await openTestApp(factory);
    const trader = await signUp(t, 'outage_trader');
    const place = (price: string, clientOrderId?: string) =>
      call(t!, 'POST', '/api/trading/order', {
        token: trader.token,
        body: {
          ...bid(price),
          ...(clientOrderId === undefined ? {} : { client_order_id: clientOrderId }),
        },
      });

    const before = await place('4100.00');
    expect(before.status).toBe(201);

    const allowOrders = await refuseWrites(t.store, 'orders', 'insert');
    const failed = await place('4101.00', 'during-1');
    expect(failed.status).toBe(503);
    expect(failed.body.error).toMatchObject({
      code: 'TRADING_UNAVAILABLE',
      message: expect.stringMatching(/may or may not have taken effect/) as unknown,
    });
    // Every TRADING_UNAVAILABLE says when to come back.
    expect(failed.headers['retry-after']).toBe(String(TRADING_RETRY_AFTER_SECONDS));
    const halted = await tradingHealth(t);
    expect(halted.status).toBe(503);
    expect(halted.trading.available).toBe(false);
    expect(halted.trading.reason).toMatch(/journal could not write \(.*disk I\/O error/);

    await allowOrders();
    const resumed = await untilTradingResumes(t);
    expect(resumed).toEqual({ status: 200, trading: { available: true } });

    const after = await place('4102.00');
    expect(after.status).toBe(201);
    // The order refused during the outage was not written; its id can be used now.
    const retried = await place('4101.00', 'during-1');
    expect(retried.status).toBe(201);
    expect(retried.body.duplicate).toBe(false);

    t = await t.reopen();
    const open = await call(t, 'GET', '/api/trading/orders?status=OPEN', { token: trader.token });
    expect(open.status).toBe(200);
    const ids = (open.body.orders as { order_id: number; price: string }[]).map((o) => o.order_id);
    expect(ids.sort((a, b) => a - b)).toEqual(
      [before, after, retried].map((r) => r.body.order_id as number).sort((a, b) => a - b),
    );
  });
});
