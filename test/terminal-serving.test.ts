// The terminal's server side: the built app at `/` with the SPA fallback (never for /api, /ws,
// /docs or /metrics), the market rules it prices orders with, and the System page's stats.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../src/http/plugins/error-handler.ts';
import { homeRoutes } from '../src/http/routes/home.ts';
import { signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

describe('serving the built terminal', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sse-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>terminal</title>');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    app = Fastify();
    registerErrorHandler(app);
    await app.register(homeRoutes, { root: dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/portfolio', '/account', '/some/deep/page'])(
    'answers the page %s with index.html, not cached',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<title>terminal</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
    },
  );

  it('serves hashed assets as immutable', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log(1)');
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it.each([
    '/api/nothing',
    '/api',
    '/ws/nothing',
    '/docs/nothing',
    '/metrics',
    '/assets/missing.js',
    '/favicon.ico',
    '/../package.json',
    '/assets/..%2f..%2fpackage.json',
  ])('never falls back to the page for %s: JSON 404', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('terminal API', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await openTestApp(storeFactories()[0]!, { MAKER_FEE_BPS: '5', TAKER_FEE_BPS: '12' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('publishes the fee schedule and price rules', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/market/rules' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      maker_fee_bps: 5,
      taker_fee_bps: 12,
      market_collar_bps: 500,
      price_band_bps: 2000,
      fee_rounding: 'up to the paisa, per order',
      currency: 'INR',
    });
  });

  it('reports orders per second and order latency to a signed-in user', async () => {
    const { token } = await signUp(t, 'sam');
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/system/stats' })).statusCode).toBe(401);

    for (let i = 0; i < 3; i++) {
      const placed = await t.app.inject({
        method: 'POST',
        url: '/api/trading/order',
        headers,
        payload: {
          symbol: 'TCS',
          order_type: 'BUY',
          order_mode: 'LIMIT',
          quantity: 1,
          price: '4000.00',
        },
      });
      expect(placed.statusCode).toBe(201);
    }
    const res = await t.app.inject({ method: 'GET', url: '/api/system/stats', headers });
    expect(res.statusCode).toBe(200);
    const stats = res.json<Record<string, unknown>>();
    expect(stats).toMatchObject({
      window_seconds: 60,
      open_orders: 3,
      trading_available: true,
      order_latency_ms: { samples: 3 },
      matching_latency_ms: { samples: 3 },
    });
    const latency = stats.order_latency_ms as { p50: number; p99: number; max: number };
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p50);
    expect(latency.max).toBeGreaterThanOrEqual(latency.p99);
    // Matching is the synchronous part of the order's path, so it takes less than the whole.
    const matching = stats.matching_latency_ms as { p50: number; max: number };
    expect(matching.p50).toBeGreaterThan(0);
    expect(matching.max).toBeLessThanOrEqual(latency.max);
  });
});
