import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiFailure, UNREACHABLE, errorText } from './client.ts';

// The client reads the CSRF cookie for /api/auth/ paths; node has no document.
beforeEach(() => vi.stubGlobal('document', { cookie: '' }));
afterEach(() => vi.unstubAllGlobals());

async function failureOf(call: Promise<unknown>): Promise<ApiFailure> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ApiFailure);
  return outcome as ApiFailure;
}

describe('ApiClient failures in words a person can read', () => {
  it('turns a network failure ("Failed to fetch") into "Can\'t reach the exchange"', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const failure = await failureOf(new ApiClient().get('/api/market/stocks'));
    expect(failure.status).toBe(0);
    expect(errorText(failure)).toBe(UNREACHABLE);
  });

  it("shows the API's own message, never its code", async () => {
    const body = { error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough cash available' } };
    vi.stubGlobal('fetch', () => Promise.resolve(Response.json(body, { status: 422 })));
    const failure = await failureOf(new ApiClient().post('/api/trading/order', {}));
    expect(failure.code).toBe('INSUFFICIENT_FUNDS');
    expect(errorText(failure)).toBe('not enough cash available');
  });

  it('reads a bodiless 502 from a proxy as the exchange being unreachable', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(new Response('<html>', { status: 502, statusText: 'Bad Gateway' })),
    );
    expect(errorText(await failureOf(new ApiClient().get('/api/health')))).toBe(UNREACHABLE);
  });
});
