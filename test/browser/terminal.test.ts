// The terminal in a real browser against a real exchange with its market-simulator bots:
// sign-up and sign-in, a limit order placed, seen and cancelled, a market order filling and
// the portfolio following without a reload, the depth ladder equal to the REST book at the same
// sequence, a hostile full name rendered inert, and every page under the strict CSP with no
// console errors (a screenshot of each goes to test-artifacts/).

import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../tools/api-client.ts';
import {
  PASSWORD,
  browserUnavailable,
  enrolMfa,
  expectCleanAndClose,
  newPage,
  openTerminal,
  registerUser,
  screenshot,
  signIn,
  type Terminal,
} from './harness.ts';

const skip = browserUnavailable();

describe.skipIf(skip !== undefined)('trading terminal in chromium', { timeout: 60_000 }, () => {
  let t: Terminal;

  beforeAll(async () => {
    // The XSS probe must reach the database to test output encoding: the IDS only logs here.
    t = await openTerminal({ IDS_ACTION: 'log' });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  it('registers, signs in, places a limit order, sees it open and cancels it', async () => {
    const watched = await newPage(t);
    const { page } = watched;
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
    await expectCleanAndClose(watched);
  });

  it('fills a market order against the simulator and the portfolio follows without a reload', async () => {
    await registerUser(t, 'market_trader', 'Market Trader');
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'market_trader');
    await page.getByRole('link', { name: 'Portfolio' }).click();
    const holdings = page.getByTestId('holdings');
    await holdings.waitFor();
    await expect.poll(() => page.getByTestId('cash-available').textContent()).toBe('₹10,00,000.00');
    await page.getByRole('link', { name: 'Trade' }).click();
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Order type').selectOption('MARKET');
    // A market order cannot rest: the ticket switches GTC to IOC by itself.
    expect(await ticket.getByLabel('Time in force').inputValue()).toBe('IOC');
    await ticket.getByLabel('Quantity (shares)').fill('2');
    await ticket.getByRole('button', { name: /Buy TCS/ }).click();
    await expect
      .poll(() => page.getByTestId('order-placed').textContent(), { timeout: 10_000 })
      .toMatch(/filled/);
    await page.getByRole('link', { name: 'Portfolio' }).click();
    const tcs = page.locator('[data-testid="holdings"] [data-symbol="TCS"]');
    await expect.poll(() => tcs.count()).toBe(1);
    const cash = await page.getByTestId('cash-available').textContent();
    expect(cash).not.toBe('₹10,00,000.00');
    // With the portfolio open, another market buy (by a bot of the same user, over the API)
    // shows up live: shares and cash move without a reload.
    const quantityBefore = await tcs.locator('td').nth(1).textContent();
    const login = (await (
      await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'market_trader', password: PASSWORD }),
      })
    ).json()) as { access_token: string };
    const placed = await fetch(`${t.url}/api/trading/order`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${login.access_token}`,
      },
      body: JSON.stringify({
        symbol: 'TCS',
        order_type: 'BUY',
        order_mode: 'MARKET',
        quantity: 3,
        time_in_force: 'IOC',
      }),
    });
    expect(placed.status).toBe(201);
    await expect.poll(() => tcs.locator('td').nth(1).textContent()).not.toBe(quantityBefore);
    await expect.poll(() => page.getByTestId('cash-available').textContent()).not.toBe(cash);
    await screenshot(page, 'portfolio');
    await expectCleanAndClose(watched);
  });

  it('shows the same depth ladder as GET /api/market/stock/TCS/orderbook at the same sequence', async () => {
    await registerUser(t, 'book_watcher', 'Book Watcher');
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'book_watcher');
    const ladder = page.getByTestId('depth-ladder');
    await ladder.locator('tr[data-price]').first().waitFor();
    let compared = false;
    for (let attempt = 0; attempt < 100 && !compared; attempt++) {
      // One read of the DOM, so the sequence and the levels belong together.
      const shown = await page.evaluate(`(() => {
        const sequence = document.querySelector('[data-testid="book-sequence"]').dataset.sequence;
        const side = (name) => [...document.querySelectorAll('[data-testid="depth-ladder"] tbody[data-side="' + name + '"] tr[data-price]')]
          .map((row) => [row.dataset.price, Number(row.dataset.quantity)]);
        return { sequence: Number(sequence), bids: side('BUY'), asks: side('SELL').reverse() };
      })()`);
      const view = shown as {
        sequence: number;
        bids: [string, number][];
        asks: [string, number][];
      };
      const rest = (await (
        await fetch(`${t.url}/api/market/stock/TCS/orderbook?depth=12`)
      ).json()) as { sequence: number; bids: [string, number][]; asks: [string, number][] };
      if (rest.sequence === view.sequence) {
        expect(view.bids).toEqual(rest.bids);
        expect(view.asks).toEqual(rest.asks);
        expect(view.bids.length + view.asks.length).toBeGreaterThan(0);
        compared = true;
      } else await new Promise((r) => setTimeout(r, 50));
    }
    expect(compared).toBe(true);
    await expectCleanAndClose(watched);
  });

  it('renders a hostile full name as text on every page that shows it', async () => {
    const probe = '<img src=x onerror="window.__xss=1">';
    await registerUser(t, 'xss_probe', probe);
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'xss_probe');
    for (const name of ['Trade', 'Portfolio', 'System', 'Merkle', 'Account']) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'attached' });
      expect(await page.getByTestId('user-name').textContent()).toBe(probe);
      if (name === 'Account')
        expect(await page.getByTestId('profile-name').textContent()).toBe(probe);
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
    }
    await expectCleanAndClose(watched);
  });

  it('loads every page under the strict CSP with no console errors, and survives a reload', async () => {
    // The first admin login must change the password before anything else.
    const watched = await newPage(t);
    const { page } = watched;
    const response = await page.goto(t.url + '/');
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin browser passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const change = page.getByRole('form', { name: 'Change password' });
    await change.waitFor();
    await screenshot(page, 'forced-password-change');
    await change.getByLabel('Current password').fill('admin browser passphrase');
    await change.getByLabel('New password', { exact: true }).fill('violet tractor umbrella 4172');
    await change.getByLabel('Repeat the new password').fill('violet tractor umbrella 4172');
    await change.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    const pages: [string, string][] = [
      ['Trade', 'trade'],
      ['Portfolio', 'portfolio'],
      ['System', 'system'],
      ['Merkle', 'merkle'],
      ['Security', 'security'],
      ['Account', 'account'],
    ];
    for (const [name, file] of pages) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'attached' });
      if (name === 'Trade')
        await page.getByTestId('depth-ladder').locator('tr[data-price]').first().waitFor();
      if (name === 'System') {
        await expect.poll(() => page.getByTestId('health-status').textContent()).toBe('ok');
        await expect.poll(() => page.getByTestId('ws-state').textContent()).toBe('open');
      }
      await screenshot(page, file);
    }
    // The same screen at 1920x1080.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByRole('link', { name: 'Trade', exact: true }).click();
    await page.getByTestId('depth-ladder').locator('tr[data-price]').first().waitFor();
    await screenshot(page, 'trade-1920x1080');
    await page.setViewportSize({ width: 1280, height: 800 });
    // A reload signs in again from the cookie: the page never shows the sign-in form.
    await page.getByRole('link', { name: 'Portfolio', exact: true }).click();
    await page.reload();
    await page.getByTestId('cash-available').waitFor();
    expect(await page.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'sse_refresh')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate('document.cookie')).not.toContain('sse_refresh');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await expectCleanAndClose(watched);
  });

  it('reconnects by itself after the server restarts: live again, book resynced, still signed in', async () => {
    await registerUser(t, 'restart_watcher', 'Restart Watcher');
    const { page } = await newPage(t);
    await signIn(page, t, 'restart_watcher');
    const sequence = page.getByTestId('book-sequence');
    await page.getByTestId('depth-ladder').locator('tr[data-price]').first().waitFor();
    const before = Number(await sequence.getAttribute('data-sequence'));
    await t.restart();
    await expect
      .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 45_000 })
      .toBe('open');
    // The bots trade again after the restart, so the resynced book moves past where it was.
    await expect
      .poll(async () => Number(await sequence.getAttribute('data-sequence')), { timeout: 45_000 })
      .toBeGreaterThan(before);
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Restart Watcher');
    // The private stream is back too: a new order shows up in the open orders.
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity (shares)').fill('1');
    await ticket.getByLabel('Limit price (₹)').fill('3600.00');
    await ticket.getByLabel('Limit price (₹)').press('Enter');
    await page.locator('[data-testid="open-orders"] tr[data-status="OPEN"]').first().waitFor();
    await page.context().close();
  }, 180_000); // a stop and a start (up to 60 s) on a loaded CI machine

  it('enrols MFA, signs in with a recovery code, and makes, uses and revokes a browser-made API key', async () => {
    await registerUser(t, 'mfa_user', 'Mfa User');
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'mfa_user');
    const codes = await enrolMfa(page);
    expect(codes).toHaveLength(10);

    // A key pair made in the browser: the private key is downloaded, the public key registered.
    const keys = page.getByRole('form', { name: 'New API key' });
    const download = page.waitForEvent('download');
    await keys.getByRole('button', { name: 'Generate a key pair in the browser' }).click();
    const pemPath = await (await download).path();
    const privatePem = readFileSync(pemPath, 'utf8');
    expect(privatePem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(await keys.getByLabel(/Public key/).inputValue()).toContain(
      '-----BEGIN PUBLIC KEY-----',
    );
    await keys.getByLabel('Label').fill('browser bot');
    // A key outlives the session: the password again, and with MFA on a code (here a recovery code).
    await keys.getByLabel('Your password').fill(PASSWORD);
    await keys.getByLabel('Authenticator or recovery code').fill(codes[1] ?? '');
    await keys.getByRole('button', { name: 'Register the public key' }).click();
    const keyId =
      (await page
        .getByText(/^Key ak_/)
        .locator('code')
        .textContent()) ?? '';
    expect(keyId).toMatch(/^ak_/);
    expect(await page.getByTestId('signing-example').textContent()).toContain(keyId);
    const signedMe = async () => {
      const headers = signRequest(
        { keyId, privateKey: createPrivateKey(privatePem) },
        { method: 'GET', url: '/api/auth/me' },
      );
      return fetch(`${t.url}/api/auth/me`, { headers });
    };
    const me = await signedMe();
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('mfa_user');
    await page.getByRole('button', { name: 'Revoke browser bot' }).click();
    await page.getByTestId('api-keys').getByText('revoked').waitFor();
    expect((await signedMe()).status).toBe(401);
    // Both are in the account's own security activity.
    await page.getByRole('link', { name: 'Trade', exact: true }).click();
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    const activity = page.getByTestId('account-activity');
    await activity.locator('[data-type="api_key_revoked"]').waitFor();
    await activity.locator('[data-type="api_key_created"]').waitFor();

    // Signing in again takes the second step; a recovery code passes it.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill('mfa_user');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const step = page.getByRole('form', { name: 'Two-factor code' });
    await step.getByLabel('Authenticator code or recovery code').fill(codes[0] ?? '');
    await step.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Mfa User');
    await expectCleanAndClose(watched);
  });
});
