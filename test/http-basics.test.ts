import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

describe.each(storeFactories())('HTTP basics on $name', (factory) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(factory);
  });
  afterEach(async () => {
    await t.close();
  });

  it('reports health with version, uptime and a reachable database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      database: { reachable: true, dialect: factory.name },
    });
    expect(res.json<{ uptime_seconds: number }>().uptime_seconds).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 when the database is gone', async () => {
    await t.store.close();
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'degraded', database: { reachable: false } });
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'no route for GET /api/nothing' },
    });
  });

  it('answers a URL that is not valid percent-encoding with the JSON error shape', async () => {
    for (const url of ['/api/%zz', '/api/trading/order/%E0%A4%A', '/api/%']) {
      const res = await call(t, 'GET', url);
      expect(res.status, url).toBe(400);
      expect(res.body, url).toEqual({
        error: { code: 'BAD_REQUEST', message: expect.any(String) as string },
      });
    }
  });

  it('takes path and query integers only as decimal digits: no exponent, hex, sign or space', async () => {
    const { token } = await signUp(t, 'ids');
    const status = async (url: string) => {
      const res = await call(t, 'GET', url, { token });
      if (res.status === 400) expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      return res.status;
    };
    for (const id of ['1e3', '0x10', '+5', '%201', '1%20', '1.0', '0b1', '%EF%BB%BF1']) {
      expect(await status(`/api/trading/order/${id}`), id).toBe(400);
      expect(await status(`/api/trading/orders?before_id=${id}`), id).toBe(400);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), async (id) => {
        expect(await status(`/api/trading/order/${id}`)).toBe(404);
        expect(await status(`/api/trading/orders?limit=1&before_id=${id}`)).toBe(200);
        expect(await status(`/api/trading/order/0x${id.toString(16)}`)).toBe(400);
        expect(await status(`/api/trading/order/${id}e0`)).toBe(400);
      }),
      { numRuns: 25 },
    );
  });

  it('words a refused query integer as its own check does, not as "must be undefined"', async () => {
    const res = await call(t, 'GET', '/api/market/stock/AAPL/orderbook?depth=abc');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message:
          'querystring.depth must be an integer in decimal digits (no exponent, hex, + or spaces)',
        details: [{ field: 'querystring.depth', rule: 'type' }],
      },
    });
  });

  it('serves the placeholder page with security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Secure Stock Exchange');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain(
      "script-src 'self' 'unsafe-inline'",
    );
  });

  it('publishes the OpenAPI document with the health route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json<{ paths: object }>().paths)).toContain('/api/health');
  });

  it('documents candle volume as whole shares', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json<{
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    }>();
    const reply = doc.paths['/api/market/stock/{symbol}/candles']?.get.responses['200'];
    expect(reply).toMatchObject({
      content: {
        'application/json': {
          schema: {
            properties: {
              candles: { items: { properties: { volume: { type: 'integer', minimum: 0 } } } },
            },
          },
        },
      },
    });
  });
});
