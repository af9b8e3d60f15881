// The order ticket as a newcomer meets it, at desktop size: it shows the cash and the shares
// held, a refusal clears on the next change and a warning after a success, a fill is told in a
// toast in a live region (so is a stop that triggers, placed from the ticket or over the API
// before the page opened), the amend form names its order, and a lost connection reads "Can't
// reach the exchange".

import type { Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPaise, parseRupees } from '../../src/money.ts';
import { rupees } from '../../web/src/money.ts';
import { postJson } from '../support/process.ts';
import {
  PASSWORD,
  POLL,
  browserUnavailable,
  expectCleanAndClose,
  newPage,
  openTerminal,
  registerUser,
  screenshot,
  signIn,
  signedInPage,
  type Terminal,
  type WatchedPage,
} from './harness.ts';

const skip = browserUnavailable();

const ticketOf = (page: Page) => page.getByRole('form', { name: 'Order ticket' });

/** The best ask, or a tick above the last price when the ask is not above it (paise). */
async function stopAboveLast(t: Terminal, symbol: string): Promise<number> {
  const get = async <T>(path: string) => (await (await fetch(t.url + path)).json()) as T;
  const book = await get<{ asks: [string, number][] }>(
    `/api/market/stock/${symbol}/orderbook?depth=1`,
  );
  const info = await get<{ tick_size: string; price: string }>(`/api/market/stock/${symbol}`);
  const ask = parseRupees(book.asks[0]?.[0] ?? '0') ?? 0;
  const last = parseRupees(info.price) ?? 0;
  return Math.max(ask, last + (parseRupees(info.tick_size) ?? 1));
}

/** A sell stop's price 1% under the lowest bid (paise, on the tick): beyond the simulator. */
async function stopUnderBids(t: Terminal, symbol: string): Promise<number> {
  const get = async <T>(path: string) => (await (await fetch(t.url + path)).json()) as T;
  const book = await get<{ bids: [string, number][] }>(
    `/api/market/stock/${symbol}/orderbook?depth=50`,
  );
  const info = await get<{ tick_size: string; price: string }>(`/api/market/stock/${symbol}`);
  const tick = parseRupees(info.tick_size) ?? 1;
  const lowest = parseRupees(book.bids.at(-1)?.[0] ?? info.price) ?? 0;
  return Math.floor((lowest * 0.99) / tick) * tick;
}

/** Shares bid at `price` or better. */
async function bidsDownTo(t: Terminal, symbol: string, price: number): Promise<number> {
  const res = await fetch(`${t.url}/api/market/stock/${symbol}/orderbook?depth=50`);
  const { bids } = (await res.json()) as { bids: [string, number][] };
  return bids
    .filter(([p]) => (parseRupees(p) ?? 0) >= price)
    .reduce((n, [, quantity]) => n + quantity, 0);
}

async function tokenOf(t: Terminal, username: string): Promise<string> {
  const login = await postJson(t.url, '/api/auth/login', { username, password: PASSWORD });
  return String(login.body.access_token);
}

/** The browser logs each refused or failed request; those are the point of these tests. */
function forgiveOrderRequests(watched: WatchedPage): void {
  const expected = /Failed to load resource|ERR_INTERNET_DISCONNECTED/;
  watched.problems.splice(
    0,
    watched.problems.length,
    ...watched.problems.filter((p) => !expected.test(p)),
  );
}

describe.skipIf(skip !== undefined)('the order ticket', { timeout: 90_000 }, () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await openTerminal();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  it('shows cash and shares, and clears a refusal on input and a warning on success', async () => {
    const watched = await signedInPage(t, 'ticket_user', 'Ticket User');
    const { page } = watched;
    const ticket = ticketOf(page);
    await expect
      .poll(() => ticket.getByTestId('ticket-cash').textContent(), POLL)
      .toBe('Cash available ₹10,00,000.00');
    expect(await ticket.getByTestId('ticket-holding').textContent()).toBe('You hold no TCS');
    // The last price is a hint, not a value the field already holds.
    const limit = ticket.getByLabel('Limit price (₹)');
    await expect.poll(() => limit.getAttribute('placeholder'), POLL).toMatch(/^e\.g\. \d+\.\d\d$/);
    expect(await limit.inputValue()).toBe('');

    // Too big for the cash (₹36,00,000): warned, then refused by the exchange in its own words.
    await ticket.getByLabel('Quantity (shares)').fill('1000');
    await limit.fill('3600.00');
    await ticket.getByTestId('ticket-funds').waitFor();
    await limit.press('Enter');
    const refusal = ticket.getByRole('alert');
    await refusal.waitFor(POLL);
    expect(await refusal.textContent()).not.toMatch(/^[A-Z_]+$/);
    await screenshot(page, 'ticket-refused');
    await ticket.getByLabel('Quantity (shares)').fill('1');
    expect(await refusal.count()).toBe(0);
    expect(await ticket.getByTestId('ticket-funds').count()).toBe(0);
    await limit.press('Enter');
    await expect.poll(() => page.getByTestId('order-placed').textContent(), POLL).toMatch(/open/);
    await ticket.getByLabel('Quantity (shares)').fill('2');
    expect(await page.getByTestId('order-placed').count()).toBe(0);

    // A market buy fills against the simulator: a toast tells it, the ticket shows the shares.
    await ticket.getByLabel('Order type').selectOption('MARKET');
    await ticket.getByRole('button', { name: /Buy TCS/ }).click();
    await expect.poll(() => page.getByTestId('order-placed').textContent(), POLL).toMatch(/filled/);
    const toasts = page.locator('[data-testid="order-toasts"][aria-live="polite"]');
    const toast = toasts.getByTestId('order-toast').filter({ hasText: /^Bought 2 TCS/ });
    await toast.waitFor(POLL);
    const told = (await toast.locator('span').textContent()) ?? '';
    expect(told).toMatch(/^Bought 2 TCS @ ₹[\d,]+\.\d\d$/);
    await page.getByRole('tab', { name: 'History' }).click();
    const filled = page.locator('[data-testid="order-history"] tr[data-status="FILLED"]');
    const average = await filled.first().locator('td').nth(7).textContent();
    expect(told).toBe(`Bought 2 TCS @ ₹${average}`);
    await expect
      .poll(() => ticket.getByTestId('ticket-holding').textContent(), POLL)
      .toBe('You hold 2 TCS (2 available)');
    expect(await ticket.getByTestId('ticket-cash').textContent()).not.toContain('₹10,00,000.00');
    await screenshot(page, 'ticket-fill-toast');

    // A stop-loss for both shares holds them: no "you have 0 TCS available" under its success.
    await ticket.getByRole('button', { name: /^Sell/ }).click();
    await ticket.getByLabel('Order type').selectOption('STOP_LOSS');
    await ticket.getByLabel('Stop price (₹)').fill('3600.00');
    await ticket.getByRole('button', { name: /Sell TCS/ }).click();
    await expect
      .poll(() => page.getByTestId('order-placed').textContent(), POLL)
      .toMatch(/pending trigger/);
    await expect
      .poll(() => ticket.getByTestId('ticket-holding').textContent(), POLL)
      .toBe('You hold 2 TCS (0 available)');
    expect(await ticket.getByTestId('ticket-funds').count()).toBe(0);
    // The next change brings the warning back: it is true of a new order.
    await ticket.getByLabel('Quantity (shares)').fill('1');
    expect(await ticket.getByTestId('ticket-funds').textContent()).toBe('you have 0 TCS available');
    forgiveOrderRequests(watched);
    await expectCleanAndClose(watched);
  });

  it('names the order being amended and lets the amend be cancelled', async () => {
    const watched = await signedInPage(t, 'amend_user', 'Amend User');
    const { page } = watched;
    const ticket = ticketOf(page);
    await ticket.getByLabel('Quantity (shares)').fill('3');
    await ticket.getByLabel('Limit price (₹)').fill('3600.00');
    await ticket.getByLabel('Limit price (₹)').press('Enter');
    const row = page.locator('[data-testid="open-orders"] tr[data-status="OPEN"]').first();
    await row.waitFor(POLL);
    const id = await row.getAttribute('data-order-id');
    await row.getByRole('button', { name: 'Amend' }).click();
    const banner = page.getByTestId('amend-banner');
    expect(await banner.textContent()).toBe(`Amending BUY 3 TCS @ ₹3,600.00 (order #${id})`);
    await screenshot(page, 'ticket-amend');
    await page.getByRole('button', { name: 'Cancel amend' }).click();
    expect(await banner.count()).toBe(0);
    await row.getByRole('button', { name: 'Amend' }).waitFor();
    await expectCleanAndClose(watched);
  });

  it('tells a stop that triggers and what it then bought', async () => {
    const watched = await signedInPage(t, 'stop_user', 'Stop User');
    const { page } = watched;
    await page
      .getByTestId('watchlist')
      .getByRole('button', { name: /^ITC\b/ })
      .click();
    const ticket = ticketOf(page);
    await ticket.getByLabel('Order type').selectOption('STOP_LOSS');
    await ticket.getByLabel('Quantity (shares)').fill('1');
    // A buy stop at the best ask (above the last price): the next buy that lifts it triggers.
    const placed = page.getByTestId('order-placed');
    let stop = '';
    for (let attempt = 0; attempt < 5 && (await placed.count()) === 0; attempt++) {
      stop = formatPaise(await stopAboveLast(t, 'ITC'));
      await ticket.getByLabel('Stop price (₹)').fill(stop);
      await ticket.getByRole('button', { name: /Buy ITC/ }).click();
      await expect
        .poll(async () => (await placed.count()) + (await ticket.getByRole('alert').count()), POLL)
        .toBe(1);
    }
    await expect.poll(() => placed.textContent(), POLL).toMatch(/pending trigger/);
    const id = /Order (\d+)/.exec((await placed.textContent()) ?? '')?.[1];

    // Another trader lifts the offers; the simulator's buyers may get there first.
    await registerUser(t, 'stop_pusher', 'Stop Pusher');
    const login = await postJson(t.url, '/api/auth/login', {
      username: 'stop_pusher',
      password: PASSWORD,
    });
    const token = String(login.body.access_token);
    const toasts = page.locator('[data-testid="order-toasts"][aria-live="polite"]');
    const triggered = toasts.getByTestId('order-toast').filter({ hasText: /^Stop triggered/ });
    for (let push = 0; push < 2 && (await triggered.count()) === 0; push++) {
      const order = { symbol: 'ITC', order_type: 'BUY', order_mode: 'MARKET', quantity: 80 };
      expect((await postJson(t.url, '/api/trading/order', order, token)).status).toBe(201);
      await triggered.waitFor({ timeout: 8_000 }).catch(() => undefined);
    }
    expect(await triggered.locator('span').textContent()).toBe(
      `Stop triggered: BUY 1 ITC stop ${rupees(parseRupees(stop) ?? 0)} (order #${id})`,
    );
    await toasts
      .getByTestId('order-toast')
      .filter({ hasText: /^Bought 1 ITC @ ₹/ })
      .waitFor(POLL);
    await screenshot(page, 'ticket-stop-triggered');
    forgiveOrderRequests(watched);
    await expectCleanAndClose(watched);
  });

  it('tells a sell stop placed over the API before the page opened, when the market falls through it', async () => {
    // Shares to protect, and a stop-loss well under the makers' bids, all before the terminal is
    // open: the terminal learns of the stop only from the /ws/orders snapshot.
    await registerUser(t, 'api_stopper', 'Api Stopper');
    const token = await tokenOf(t, 'api_stopper');
    const buy = { symbol: 'INFY', order_type: 'BUY', order_mode: 'MARKET', quantity: 2 };
    expect((await postJson(t.url, '/api/trading/order', buy, token)).body).toMatchObject({
      status: 'FILLED',
    });
    const stop = await stopUnderBids(t, 'INFY');
    const placed = await postJson(
      t.url,
      '/api/trading/order',
      {
        symbol: 'INFY',
        order_type: 'SELL',
        order_mode: 'STOP_LOSS',
        quantity: 2,
        stop_price: formatPaise(stop),
      },
      token,
    );
    expect(placed.body).toMatchObject({ status: 'PENDING_TRIGGER' });
    const id = placed.body.order_id as number;
    // Someone bids at the stop price (and will buy the stop's shares there), and someone else
    // has shares enough to sell through the makers' bids down to it.
    await registerUser(t, 'stop_bidder', 'Stop Bidder');
    const bidder = await tokenOf(t, 'stop_bidder');
    const bid = {
      symbol: 'INFY',
      order_type: 'BUY',
      order_mode: 'LIMIT',
      quantity: 200,
      price: formatPaise(stop),
    };
    expect((await postJson(t.url, '/api/trading/order', bid, bidder)).body).toMatchObject({
      status: 'OPEN',
    });
    await registerUser(t, 'stop_seller', 'Stop Seller');
    const seller = await tokenOf(t, 'stop_seller');
    let shares = 0;
    for (let round = 0; round < 8 && shares < 400; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 500)); // makers requote
      const stock = { symbol: 'INFY', order_type: 'BUY', order_mode: 'MARKET', quantity: 100 };
      const stocked = await postJson(t.url, '/api/trading/order', stock, seller);
      if (stocked.status === 422) break; // the cash is spent
      expect(stocked.status, JSON.stringify(stocked.body)).toBe(201);
      shares += (stocked.body.order as { filled_quantity: number }).filled_quantity;
    }

    const watched = await newPage(t);
    const { page } = watched;
    // Each /ws/orders socket of the page (the toasts' among them), and whether its snapshot has
    // come with the pending stop in it.
    const snapshots = new Map<WebSocket, boolean>();
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/ws/orders')) return;
      snapshots.set(ws, false);
      ws.on('framereceived', ({ payload }) => {
        const text = String(payload);
        if (text.startsWith('{"type":"orders_snapshot"') && text.includes(`"order_id":${id},`))
          snapshots.set(ws, true);
      });
      ws.on('close', () => snapshots.delete(ws));
    });
    await signIn(page, t, 'api_stopper');
    await page
      .locator(
        `[data-testid="open-orders"] tr[data-order-id="${id}"][data-status="PENDING_TRIGGER"]`,
      )
      .waitFor(POLL);
    // The row may come from the REST list first: wait for the sockets too, or a trigger before
    // their snapshot would be an old fill to them, and rightly never told.
    await expect
      .poll(() => snapshots.size > 0 && [...snapshots.values()].every(Boolean), POLL)
      .toBe(true);

    // The seller takes every bid above the stop and one share at it: the last price is the stop.
    const statusOf = async () => {
      const res = await fetch(`${t.url}/api/trading/order/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { status: string }).status;
    };
    const pushes: string[] = [];
    for (let push = 0; push < 3 && shares > 0 && (await statusOf()) === 'PENDING_TRIGGER'; push++) {
      const quantity = Math.min(shares, (await bidsDownTo(t, 'INFY', stop + 5)) + 1);
      shares -= quantity;
      const sell = {
        symbol: 'INFY',
        order_type: 'SELL',
        order_mode: 'LIMIT',
        time_in_force: 'IOC',
        price: formatPaise(stop),
        quantity,
      };
      const sold = await postJson(t.url, '/api/trading/order', sell, seller);
      expect(sold.status, JSON.stringify(sold.body)).toBe(201);
      const fills = sold.body.fills as { price: string }[];
      pushes.push(`${quantity} sold down to ${fills.at(-1)?.price ?? 'nothing'}`);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the stop runs in its own turn
    }
    expect(await statusOf(), `stop ${formatPaise(stop)}; pushes: ${pushes.join(', ')}`).not.toBe(
      'PENDING_TRIGGER',
    );
    const toasts = page.locator('[data-testid="order-toasts"][aria-live="polite"]');
    const triggered = toasts.getByTestId('order-toast').filter({ hasText: /^Stop triggered/ });
    await triggered.waitFor(POLL);
    expect(await triggered.locator('span').textContent()).toBe(
      `Stop triggered: SELL 2 INFY stop ${rupees(stop)} (order #${id})`,
    );
    const sold = toasts.getByTestId('order-toast').filter({ hasText: /^Sold 2 INFY @ ₹/ });
    await sold.waitFor(POLL);
    expect(await sold.locator('span').textContent()).toBe(`Sold 2 INFY @ ${rupees(stop)}`);
    await screenshot(page, 'ticket-api-stop-triggered');
    await expectCleanAndClose(watched);
  });

  it('says "Can\'t reach the exchange" when the request never arrives', async () => {
    const watched = await signedInPage(t, 'offline_user', 'Offline User');
    const { page } = watched;
    await page.route('**/api/trading/order', (route) => route.abort('internetdisconnected'));
    const ticket = ticketOf(page);
    await ticket.getByLabel('Limit price (₹)').fill('3600.00');
    await ticket.getByLabel('Limit price (₹)').press('Enter');
    const refusal = ticket.getByRole('alert');
    await refusal.waitFor(POLL);
    expect(await refusal.textContent()).toBe("Can't reach the exchange");
    await page.unroute('**/api/trading/order');
    forgiveOrderRequests(watched);
    await expectCleanAndClose(watched);
  });
});
