// The browser's session cookie: the refresh token in an HttpOnly SameSite=Strict cookie, kept
// out of the JSON body, and spent only with a same-origin Origin and the double-submit CSRF
// token. A refused request answers 403 JSON and changes nothing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, call, register, type Cookie } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

/** The Host app.inject sends, so a request with this Origin is same-origin. */
const ORIGIN = 'http://localhost:80';

describe.each(storeFactories())('browser session cookies on $name', (factory) => {
  let t: TestApp;

  /** Logs in asking for cookie delivery; returns the access token and both cookies. */
  async function browserLogin(username: string) {
    const res = await call(t, 'POST', '/api/auth/login', {
      body: { username, password: PASSWORD, token_delivery: 'cookie' },
    });
    expect(res.status).toBe(200);
    const refresh = res.cookies.find((c) => c.name === 'sse_refresh');
    const csrf = res.cookies.find((c) => c.name === 'sse_csrf');
    if (refresh === undefined || csrf === undefined) throw new Error('cookies not set');
    return { body: res.body, refresh, csrf, token: res.body.access_token as string };
  }

  const jar = (s: { refresh: Cookie; csrf: Cookie }) => ({
    sse_refresh: s.refresh.value,
    sse_csrf: s.csrf.value,
  });

  beforeEach(async () => {
    t = await openTestApp(factory);
    await register(t, 'alice');
  });
  afterEach(async () => {
    await t.close();
  });

  it('puts the refresh token in an HttpOnly SameSite=Strict cookie, not in the body', async () => {
    const s = await browserLogin('alice');
    expect(s.body.refresh_token).toBeUndefined();
    expect(s.body.access_token).toEqual(expect.any(String));
    expect(s.refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    expect(s.refresh.secure).toBeFalsy();
    expect(s.refresh.maxAge).toBe(7 * 86_400);
    // The CSRF token is for the page's script to echo; it is not the credential.
    expect(s.csrf).toMatchObject({ sameSite: 'Strict', path: '/' });
    expect(s.csrf.httpOnly).toBeFalsy();
    expect(s.csrf.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refreshes from the cookie with the CSRF header and rotates the cookie', async () => {
    const s = await browserLogin('alice');
    const res = await call(t, 'POST', '/api/auth/refresh', {
      body: {},
      cookies: jar(s),
      headers: { origin: ORIGIN, 'x-csrf-token': s.csrf.value },
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    const me = await call(t, 'GET', '/api/auth/me', { token: res.body.access_token as string });
    expect(me.body.username).toBe('alice');
    const next = res.cookies.find((c) => c.name === 'sse_refresh');
    expect(next?.value).toEqual(expect.any(String));
    expect(next?.value).not.toBe(s.refresh.value);
  });

  it.each([
    ['no CSRF header', { origin: ORIGIN }],
    ['a wrong CSRF header', { origin: ORIGIN, 'x-csrf-token': 'f'.repeat(64) }],
    ['a CSRF header of another length', { origin: ORIGIN, 'x-csrf-token': 'abc' }],
    ['no Origin', { 'x-csrf-token': 'SAME' }],
    ['a cross-site Origin', { origin: 'https://evil.example', 'x-csrf-token': 'SAME' }],
    ['Origin null', { origin: 'null', 'x-csrf-token': 'SAME' }],
  ])('refuses a cookie refresh with %s (403) and changes nothing', async (_name, headers) => {
    const s = await browserLogin('alice');
    const sent = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v === 'SAME' ? s.csrf.value : v]),
    );
    const refused = await call(t, 'POST', '/api/auth/refresh', {
      body: {},
      cookies: jar(s),
      headers: sent,
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'CSRF_REJECTED', message: expect.any(String) as string },
    });
    expect(refused.cookies).toEqual([]);
    // The refresh token was not spent: the real page can still use it, once.
    const ok = await call(t, 'POST', '/api/auth/refresh', {
      body: {},
      cookies: jar(s),
      headers: { origin: ORIGIN, 'x-csrf-token': s.csrf.value },
    });
    expect(ok.status).toBe(200);
  });

  it('admits an origin listed in ALLOWED_ORIGINS', async () => {
    await t.close();
    t = await openTestApp(factory, { ALLOWED_ORIGINS: 'https://terminal.example' });
    await register(t, 'alice');
    const s = await browserLogin('alice');
    const res = await call(t, 'POST', '/api/auth/refresh', {
      body: {},
      cookies: jar(s),
      headers: { origin: 'https://terminal.example', 'x-csrf-token': s.csrf.value },
    });
    expect(res.status).toBe(200);
  });

  it('logout with the cookie needs the CSRF token; then both the cookie and token are dead', async () => {
    const s = await browserLogin('alice');
    const refused = await call(t, 'POST', '/api/auth/logout', {
      token: s.token,
      cookies: jar(s),
      headers: { origin: ORIGIN },
    });
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('CSRF_REJECTED');
    expect((await call(t, 'GET', '/api/auth/me', { token: s.token })).status).toBe(200);

    const out = await call(t, 'POST', '/api/auth/logout', {
      token: s.token,
      cookies: jar(s),
      headers: { origin: ORIGIN, 'x-csrf-token': s.csrf.value },
    });
    expect(out.status).toBe(200);
    const cleared = out.cookies.filter((c) => c.value === '').map((c) => c.name);
    expect(cleared.sort()).toEqual(['sse_csrf', 'sse_refresh']);
    expect((await call(t, 'GET', '/api/auth/me', { token: s.token })).status).toBe(401);
    const after = await call(t, 'POST', '/api/auth/refresh', {
      body: {},
      cookies: jar(s),
      headers: { origin: ORIGIN, 'x-csrf-token': s.csrf.value },
    });
    expect(after.status).toBe(401);
    // A cookie that can never work again is cleared, so the page shows the sign-in form.
    expect(after.cookies.map((c) => c.name).sort()).toEqual(['sse_csrf', 'sse_refresh']);
  });

  it('refresh without a body token or a cookie is 401', async () => {
    const res = await call(t, 'POST', '/api/auth/refresh', { body: {} });
    expect(res.status).toBe(401);
    expect((res.body.error as { code: string }).code).toBe('INVALID_TOKEN');
  });

  it('API clients keep the refresh token in the body, with no cookie and no CSRF check', async () => {
    const login = await call(t, 'POST', '/api/auth/login', {
      body: { username: 'alice', password: PASSWORD },
    });
    expect(login.body.refresh_token).toEqual(expect.any(String));
    expect(login.cookies).toEqual([]);
    const res = await call(t, 'POST', '/api/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toEqual(expect.any(String));
    expect(res.cookies).toEqual([]);
    const out = await call(t, 'POST', '/api/auth/logout', {
      token: res.body.access_token as string,
    });
    expect(out.status).toBe(200);
  });

  it('marks the cookies Secure when the request came over TLS', async () => {
    await t.close();
    t = await openTestApp(factory, { TRUSTED_PROXIES: '127.0.0.1' });
    await register(t, 'alice');
    const res = await call(t, 'POST', '/api/auth/login', {
      body: { username: 'alice', password: PASSWORD, token_delivery: 'cookie' },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
    expect(res.cookies.map((c) => [c.name, c.secure])).toEqual([
      ['sse_refresh', true],
      ['sse_csrf', true],
    ]);
  });
});
