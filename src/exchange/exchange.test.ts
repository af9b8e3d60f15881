import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { Ledger } from '../ledger/ledger.ts';
import { CASH, Exchange } from './exchange.ts';
import { Journal } from './journal.ts';

function exchangeWith(write: () => Promise<void>): Exchange {
  const ledger = new Ledger({ cashAsset: CASH, feeAccount: 1 });
  const journal = new Journal(write, (error) => exchange.stop(error.message));
  const exchange = new Exchange(ledger, journal, {
    feeAccount: 1,
    makerFeeBps: 0,
    takerFeeBps: 0,
    marketCollarBps: 500,
    priceBandBps: 2000,
    now: () => 1_800_000_000_000,
  });
  exchange.list({
    symbol: 'TCS',
    name: 'TCS',
    tickSize: 5,
    referencePrice: 410_000,
    status: 'ACTIVE',
  });
  return exchange;
}

describe('Exchange and its journal', () => {
  it('acknowledges an order only once its batch is written', async () => {
    let written = 0;
    const exchange = exchangeWith(() => {
      written += 1;
      return Promise.resolve();
    });
    await exchange.adjust(2, CASH, 1_000_000, 'test');
    const outcome = await exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    expect(outcome.ok).toBe(true);
    expect(written).toBe(2);
  });

  it('answers TRADING_UNAVAILABLE, not success, when the write fails, and refuses everything after', async () => {
    let fail = false;
    const exchange = exchangeWith(() =>
      fail ? Promise.reject(new Error('disk I/O error')) : Promise.resolve(),
    );
    await exchange.adjust(2, CASH, 1_000_000, 'test');
    fail = true;
    const placing = exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    await expect(placing).rejects.toBeInstanceOf(ApiError);
    await expect(placing).rejects.toMatchObject({ code: 'TRADING_UNAVAILABLE' });
    expect(exchange.stoppedReason).toMatch(/disk I\/O error/);
    const after = await exchange.placeOrder(2, {
      symbol: 'TCS',
      side: 'BUY',
      mode: 'LIMIT',
      quantity: 1,
      price: 410_000,
    });
    expect(after).toMatchObject({ ok: false, code: 'TRADING_UNAVAILABLE' });
  });
});
