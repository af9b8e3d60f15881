// The browser's session: the refresh token lives in an HttpOnly, SameSite=Strict cookie that
// script never reads, and every request that spends that cookie must pass the CSRF check: a
// same-origin (or allowed) Origin and a double-submit token compared in constant time.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenPair } from '../auth/sessions.ts';
import { ApiError } from '../errors.ts';

export const REFRESH_COOKIE = 'sse_refresh';
export const CSRF_COOKIE = 'sse_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** The refresh cookie goes only to the routes that spend or end it. */
const REFRESH_PATH = '/api/auth';

export interface CookieOptions {
  refreshLifetimeSeconds: number;
  /** Origins besides the server's own that may spend the cookie (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
}

function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** Sets the refresh cookie and a fresh CSRF token; returns the reply body without the token. */
export function deliverByCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  pair: TokenPair,
  options: CookieOptions,
): Omit<TokenPair, 'refresh_token'> {
  const common = {
    secure: secure(request),
    sameSite: 'strict' as const,
    maxAge: options.refreshLifetimeSeconds,
  };
  void reply.setCookie(REFRESH_COOKIE, pair.refresh_token, {
    ...common,
    httpOnly: true,
    path: REFRESH_PATH,
  });
  // Readable by the page's script (that is the point of double submit); it grants nothing alone.
  void reply.setCookie(CSRF_COOKIE, randomBytes(32).toString('hex'), {
    ...common,
    httpOnly: false,
    path: '/',
  });
  const { refresh_token: _kept, ...rest } = pair;
  return rest;
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  const common = { secure: secure(request), sameSite: 'strict' as const };
  void reply.clearCookie(REFRESH_COOKIE, { ...common, httpOnly: true, path: REFRESH_PATH });
  void reply.clearCookie(CSRF_COOKIE, { ...common, path: '/' });
}

export function refreshCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[REFRESH_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function originAllowed(request: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  if (allowed.includes(origin)) return true;
  try {
    // Both through URL, so a default port written out (":80") compares equal to none.
    const from = new URL(origin);
    return from.host === new URL(`${from.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}

/** Throws CSRF_REJECTED (403) unless the request may spend the session cookie. */
export function requireCsrf(request: FastifyRequest, options: CookieOptions): void {
  if (!originAllowed(request, options.allowedOrigins)) {
    throw new ApiError('CSRF_REJECTED', 'this request must come from the exchange’s own pages');
  }
  const header = request.headers[CSRF_HEADER];
  const cookie = request.cookies[CSRF_COOKIE];
  if (typeof header !== 'string' || cookie === undefined || !sameText(header, cookie)) {
    throw new ApiError('CSRF_REJECTED', `send the ${CSRF_COOKIE} cookie's value as X-CSRF-Token`);
  }
}
