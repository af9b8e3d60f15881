// The Merkle explorer in chromium against a real exchange whose simulator bots fill the audit
// log: the log's tree drawn a window at a time, a clicked leaf's proof valid in the browser and
// on the server and invalid in both once tampered, paging and jumping, the signed head and a
// consistency proof checked in the browser, the same for a tree of typed data, and the admin's
// integrity check, ok and then naming a forged row; all under the strict CSP with no console
// errors (screenshots as artifacts).

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
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

/** Waits until a signed tree head covers more than `leaves` leaves. */
async function signedLeaves(t: Terminal, leaves: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${t.url}/api/audit/tree-head`);
    if (res.ok && ((await res.json()) as { tree_size: number }).tree_size > leaves) return;
    if (Date.now() > deadline) throw new Error(`no signed head over ${leaves} leaves in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function expectProof(page: Page, valid: boolean): Promise<void> {
  for (const id of ['browser-check', 'server-check']) {
    await expect
      .poll(() => page.getByTestId(id).getAttribute('data-valid'), POLL)
      .toBe(String(valid));
  }
}

describe.skipIf(skip !== undefined)('Merkle explorer in chromium', { timeout: 60_000 }, () => {
  let t: Terminal;
  // Our own database file, so the integrity test can forge a row in it from outside.
  const dbDir = mkdtempSync(join(tmpdir(), 'sse-merkle-db-'));
  const dbFile = join(dbDir, 'exchange.db');

  beforeAll(async () => {
    // A head a second, so the consistency check has several heads to choose from.
    t = await openTerminal({
      ADMIN_PASSWORD: FIRST_ADMIN_PASSWORD,
      AUDIT_TREE_HEAD_SECONDS: '1',
      DATABASE_URL: `sqlite:${dbFile}`,
    });
    await registerUser(t, 'auditor', 'Audit Reader');
    // The bots' orders and trades are appended to the log: wait for more than one window.
    await signedLeaves(t, 40);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('draws the audit log, verifies a clicked leaf twice and shows a tampered proof fail', async () => {
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'auditor');
    await page.getByRole('link', { name: 'Merkle' }).click();

    await expect
      .poll(() => page.getByTestId('head-signature').getAttribute('data-valid'), POLL)
      .toBe('true');
    const tree = page.getByTestId('merkle-tree');
    await tree.waitFor();
    await expect.poll(() => page.getByTestId('window-root').textContent(), POLL).toContain('✓');
    const size = Number(await page.getByTestId('head-size').textContent());
    // The newest window is drawn first: its leaves and the stub subtrees to its left.
    const last = size - 1;
    await tree.getByRole('button', { name: `leaf ${last}`, exact: true }).waitFor();
    expect(await tree.locator('rect').count()).toBeGreaterThan(0);

    await tree.getByRole('button', { name: `leaf ${last}`, exact: true }).click();
    await expectProof(page, true);
    expect(await tree.locator('[data-role="path"]').count()).toBeGreaterThan(2);
    const proofLength = await page.getByTestId('proof-hashes').locator('li').count();
    expect(await tree.locator('[data-role="sibling"]').count()).toBe(proofLength);

    await page.getByLabel(/Flip one bit/).check();
    await expectProof(page, false);
    expect(await page.getByTestId('server-check').textContent()).toContain(
      'the proof does not lead from the leaf to the root',
    );
    await screenshot(page, 'merkle-audit-tampered');
    await page.getByLabel(/Flip one bit/).uncheck();
    await expectProof(page, true);

    // Paging back one window, then jumping to a leaf far from it.
    const range = await page.getByTestId('window-range').textContent();
    await page.getByRole('button', { name: '‹ Previous' }).click();
    await expect.poll(() => page.getByTestId('window-range').textContent(), POLL).not.toBe(range);
    await page.getByLabel('Jump to leaf').fill('3');
    await page.getByRole('button', { name: 'Go' }).click();
    await expect
      .poll(() => page.getByTestId('window-range').textContent(), POLL)
      .toContain('leaves 0–31');
    await expect
      .poll(
        () =>
          tree.getByRole('button', { name: 'leaf 3', exact: true }).getAttribute('aria-pressed'),
        POLL,
      )
      .toBe('true');
    await expectProof(page, true);
    await expect.poll(() => page.getByTestId('window-root').textContent(), POLL).toContain('✓');

    await expect
      .poll(() => page.getByTestId('head-chain').getAttribute('data-ok'), POLL)
      .toBe('true');
    await page.getByRole('button', { name: 'Check consistency' }).click();
    await expect
      .poll(() => page.getByTestId('consistency-result').textContent(), POLL)
      .toContain('✓ browser');
    expect(await page.getByTestId('consistency-result').textContent()).toContain('✓ server');
    await screenshot(page, 'merkle-audit');

    await expectCleanAndClose(watched);
  });

  it('draws a tree of typed data and checks its proofs the same way', async () => {
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, 'auditor');
    const response = await page.goto(t.url + '/merkle');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('tab', { name: 'Your data' }).click();
    const items = Array.from({ length: 11 }, (_, i) => `<b>item ${i}</b>`).join('\n');
    await page.getByLabel('Items, one per line').fill(items);
    await page.getByRole('button', { name: 'Build tree' }).click();
    await expect
      .poll(() => page.getByTestId('data-root').textContent(), POLL)
      .toContain('11 leaves');
    const tree = page.getByTestId('merkle-tree');
    expect(await tree.getByRole('button', { name: /^leaf \d+$/ }).count()).toBe(11);

    await tree.getByRole('button', { name: 'leaf 10', exact: true }).click();
    await expectProof(page, true);
    // User data is text: the markup in an item is shown, never parsed.
    expect(await page.getByTestId('data-item').textContent()).toBe('<b>item 10</b>');
    expect(await page.locator('b').count()).toBe(0);
    await page.getByLabel(/Flip one bit/).check();
    await expectProof(page, false);

    // Hex items, one of which is not hex: refused before anything is sent.
    await page.getByLabel('Encoding').selectOption('hex');
    await page.getByLabel('Items, one per line').fill('00ff\nzz');
    await page.getByRole('button', { name: 'Build tree' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), POLL)
      .toContain('line 2 is not hex');
    await page.getByLabel('Items, one per line').fill('00ff\n0a0b0c');
    await page.getByRole('button', { name: 'Build tree' }).click();
    await expect
      .poll(() => page.getByTestId('data-root').textContent(), POLL)
      .toContain('2 leaves');
    await tree.getByRole('button', { name: 'leaf 0', exact: true }).click();
    await expectProof(page, true);
    await screenshot(page, 'merkle-data');

    await expectCleanAndClose(watched);
  });

  it("runs the administrator's integrity check, which names a row forged behind the log", async () => {
    await readyAdmin(t);
    const watched = await newPage(t);
    const { page } = watched;
    await signIn(page, t, ADMIN);
    await page.getByRole('link', { name: 'Merkle' }).click();
    const run = page.getByRole('button', { name: 'Run integrity check' });
    const result = page.getByTestId('integrity-result');
    await run.click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');

    // A security event written straight into the database, with no audit leaf for it.
    const db = new Database(dbFile);
    const forged = db
      .prepare(
        'INSERT INTO security_events (event_type, severity, description, created_at) VALUES (?, ?, ?, ?)',
      )
      .run('ip_blocked', 'LOW', 'forged', Date.now());
    db.close();
    await run.click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    expect(await result.textContent()).toContain(
      `security event ${forged.lastInsertRowid} has no audit leaf`,
    );
    await screenshot(page, 'merkle-integrity-failure');
    await expectCleanAndClose(watched);
  });
});
