// The terminal in a real browser against a real exchange with its market-simulator bots:
// sign-up and sign-in, a limit order placed, seen and cancelled, a market order filling and
// the portfolio following without a reload, and the depth ladder equal to the REST book.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  browserUnavailable,
  cspViolations,
  newPage,
  openTerminal,
  registerUser,
  screenshot,
  signIn,
  type Terminal,
  type WatchedPage,
} from './harness.ts';

const skip = browserUnavailable();

describe.skipIf(skip !== undefined)('trading terminal in chromium', () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await openTerminal();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  it('registers, signs in, places a limit order, sees it open and cancels it', async () => {
    const { page, problems }: WatchedPage = await newPage(t);
    await page.goto(t.url + '/');
    await page.getByRole('button', { name: 'Create an account' }).click();
    const form = page.getByRole('form', { name: 'Register' });
    await form.getByLabel('Username').fill('limit_trader');
    await form.getByLabel('Full name').fill('Limit Trader');
    await form.getByLabel('Email').fill('limit@example.com');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Register' }).click();
    await page.getByText('Account created').waitFor();
    await signIn(page, t, 'limit_trader');
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Limit Trader');

    // A buy far below the market rests on the book.
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity (shares)').fill('3');
    await ticket.getByLabel('Limit price (₹)').fill('3500.00');
    await expect
      .poll(() => page.getByTestId('order-estimate').textContent())
      .toContain('₹10,500.00');
    await ticket.getByLabel('Limit price (₹)').press('Enter');
    await page.getByTestId('order-placed').waitFor();
    const row = page.locator('[data-testid="open-orders"] tr[data-status="OPEN"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('3,500.00');
    await screenshot(page, 'trade-open-order');

    await row
      .first()
      .getByRole('button', { name: /Cancel order/ })
      .click();
    await expect.poll(() => row.count()).toBe(0);
    await page.getByRole('tab', { name: 'History' }).click();
    await page
      .locator('[data-testid="order-history"] tr[data-status="CANCELLED"]')
      .first()
      .waitFor();
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('fills a market order against the simulator and the portfolio follows without a reload', async () => {
    await registerUser(t, 'market_trader', 'Market Trader');
    const { page, problems } = await newPage(t);
    await signIn(page, t, 'market_trader');
    await page.getByRole('link', { name: 'Portfolio' }).click();
    const holdings = page.getByTestId('holdings');
    await holdings.waitFor();
    await expect.poll(() => page.getByTestId('cash-available').textContent()).toBe('₹1,00,000.00');
    await page.getByRole('link', { name: 'Trade' }).click();
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Order type').selectOption('MARKET');
    await ticket.getByLabel('Time in force').selectOption('IOC');
    await ticket.getByLabel('Quantity (shares)').fill('2');
    await ticket.getByRole('button', { name: /Buy TCS/ }).click();
    await expect
      .poll(() => page.getByTestId('order-placed').textContent(), { timeout: 10_000 })
      .toMatch(/filled/);
    await page.getByRole('link', { name: 'Portfolio' }).click();
    await expect
      .poll(() => page.locator('[data-testid="holdings"] [data-symbol="TCS"]').count())
      .toBe(1);
    const cash = await page.getByTestId('cash-available').textContent();
    expect(cash).not.toBe('₹1,00,000.00');
    await screenshot(page, 'portfolio');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
