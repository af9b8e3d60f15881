// The security dashboard in chromium: an administrator watches a burst of failed logins from
// one address (203.0.113.7, believed from X-Forwarded-For because the test's loopback is a
// trusted proxy) arrive live in the event feed, the address blocked, and unblocks it from the
// dashboard; blocks by hand, downloads the CSV report, and every attacker string is inert text.
// A user who is not an administrator gets no dashboard. Strict CSP, no console errors.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
import { ADMIN, FIRST_ADMIN_PASSWORD, readyAdmin } from './support-admin.ts';

const skip = browserUnavailable();
const ATTACKER = '203.0.113.7';
const PROBE = '<img src=x onerror="window.__xss=1">';

async function attackerLogin(t: Terminal, username: string): Promise<number> {
  const res = await fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ATTACKER },
    body: JSON.stringify({ username, password: 'not the password at all' }),
  });
  return res.status;
}

describe.skipIf(skip !== undefined)('security dashboard in chromium', { timeout: 60_000 }, () => {
  let t: Terminal;
  let token: string;

  beforeAll(async () => {
    t = await openTerminal({
      ADMIN_PASSWORD: FIRST_ADMIN_PASSWORD,
      TRUSTED_PROXIES: '127.0.0.1',
      BRUTE_FORCE_THRESHOLD: '3',
      LOGIN_RATE_LIMIT: '20',
      // The markup probe must reach the login (and the event log) to test output encoding.
      IDS_ACTION: 'log',
      SIMULATOR: 'off',
    });
    token = await readyAdmin(t);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  async function blockedIps(): Promise<string[]> {
    const res = await fetch(`${t.url}/api/security/blocked-ips`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { blocked_ips: { ip: string }[] }).blocked_ips.map((b) => b.ip);
  }

  it('shows a brute-force burst live, and unblocks the address from the dashboard', async () => {
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, ADMIN);
    await page.getByRole('link', { name: 'Security' }).click();
    await expect
      .poll(() => page.getByTestId('posture').getAttribute('data-status'), POLL)
      .toBe('SECURE');
    await page.getByTestId('no-blocks').waitFor();

    // The burst, from another address, while the page stays open (no reload).
    const statuses: number[] = [];
    statuses.push(await attackerLogin(t, PROBE));
    for (let i = 0; i < 3; i++) statuses.push(await attackerLogin(t, 'mallory'));
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[3]).not.toBe(401); // blocked by then

    const feed = page.getByTestId('event-feed');
    const blockEvent = feed.locator('tr[data-type="authn_login_fail_max"]', { hasText: ATTACKER });
    await blockEvent.first().waitFor({ timeout: 10_000 });
    expect(await blockEvent.first().textContent()).toContain('HIGH');
    await expect
      .poll(() => page.getByTestId('posture').getAttribute('data-status'), POLL)
      .not.toBe('SECURE');
    const listed = page.getByTestId('blocked-ips').locator(`li[data-ip="${ATTACKER}"]`);
    await listed.waitFor();
    expect(await blockedIps()).toContain(ATTACKER);

    // The probe's markup is shown as text, never run or parsed.
    const probe = feed.locator('tr', { hasText: 'onerror' });
    await probe.first().waitFor();
    expect(await feed.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();

    // Filters: by text and by type.
    await page.getByLabel('Text').fill('mallory');
    await expect.poll(() => feed.locator('tbody tr').count(), POLL).toBeGreaterThan(0);
    for (const row of await feed.locator('tbody tr').all()) {
      expect((await row.textContent())?.toLowerCase()).toContain('mallory');
    }
    await page.getByLabel('Text').fill('');
    await page.getByLabel('Type').selectOption('authn_login_fail_max');
    expect(await feed.locator('tbody tr:not([data-type="authn_login_fail_max"])').count()).toBe(0);
    await page.getByLabel('Type').selectOption('');
    await screenshot(page, 'security-under-attack');

    await page.getByRole('button', { name: `Unblock ${ATTACKER}` }).click();
    await listed.waitFor({ state: 'detached' });
    expect(await blockedIps()).not.toContain(ATTACKER);
    await feed.locator('tr[data-type="ip_unblocked"]', { hasText: ATTACKER }).first().waitFor();
    expect(await attackerLogin(t, 'mallory')).toBe(401); // heard again, not blocked

    await expectCleanAndClose(watched);
  });

  it('blocks an address by hand and downloads the CSV report', async () => {
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, ADMIN);
    const response = await page.goto(t.url + '/security');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('posture').waitFor();

    const form = page.getByRole('form', { name: 'Block an address' });
    await form.getByLabel('Address').fill('198.51.100.9');
    await form.getByLabel('Minutes').fill('5');
    await form.getByLabel('Reason').fill('scanning the order API');
    await form.getByRole('button', { name: 'Block' }).click();
    await page.getByTestId('blocked-ips').locator('li[data-ip="198.51.100.9"]').waitFor();
    expect(await blockedIps()).toContain('198.51.100.9');
    expect(await page.getByTestId('blocked-ips').textContent()).toContain('scanning the order API');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download report' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^security-report-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
    const csv = readFileSync(await file.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'id,timestamp,type,severity,source_ip,user_id,description,details',
    );
    expect(csv).toContain('"ip_blocked"');
    await page.getByTestId('report-saved').waitFor();
    await screenshot(page, 'security-dashboard');

    await expectCleanAndClose(watched);
  });

  it('warns before a block that locks the administrator out, and sends it only once confirmed', async () => {
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, ADMIN);
    await page.goto(t.url + '/security');
    await page.getByTestId('posture').waitFor();

    const form = page.getByRole('form', { name: 'Block an address' });
    const warning = page.getByTestId('lockout-warning');
    const loopback = '0:0:0:0::/64'; // ::1, keyed by its /64
    await form.getByLabel('Address').fill('::1');
    await form.getByLabel('Minutes').fill('5');
    await form.getByLabel('Reason').fill('one click too many');
    await form.getByRole('button', { name: 'Block' }).click();
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      'This is your own address / loopback — blocking it locks you out',
    );
    expect(await blockedIps()).not.toContain(loopback);
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await warning.waitFor({ state: 'detached' });
    expect(await blockedIps()).not.toContain(loopback);

    await form.getByRole('button', { name: 'Block' }).click();
    await warning.getByRole('button', { name: 'Block anyway and lock me out' }).click();
    await page.getByTestId('blocked-ips').locator(`li[data-ip="${loopback}"]`).waitFor();
    expect(await blockedIps()).toContain(loopback);
    const lift = await fetch(`${t.url}/api/security/unblock-ip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ip: '::1' }),
    });
    expect(lift.status).toBe(200);

    // The browser logs each refusal the warning explained (two 422s); nothing else may appear.
    const refusals = watched.problems.filter((p) => p.includes('status of 422'));
    expect(refusals).toHaveLength(2);
    const others = watched.problems.filter((p) => !refusals.includes(p));
    await expectCleanAndClose({ ...watched, problems: others });
  });

  it('has no dashboard for a user who is not an administrator', async () => {
    await registerUser(t, 'plain_user', 'Plain User');
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'plain_user');
    expect(await page.getByRole('link', { name: 'Security' }).count()).toBe(0);
    await page.goto(t.url + '/security');
    await page.getByRole('heading', { name: 'No such page' }).waitFor();
    await expectCleanAndClose(watched);
  });
});
