// Requests to a TestApp through `app.inject`, and the accounts the tests act as. A reply must be
// JSON unless the request says it may be text, so a route that stops answering JSON fails.

import { expect } from 'vitest';
import { fromBase32, totpCode } from '../../src/auth/totp.ts';
import { UsersRepo } from '../../src/store/users.repo.ts';
import type { TestApp } from './app.ts';

/** The password of every account these helpers make unless a test picks another. */
export const PASSWORD = 'a long enough passphrase';

export interface Reply {
  status: number;
  headers: Record<string, unknown>;
  /** The reply as sent. */
  text: string;
  /** The parsed JSON; {} for a text reply the request allowed. */
  body: Record<string, unknown>;
  cookies: Cookie[];
}

export interface Cookie {
  name: string;
  value: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  maxAge?: number;
}

export interface Request {
  token?: string;
  body?: unknown;
  /** The peer address; app.inject's own 127.0.0.1 when left out. */
  ip?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  /** The reply may be other than JSON (a CSV report): read it from `text`. */
  text?: boolean;
}

export async function call(
  t: TestApp,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  request: Request = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  const res = await t.app.inject({
    method,
    url,
    headers,
    ...(request.ip === undefined ? {} : { remoteAddress: request.ip }),
    ...(request.cookies === undefined ? {} : { cookies: request.cookies }),
    ...(request.body === undefined ? {} : { payload: request.body as object }),
  });
  const type = String(res.headers['content-type'] ?? '');
  let body: Record<string, unknown> = {};
  if (type.startsWith('application/json')) body = res.json<Record<string, unknown>>();
  else if (request.text !== true)
    throw new Error(`${method} ${url}: ${res.statusCode} ${type || 'no content type'}, not JSON`);
  return {
    status: res.statusCode,
    headers: res.headers,
    text: res.body,
    body,
    cookies: res.cookies,
  };
}

export interface Account {
  password?: string;
  ip?: string;
  /** `<username> Trader` when left out. */
  fullName?: string;
}

/** Registers a user (expecting 201) and returns its id. */
export async function register(
  t: TestApp,
  username: string,
  account: Account = {},
): Promise<number> {
  const res = await call(t, 'POST', '/api/auth/register', {
    ...(account.ip === undefined ? {} : { ip: account.ip }),
    body: {
      username,
      email: `${username}@example.com`,
      password: account.password ?? PASSWORD,
      full_name: account.fullName ?? `${username} Trader`,
    },
  });
  expect(res.status).toBe(201);
  expect(res.body.user_id).toEqual(expect.any(Number));
  return res.body.user_id as number;
}

/** A login as it went, whatever the outcome. */
export function login(
  t: TestApp,
  username: string,
  account: Omit<Account, 'fullName'> = {},
): Promise<Reply> {
  return call(t, 'POST', '/api/auth/login', {
    ...(account.ip === undefined ? {} : { ip: account.ip }),
    body: { username, password: account.password ?? PASSWORD },
  });
}

/** Logs in, expecting 200: the reply's body (the tokens, or mfa_required). */
export async function signIn(
  t: TestApp,
  username: string,
  account: Omit<Account, 'fullName'> = {},
): Promise<Record<string, unknown>> {
  const res = await login(t, username, account);
  expect(res.status).toBe(200);
  return res.body;
}

/** Registers a user (an administrator if asked) and signs in: its id and access token. */
export async function signUp(
  t: TestApp,
  username: string,
  account: Account & { admin?: boolean } = {},
): Promise<{ id: number; token: string }> {
  const id = await register(t, username, account);
  if (account.admin === true) await new UsersRepo(t.store.db).update(id, { role: 'admin' });
  const { access_token } = await signIn(t, username, account);
  expect(access_token).toEqual(expect.any(String));
  return { id, token: access_token as string };
}

/** Turns MFA on for the signed-in user (enrol, confirm with a code at `now`): its secret and codes. */
export async function enableMfa(
  t: TestApp,
  token: string,
  now: number,
): Promise<{ secret: Uint8Array; codes: string[] }> {
  const enrol = await call(t, 'POST', '/api/auth/mfa/enroll', { token });
  expect(enrol.status).toBe(200);
  const secret = fromBase32(enrol.body.secret as string);
  const confirm = await call(t, 'POST', '/api/auth/mfa/confirm', {
    token,
    body: { code: totpCode({ secret }, now) },
  });
  expect(confirm.status).toBe(200);
  return { secret, codes: confirm.body.recovery_codes as string[] };
}
