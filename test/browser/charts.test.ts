// What a newcomer to the terminal looks for first, in chromium against a real exchange with its
// simulator bots: the depth chart beside the ladder (bid and ask areas, a hover read-out), the
// volume pane and OHLC legend on the price chart, their own resting order marked on the ladder,
// recovery codes copied (or selected for a manual copy) and downloaded, an API key form that
// starts empty after a key is registered, and a wide Merkle tree that fits or scrolls inside its
// panel, never clipped (screenshots as test-artifacts/charts-*.png).

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandleBar } from '../../web/src/live/messages.ts';
import { price as shownPrice, shares } from '../../web/src/money.ts';
import {
  PASSWORD,
  POLL,
  browserUnavailable,
  enrolMfa,
  expectCleanAndClose,
  newPage,
  openTerminal,
  registerUser,
  screenshot,
  signIn,
  type Terminal,
  type WatchedPage,
} from './harness.ts';

const skip = browserUnavailable();

/** The price chart's panes (lightweight-charts draws each as a table row of canvases). */
const PANES = `[...document.querySelectorAll('[data-testid="price-chart"] table tr')]
  .filter((tr) => tr.children.length === 3 && tr.querySelectorAll('canvas').length >= 4)`;

/** Coloured (up or down) pixels drawn in the volume pane, the price chart's last pane. */
async function volumePixels(page: Page): Promise<number> {
  return page.evaluate<number>(`(() => {
    const panes = ${PANES};
    const canvas = panes.at(-1).children[1].querySelector('canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g] = [data[i], data[i + 1]];
      if ((g > 90 && g > r + 40) || (r > 120 && r > g + 50)) coloured++;
    }
    return coloured;
  })()`);
}

describe.skipIf(skip !== undefined)('charts and what users trip over', { timeout: 90_000 }, () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await openTerminal();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A new user, signed in on a page of their own. */
  async function userPage(username: string, fullName: string): Promise<WatchedPage> {
    await registerUser(t, username, fullName);
    const watched = await newPage(t);
    await signIn(watched.page, t, username);
    return watched;
  }

  it('draws the depth chart beside the ladder and marks the user’s own resting order', async () => {
    const watched = await userPage('depth_watcher', 'Depth Watcher');
    const { page } = watched;
    const ladder = page.getByTestId('depth-ladder');
    await ladder.locator('tbody[data-side="BUY"] tr[data-price]').nth(1).waitFor();

    // Both sides drawn as closed areas, the mid marked, and a read-out under the pointer.
    const chart = page.getByTestId('depth-chart');
    for (const id of ['depth-bids', 'depth-asks'])
      await expect.poll(() => chart.getByTestId(id).getAttribute('d'), POLL).toMatch(/^M.*Z$/);
    expect(await chart.getByTestId('depth-mid').count()).toBe(1);
    expect(await chart.getByTestId('depth-readout').textContent()).toMatch(
      /mid [\d,]+\.\d\d · spread [\d,]+\.\d\d/,
    );
    const box = await chart.boundingBox();
    if (box === null) throw new Error('depth chart not laid out');
    expect(box.width).toBeGreaterThan(150);
    expect(box.height).toBeGreaterThan(100);
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.7);
    await expect
      .poll(() => chart.getByTestId('depth-readout').textContent(), POLL)
      .toMatch(/^Bids ≥ [\d,]+\.\d\d: [\d,]+ shares$/);
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.7);
    await expect
      .poll(() => chart.getByTestId('depth-readout').textContent(), POLL)
      .toMatch(/^Asks ≤ [\d,]+\.\d\d: [\d,]+ shares$/);

    // A buy resting at the second bid level: the ladder marks it with the user's 3 shares.
    const level = ladder.locator('tbody[data-side="BUY"] tr[data-price]').nth(1);
    const price = (await level.getAttribute('data-price')) ?? '';
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity (shares)').fill('3');
    await ticket.getByLabel('Limit price (₹)').fill(price);
    await ticket.getByLabel('Limit price (₹)').press('Enter');
    await page.getByTestId('order-placed').waitFor();
    const mine = ladder.locator(`tbody[data-side="BUY"] tr[data-price="${price}"]`);
    await expect.poll(() => mine.getAttribute('data-own'), POLL).toBe('3');
    expect(await mine.getByTestId('own-quantity').textContent()).toBe('• 3');
    expect(await ladder.locator('tr[data-own]').count()).toBe(1);
    await page.mouse.move(0, 0);
    await screenshot(page, 'charts-trade');

    // Cancelled, the mark goes.
    await page
      .locator('[data-testid="open-orders"] tr[data-status="OPEN"]')
      .first()
      .getByRole('button', { name: /Cancel order/ })
      .click();
    await expect.poll(() => ladder.locator('tr[data-own]').count(), POLL).toBe(0);

    // A panel too short for both has tabs: the chart or the ladder, one at a time.
    expect(await page.getByRole('tablist', { name: 'Book view' }).count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 640 });
    const tabs = page.getByRole('tablist', { name: 'Book view' });
    await tabs.waitFor();
    await tabs.getByRole('tab', { name: 'Depth' }).click();
    await expect.poll(() => ladder.count(), POLL).toBe(0);
    await expect.poll(() => chart.getByTestId('depth-asks').getAttribute('d'), POLL).toMatch(/Z$/);
    await screenshot(page, 'charts-book-tabs');
    await tabs.getByRole('tab', { name: 'Order book' }).click();
    await ladder.locator('tr[data-price]').first().waitFor();
    expect(await chart.count()).toBe(0);
    await expectCleanAndClose(watched);
  });

  it('shows a volume pane under the candles and an OHLC legend of the latest candle', async () => {
    const watched = await userPage('candle_watcher', 'Candle Watcher');
    const { page } = watched;
    const legend = page.getByTestId('ohlc-legend');
    await legend.waitFor();
    expect(await page.evaluate<number>(`${PANES}.length`)).toBe(2);
    await expect.poll(() => volumePixels(page), POLL).toBeGreaterThan(20);

    // Not hovering, the legend reads the newest candle, as REST has it (bots keep trading, so
    // read both until they agree).
    const field = async (label: string) =>
      (await legend.locator(`[data-field="${label}"]`).textContent())?.slice(2);
    let agreed = false;
    for (let attempt = 0; attempt < 60 && !agreed; attempt++) {
      const { candles } = (await (
        await fetch(`${t.url}/api/market/stock/TCS/candles?interval=1m&limit=1`)
      ).json()) as { candles: CandleBar[] };
      const latest = candles.at(-1);
      if (latest === undefined) throw new Error('no candle for TCS');
      const shown = [await field('O'), await field('C'), await field('V')];
      const rest = [shownPrice(latest.open), shownPrice(latest.close), shares(latest.volume)];
      if (JSON.stringify(shown) === JSON.stringify(rest)) agreed = true;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(agreed).toBe(true);
    expect(await legend.textContent()).toMatch(
      /^O [\d,]+\.\d\dH [\d,]+\.\d\dL [\d,]+\.\d\dC [\d,]+\.\d\dV [\d,]+[+−]?[\d,]+\.\d\d \([+−]?\d+\.\d\d%\)$/,
    );

    // Hovering a candle reads that candle.
    const chart = await page.getByTestId('price-chart').boundingBox();
    if (chart === null) throw new Error('price chart not laid out');
    const times = new Set(
      (
        (await (await fetch(`${t.url}/api/market/stock/TCS/candles?interval=1m`)).json()) as {
          candles: CandleBar[];
        }
      ).candles.map((c) => String(c.time)),
    );
    await page.mouse.move(chart.x + chart.width * 0.5, chart.y + chart.height * 0.4);
    await expect.poll(() => legend.getAttribute('data-time'), POLL).not.toBeNull();
    expect(times.has((await legend.getAttribute('data-time')) ?? '')).toBe(true);
    await screenshot(page, 'charts-price-hover');

    // The charts at phone width: both still drawn, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.mouse.move(0, 0);
    // On a phone the book panel can be short enough that the depth chart sits behind its tab.
    const bookTabs = page.getByRole('tablist', { name: 'Book view' });
    const depthChart = page.getByTestId('depth-chart');
    await expect
      .poll(async () => {
        if (await bookTabs.isVisible()) await bookTabs.getByRole('tab', { name: 'Depth' }).click();
        return (await depthChart.boundingBox())?.width ?? 0;
      }, POLL)
      .toBeGreaterThan(100);
    await depthChart.scrollIntoViewIfNeeded();
    await screenshot(page, 'charts-trade-390');
    await expectCleanAndClose(watched);
  });

  it('copies and downloads the recovery codes', async () => {
    const watched = await userPage('codes_keeper', 'Codes Keeper');
    const { page, context } = watched;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const codes = await enrolMfa(page);
    expect(codes).toHaveLength(10);

    const panel = page.getByRole('region', { name: 'Recovery codes' });
    await panel.getByRole('button', { name: 'Copy all' }).click();
    await expect
      .poll(() => panel.getByTestId('recovery-copy-status').textContent(), POLL)
      .toBe('All 10 codes copied.');
    expect(await panel.getByRole('button', { name: 'Copied ✓' }).count()).toBe(1);
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(codes.join('\n'));

    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download .txt' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('recovery-codes-codes_keeper.txt');
    const lines = readFileSync(await file.path(), 'utf8').split('\n');
    expect(lines[0]).toMatch(/^Two-factor recovery codes for codes_keeper at 127\.0\.0\.1:\d+$/);
    expect(lines.filter((line) => codes.includes(line))).toEqual(codes);
    await screenshot(page, 'charts-recovery-codes');
    await expectCleanAndClose(watched);
  });

  it('selects the recovery codes for a manual copy when the browser refuses to copy', async () => {
    await registerUser(t, 'codes_by_hand', 'Codes By Hand');
    const watched = await newPage(t);
    const { page } = watched;
    // A browser on plain HTTP has no Clipboard API; here the selection copy is refused too.
    await page.addInitScript({
      content: `Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
        document.execCommand = () => false;`,
    });
    await signIn(page, t, 'codes_by_hand');
    const codes = await enrolMfa(page);
    const panel = page.getByRole('region', { name: 'Recovery codes' });
    await panel.getByRole('button', { name: 'Copy all' }).click();
    await expect
      .poll(() => panel.getByTestId('recovery-copy-status').textContent(), POLL)
      .toMatch(/refused to copy: the codes are selected, press Ctrl\+C/);
    const selected = await page.evaluate<string>('String(window.getSelection())');
    for (const code of codes) expect(selected).toContain(code);
    await expectCleanAndClose(watched);
  });

  it('empties the API key form once a key is registered and keeps the key notice until dismissed', async () => {
    const watched = await userPage('key_maker', 'Key Maker');
    const { page } = watched;
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    const form = page.getByRole('form', { name: 'New API key' });
    const generated = page.waitForEvent('download');
    await form.getByRole('button', { name: 'Generate a key pair in the browser' }).click();
    await generated;
    await form.getByLabel('Label').fill('first bot');
    await form.getByLabel('May trade').check();
    await form.getByLabel('Your password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Register the public key' }).click();
    const notice = page.getByRole('status').filter({ hasText: /^Key ak_/ });
    await notice.waitFor();

    expect(await form.getByLabel('Label').inputValue()).toBe('');
    expect(await form.getByLabel(/Public key/).inputValue()).toBe('');
    expect(await form.getByLabel('Your password').inputValue()).toBe('');
    expect(await form.getByLabel('May trade').isChecked()).toBe(false);
    // The private key made for it can still be saved again, until the notice is dismissed.
    const again = page.waitForEvent('download');
    await notice.getByRole('button', { name: 'Download again' }).click();
    expect(readFileSync(await (await again).path(), 'utf8')).toContain('BEGIN PRIVATE KEY');
    await screenshot(page, 'charts-api-key-registered');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => notice.count(), POLL).toBe(0);
    expect(await page.getByTestId('api-keys').getByText('first bot').count()).toBe(1);
    await expectCleanAndClose(watched);
  });

  it('fits a wide Merkle tree in its panel, or scrolls it there, never clipping it', async () => {
    const watched = await userPage('tree_viewer', 'Tree Viewer');
    const { page } = watched;
    await page.getByRole('link', { name: 'Merkle', exact: true }).click();
    await page.getByRole('tab', { name: 'Your data' }).click();
    const items = Array.from({ length: 64 }, (_, i) => `item ${i}`).join('\n');
    await page.getByLabel('Items, one per line').fill(items);
    await page.getByRole('button', { name: 'Build tree' }).click();
    await expect
      .poll(() => page.getByTestId('data-root').textContent(), POLL)
      .toMatch(/^64 leaves/);

    const geometry = () =>
      page.evaluate<{
        left: number;
        right: number;
        scrollWidth: number;
        clientWidth: number;
        svgRight: number;
        svgLeft: number;
      }>(`(() => {
        const scroller = document.querySelector('[data-testid="merkle-tree-scroller"]');
        const svg = scroller.querySelector('svg').getBoundingClientRect();
        const box = scroller.getBoundingClientRect();
        return { left: box.left, right: box.right, scrollWidth: scroller.scrollWidth,
          clientWidth: scroller.clientWidth, svgLeft: svg.left, svgRight: svg.right };
      })()`);
    // 1280 wide: the 32-leaf window fits the panel as it is.
    await expect
      .poll(async () => {
        const g = await geometry();
        return g.scrollWidth <= g.clientWidth && g.svgRight <= g.right + 0.5;
      }, POLL)
      .toBe(true);
    await screenshot(page, 'charts-merkle-1280');

    // 390 wide: the window cannot fit; it scrolls inside the panel, says so, and its right end
    // is reached by scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(async () => {
        const g = await geometry();
        return g.scrollWidth > g.clientWidth && g.svgRight - g.svgLeft <= g.scrollWidth + 0.5;
      }, POLL)
      .toBe(true);
    await page.getByText('Scroll sideways for the rest of this window').waitFor();
    await page.evaluate(
      `document.querySelector('[data-testid="merkle-tree-scroller"]').scrollLeft = 1e6`,
    );
    const end = await geometry();
    expect(end.svgRight).toBeLessThanOrEqual(end.right + 0.5);
    expect(end.svgRight).toBeGreaterThan(end.right - 1);
    // A leaf jumped to out of sight is scrolled into view.
    await page.evaluate(
      `document.querySelector('[data-testid="merkle-tree-scroller"]').scrollLeft = 0`,
    );
    await page.getByLabel('Jump to leaf').fill('30');
    await page.getByRole('button', { name: 'Go' }).click();
    const leaf = page.getByRole('button', { name: 'leaf 30', exact: true });
    await expect.poll(() => leaf.getAttribute('aria-pressed'), POLL).toBe('true');
    await expect
      .poll(async () => {
        const [g, spot] = [await geometry(), await leaf.boundingBox()];
        return spot !== null && spot.x >= g.left && spot.x + spot.width <= g.right;
      }, POLL)
      .toBe(true);
    await page.getByTestId('merkle-tree').scrollIntoViewIfNeeded();
    await screenshot(page, 'charts-merkle-390');
    await expectCleanAndClose(watched);
  });
});
