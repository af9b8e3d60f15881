// /api/auth: registration, login (with the MFA step), refresh, logout, profile and password.
// Thin: validate, call one service method, shape the reply.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity, RequestOrigin } from '../../auth/index.ts';
import type { TokenPair } from '../../auth/sessions.ts';
import { principalOf } from '../access.ts';
import { ApiError } from '../../errors.ts';
import type { Guard } from '../../defense/guard.ts';
import { clientAddress, clientKey } from '../plugins/defense.ts';
import {
  LoginBody,
  LoginReply,
  MfaVerifyBody,
  PasswordChangeBody,
  PasswordChangeReply,
  ProfileReply,
  ProfileUpdateBody,
  RefreshBody,
  RegisterBody,
  RegisterReply,
  TokenPairReply,
} from '../schemas/auth.ts';
import { AUTHENTICATED_ERRORS, ErrorReply, Success } from '../schemas/common.ts';
import {
  clearSessionCookies,
  deliverByCookie,
  refreshCookie,
  requireCsrf,
  type CookieOptions,
} from '../session-cookies.ts';

export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: clientAddress(request), userAgent: request.headers['user-agent'] };
}

/**
 * Runs a password check under the brute-force defense: refused once the address or the account
 * is over its login allowance, and a wrong password (or re-authentication) counts as a failed login.
 */
export async function asLoginAttempt<T>(
  guard: Guard,
  request: FastifyRequest,
  username: string,
  check: () => Promise<T>,
): Promise<T> {
  const address = clientKey(request);
  await guard.beforeLogin(address, username);
  try {
    return await check();
  } catch (error) {
    const failed = ['INVALID_CREDENTIALS', 'REAUTHENTICATION_FAILED'];
    if (error instanceof ApiError && failed.includes(error.code)) {
      await guard.loginFailed(address, username);
    }
    throw error;
  }
}

const tags = ['auth'];

export interface AuthRouteOptions {
  identity: Identity;
  guard: Guard;
  cookies: CookieOptions;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = (
  app,
  { identity, guard, cookies },
) => {
  const { accounts, sessions } = identity;
  /** The reply to a new token pair: the refresh token in the body, or in the cookie. */
  const deliver = (
    request: FastifyRequest,
    reply: FastifyReply,
    pair: TokenPair,
    delivery: 'body' | 'cookie' | undefined,
  ) => ({
    success: true as const,
    mfa_required: false as const,
    ...(delivery === 'cookie' ? deliverByCookie(request, reply, pair, cookies) : pair),
  });

  app.post(
    '/api/auth/register',
    {
      config: {
        access: 'public',
        rateClass: 'account',
        fields: { secret: ['password'], freeText: ['full_name'] },
      },
      schema: {
        tags,
        body: RegisterBody,
        response: { 201: RegisterReply, 400: ErrorReply, 409: ErrorReply, 422: ErrorReply },
      },
    },
    async (request, reply) => {
      const created = await accounts.register(request.body);
      return reply
        .code(201)
        .send({ success: true, ...created, message: 'Registration successful' });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateClass: 'account', fields: { secret: ['password'] } },
      schema: {
        tags,
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request, reply) => {
      const { username, password, token_delivery } = request.body;
      const result = await asLoginAttempt(guard, request, username, () =>
        accounts.login(username, password, originOf(request)),
      );
      if (result.mfa_required) return { success: true as const, ...result };
      return deliver(request, reply, result, token_delivery);
    },
  );

  app.post(
    '/api/auth/mfa/verify',
    {
      config: { access: 'public', rateClass: 'account', fields: { secret: ['mfa_token', 'code'] } },
      schema: {
        tags,
        body: MfaVerifyBody,
        response: { 200: TokenPairReply, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request, reply) => {
      const pair = await accounts.completeMfaLogin(
        request.body.mfa_token,
        request.body.code,
        originOf(request),
      );
      return deliver(request, reply, pair, request.body.token_delivery);
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      // The refresh token is the credential: in the body, or else the cookie (CSRF-checked).
      config: { access: 'public', rateClass: 'account', fields: { secret: ['refresh_token'] } },
      schema: {
        tags,
        body: RefreshBody,
        response: { 200: TokenPairReply, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply },
      },
    },
    async (request, reply) => {
      const inBody = request.body.refresh_token;
      if (inBody !== undefined) {
        return deliver(request, reply, await sessions.refresh(inBody, originOf(request)), 'body');
      }
      const inCookie = refreshCookie(request);
      if (inCookie === undefined) {
        throw new ApiError('INVALID_TOKEN', 'send refresh_token, or sign in from the browser');
      }
      requireCsrf(request, cookies);
      try {
        const pair = await sessions.refresh(inCookie, originOf(request));
        return deliver(request, reply, pair, 'cookie');
      } catch (error) {
        // A cookie that can never work again is dropped, so the page shows the sign-in form.
        if (error instanceof ApiError && error.status === 401) clearSessionCookies(request, reply);
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'user', rateClass: 'account', allowPendingPasswordChange: true },
      schema: {
        tags,
        security: [{ bearer: [] }],
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // The browser's session cookie is ended with it, and only from the exchange's own pages.
      const withCookie = refreshCookie(request) !== undefined;
      if (withCookie) requireCsrf(request, cookies);
      if (principal.via === 'token') await sessions.end(principal.sessionId, 'logout');
      if (withCookie) clearSessionCookies(request, reply);
      return { success: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: {
        access: { apiKey: 'read' },
        rateClass: 'account',
        allowPendingPasswordChange: true,
      },
      schema: {
        tags,
        security: [{ bearer: [] }],
        response: { 200: ProfileReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => accounts.profile(principalOf(request).userId),
  );

  app.patch(
    '/api/auth/me',
    {
      config: { access: 'user', rateClass: 'account', fields: { freeText: ['full_name'] } },
      schema: {
        tags,
        security: [{ bearer: [] }],
        body: ProfileUpdateBody,
        response: { 200: ProfileReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => accounts.updateProfile(principalOf(request).userId, request.body),
  );

  app.post(
    '/api/auth/password',
    {
      config: {
        access: 'user',
        rateClass: 'account',
        allowPendingPasswordChange: true,
        fields: { secret: ['current_password', 'new_password'] },
      },
      schema: {
        tags,
        security: [{ bearer: [] }],
        body: PasswordChangeBody,
        response: { 200: PasswordChangeReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const sessionId = principal.via === 'token' ? principal.sessionId : undefined;
      const result = await accounts.changePassword(
        principal.userId,
        sessionId,
        request.body,
        originOf(request),
      );
      return { success: true as const, ...result };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'public', rateClass: 'account' },
      schema: { tags, summary: 'Public keys that verify access tokens' },
    },
    (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(identity.tokens.jwks()),
  );
  return Promise.resolve();
};
