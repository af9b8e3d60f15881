// One exchange (simulator on) and one headless Debian chromium per browser test file, plus the
// page helpers the tests share: a signed-in page that records console errors and CSP
// violations, the clean end every page test checks, and screenshots under test-artifacts/.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { fromBase32, totpCode } from '../../src/auth/totp.ts';
import { buildWeb, webBuildIsStale } from '../../tools/build-web.ts';
import {
  ROOT,
  freePort,
  postJson,
  runServer,
  waitForHealth,
  type Running,
} from '../support/process.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const PASSWORD = 'browser test passphrase';
/** The machine may be busy: UI checks get more than expect.poll's default second. */
export const POLL = { timeout: 15_000 };

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI a missing
 * chromium is a failure, not a skip.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`CI requires ${CHROMIUM}: ${reason}`);
  console.warn(reason);
  return reason;
}

export interface Terminal {
  url: string;
  port: number;
  browser: Browser;
  server: Running;
  /** Stops the exchange and starts it again on the same port and data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function openTerminal(env: Record<string, string> = {}): Promise<Terminal> {
  if (webBuildIsStale()) await buildWeb();
  const dir = mkdtempSync(join(tmpdir(), 'sse-browser-'));
  const port = await freePort();
  const serverEnv = {
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    LOG_FILE: 'off',
    SECURITY_LOG_FILE: 'off',
    LOG_LEVEL: 'warn',
    ADMIN_PASSWORD: 'admin browser passphrase',
    // One address makes every request of the test: lift the limits as test/support does.
    API_RATE_LIMIT: '10000000',
    API_BURST_LIMIT: '100000',
    LOGIN_RATE_LIMIT: '1000000',
    BRUTE_FORCE_THRESHOLD: '1000000',
    WS_MAX_CONNECTIONS_PER_IP: '10000',
    WS_MAX_CONNECTIONS_PER_USER: '10000',
    WS_UPGRADE_RATE_LIMIT: '1000000',
    SIMULATOR: 'on',
    SIMULATOR_INTERVAL_MS: '300',
    WS_HEARTBEAT_INTERVAL: '5',
    ...env,
  };
  let server = runServer(serverEnv);
  await waitForHealth(port, server);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox'],
    headless: true,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    browser,
    get server() {
      return server;
    },
    async restart() {
      await server.stop('SIGTERM');
      server = runServer(serverEnv);
      await waitForHealth(port, server);
    },
    async close() {
      await browser.close();
      await server.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers through the API (the browser test of registration is in the order flow). */
export async function registerUser(t: Terminal, username: string, fullName: string): Promise<void> {
  const res = await postJson(t.url, '/api/auth/register', {
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
    full_name: fullName,
  });
  if (res.status !== 201)
    throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

/** A desktop-sized page unless `options` say otherwise (a phone's viewport and touch). */
export async function newPage(
  t: Terminal,
  options: BrowserContextOptions = { viewport: { width: 1280, height: 800 } },
): Promise<WatchedPage> {
  const context = await t.browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Runs before the page's own scripts (injected by the browser, so CSP does not apply to it).
  await page.addInitScript({
    content: `window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  return { page, context, problems };
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__csp ?? []');
}

/** The end of every page test: no console error, no CSP violation; then the context closes. */
export async function expectCleanAndClose({ page, context, problems }: WatchedPage): Promise<void> {
  expect(problems).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
  await context.close();
}

export async function signIn(page: Page, t: Terminal, username: string): Promise<void> {
  await page.goto(t.url + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Turns on MFA from the Account page with a code from the shown secret; the recovery codes. */
export async function enrolMfa(page: Page): Promise<string[]> {
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const confirm = page.getByRole('form', { name: 'Confirm two-factor code' });
  await confirm.waitFor();
  expect(await page.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(
    /^data:image\/png;base64,/,
  );
  const secret = (await confirm.locator('code').textContent()) ?? '';
  await confirm
    .getByLabel('Code from the app')
    .fill(totpCode({ secret: fromBase32(secret) }, Date.now()));
  await confirm.getByRole('button', { name: 'Turn on' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  return page.getByTestId('recovery-codes').locator('li').allTextContents();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** A new user, registered through the API and signed in on a new page. */
export async function signedInPage(
  t: Terminal,
  username: string,
  fullName: string,
  options?: BrowserContextOptions,
): Promise<WatchedPage> {
  await registerUser(t, username, fullName);
  const watched = await newPage(t, options);
  await signIn(watched.page, t, username);
  return watched;
}
