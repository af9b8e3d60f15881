// The transaction history on the portfolio page in a real browser: a market buy against the
// simulator's makers reads "Bought … TCS @ ₹… · fee ₹… · −₹…", the starting balance reads as a
// deposit, no hold or release is a row, and a row opens onto its ledger postings; the order's
// holds and releases are under the order instead.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paiseOf } from '../../web/src/money.ts';
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
  type Terminal,
} from './harness.ts';

const skip = browserUnavailable();
const BOUGHT = /^Bought (\d+) TCS @ ₹[\d,]+\.\d\d · fee ₹[\d,]+\.\d\d · −₹([\d,]+\.\d\d)$/;

describe.skipIf(skip !== undefined)('transaction history in chromium', { timeout: 60_000 }, () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await openTerminal();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  it('shows one row per trade and deposit, in words, each opening onto its postings', async () => {
    await registerUser(t, 'history_trader', 'History Trader');
    const login = await postJson(t.url, '/api/auth/login', {
      username: 'history_trader',
      password: PASSWORD,
    });
    const token = (login.body as { access_token: string }).access_token;
    const placed = await postJson(
      t.url,
      '/api/trading/order',
      { symbol: 'TCS', order_type: 'BUY', order_mode: 'MARKET', quantity: 2, time_in_force: 'IOC' },
      token,
    );
    expect(placed.status).toBe(201);
    const order = placed.body as { order_id: number; fills: { quantity: number }[] };
    const filled = order.fills.reduce((n, f) => n + f.quantity, 0);
    expect(filled).toBeGreaterThan(0);

    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'history_trader');
    await page.getByRole('link', { name: 'Portfolio' }).click();
    const rows = page.locator('[data-testid="transactions"] tbody tr[data-kind]');
    await expect.poll(() => rows.count(), POLL).toBe(order.fills.length + 1);

    const texts = await page.getByTestId('transaction-text').allTextContents();
    expect(texts.at(-1)).toBe('Deposit +₹10,00,000.00 — starting balance');
    const trades = texts.slice(0, -1).map((text) => BOUGHT.exec(text));
    expect(trades.every((m) => m !== null)).toBe(true);
    expect(trades.reduce((n, m) => n + Number(m?.[1]), 0)).toBe(filled);
    const kinds = await Promise.all((await rows.all()).map((tr) => tr.getAttribute('data-kind')));
    expect(kinds).toEqual([...order.fills.map(() => 'TRADE'), 'DEPOSIT']);

    // The cash after the newest row is the cash the trader now has (nothing is held).
    const spent = trades.reduce((n, m) => n + paiseOf(m?.[2]?.replaceAll(',', '')), 0);
    await expect
      .poll(() => page.getByTestId('cash-available').textContent(), POLL)
      .toBe(await rows.first().locator('td').nth(2).textContent());
    expect(
      paiseOf((await rows.first().locator('td').nth(2).textContent())?.replace(/[₹,]/g, '')),
    ).toBe(10_00_000_00 - spent);

    // The newest trade opens onto its postings: held cash out, shares in.
    await rows
      .first()
      .getByRole('button', { name: /Postings of transaction/ })
      .click();
    const postings = page.getByRole('table', { name: /Postings of transaction/ });
    await postings.waitFor();
    const cells = await postings.locator('tbody tr').allTextContents();
    expect(cells.some((c) => c.includes('TRADE') && c.includes('held') && c.includes('−₹'))).toBe(
      true,
    );
    expect(cells.some((c) => /TRADE.*available.*\+\d+ TCS/.test(c))).toBe(true);
    expect(cells.join(' ')).not.toMatch(/HOLD|RELEASE/);
    await screenshot(page, 'portfolio-history');

    // Holds and releases belong to the order: its row in the order history opens onto them.
    await page.getByRole('link', { name: 'Trade' }).click();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByRole('button', { name: `Holds of order ${order.order_id}` }).click();
    const holds = page.getByRole('table', {
      name: `Holds and releases of order ${order.order_id}`,
    });
    await holds.waitFor();
    const legs = await holds.locator('tbody tr td:nth-child(2)').allTextContents();
    // One hold (two legs), then a release of what each fill left over.
    expect(legs.slice(0, 2)).toEqual(['HOLD', 'HOLD']);
    expect(legs.length).toBeGreaterThanOrEqual(4);
    expect(legs.slice(2).every((kind) => kind === 'RELEASE')).toBe(true);
    await screenshot(page, 'order-holds');
    await expectCleanAndClose(watched);
  });
});
