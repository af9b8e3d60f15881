// The terminal on a phone (390×844, touch): the page is no wider than the screen, the nav folds
// behind Menu and its entries can be tapped, the chart has a real height, the ticket is reached
// and places an order, and the portfolio's figures are never clipped. Screenshots go to
// test-artifacts/phone-*.png.

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  POLL,
  browserUnavailable,
  expectCleanAndClose,
  openTerminal,
  screenshot,
  signedInPage,
  type Terminal,
} from './harness.ts';

const skip = browserUnavailable();
const PHONE = { width: 390, height: 844 };
const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };

/** Neither the document nor the page area scrolls sideways. */
async function widths(page: Page): Promise<{ document: number; content: number }> {
  return page.evaluate(`({
    document: document.documentElement.scrollWidth,
    content: document.querySelector('[data-testid="page"]').scrollWidth,
  })`);
}

/** On screen and the topmost control at its centre: a finger landing there reaches it. */
async function tappable(target: Locator): Promise<boolean> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (box === null) return false;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  if (x < 0 || y < 0 || x > PHONE.width || y > PHONE.height) return false;
  // Strings: the tests compile without the DOM's types, as terminal.test.ts does.
  const hit = await target
    .page()
    .evaluate<string | null>(
      `document.elementFromPoint(${x}, ${y})?.closest('a, button')?.textContent ?? null`,
    );
  return hit === (await target.textContent());
}

describe.skipIf(skip !== undefined)('the terminal on a phone', { timeout: 90_000 }, () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await openTerminal();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  it('fits the screen, folds the nav, shows the chart and places an order from the ticket', async () => {
    const watched = await signedInPage(t, 'phone_trader', 'Phone Trader', PHONE_CONTEXT);
    const { page } = watched;
    await page.getByTestId('watchlist').getByRole('button').first().waitFor();
    expect(await widths(page)).toEqual({ document: PHONE.width, content: PHONE.width });

    const chart = page.getByTestId('price-chart');
    await expect.poll(async () => (await chart.boundingBox())?.height ?? 0).toBeGreaterThan(150);
    await screenshot(page, 'phone-trade');

    // The pages and Log out wait behind Menu; opened, each can be tapped.
    const nav = page.getByRole('navigation', { name: 'Main' });
    const account = nav.getByRole('link', { name: 'Account' });
    const logOut = nav.getByRole('button', { name: 'Log out' });
    expect(await account.isVisible()).toBe(false);
    expect(await logOut.isVisible()).toBe(false);
    const menu = nav.getByRole('button', { name: 'Menu' });
    await menu.tap();
    expect(await nav.getByRole('button', { name: 'Close' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await tappable(account)).toBe(true);
    expect(await tappable(logOut)).toBe(true);
    await screenshot(page, 'phone-menu');
    await nav.getByRole('button', { name: 'Close' }).tap();
    expect(await account.isVisible()).toBe(false);
    await menu.tap();
    await account.focus();
    await page.keyboard.press('Escape');
    expect(await account.isVisible()).toBe(false);

    // The ticket follows the chart in the one column; a resting buy is placed from it.
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    const buy = ticket.getByRole('button', { name: /Buy TCS/ });
    expect(await tappable(buy)).toBe(true);
    await ticket.getByLabel('Quantity (shares)').fill('2');
    await ticket.getByLabel('Limit price (₹)').fill('3600.00');
    await buy.tap();
    await expect.poll(() => page.getByTestId('order-placed').textContent(), POLL).toMatch(/open/);
    const row = page.locator('[data-testid="open-orders"] tr[data-status="OPEN"]');
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('3,600.00');
    expect(await widths(page)).toEqual({ document: PHONE.width, content: PHONE.width });
    await screenshot(page, 'phone-ticket');
    await expectCleanAndClose(watched);
  });

  it('shows every portfolio figure whole and lets the user log out', async () => {
    const watched = await signedInPage(t, 'phone_saver', 'Phone Saver', PHONE_CONTEXT);
    const { page } = watched;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Menu' }).tap();
    await nav.getByRole('link', { name: 'Portfolio' }).tap();
    // Choosing a page folds the menu again.
    await expect.poll(() => nav.getByRole('link', { name: 'Portfolio' }).isVisible()).toBe(false);
    await expect
      .poll(() => page.getByTestId('cash-available').textContent(), POLL)
      .toBe('₹10,00,000.00');
    for (const id of ['total-value', 'cash-available', 'cash-held', 'unrealized', 'realized']) {
      const figure = page.getByTestId(id);
      const fit = await page.evaluate<{ scroll: number; client: number }>(`(() => {
        const e = document.querySelector('[data-testid="${id}"]');
        return { scroll: e.scrollWidth, client: e.clientWidth };
      })()`);
      expect(fit.scroll, id).toBeLessThanOrEqual(fit.client);
      const box = await figure.boundingBox();
      expect(box === null ? Infinity : box.x + box.width, id).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await widths(page)).toEqual({ document: PHONE.width, content: PHONE.width });
    await screenshot(page, 'phone-portfolio');

    await nav.getByRole('button', { name: 'Menu' }).tap();
    await nav.getByRole('link', { name: 'Account' }).tap();
    await page.getByTestId('profile-name').waitFor();
    expect(await widths(page)).toEqual({ document: PHONE.width, content: PHONE.width });
    await screenshot(page, 'phone-account');
    await nav.getByRole('button', { name: 'Menu' }).tap();
    await nav.getByRole('button', { name: 'Log out' }).tap();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await expectCleanAndClose(watched);
  });
});
