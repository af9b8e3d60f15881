// /api/auth: registration, login (with the MFA step), refresh, logout, profile and password.
// Thin: validate, call one service method, shape the reply.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Identity, RequestOrigin } from '../../auth/index.ts';
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

export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: clientAddress(request), userAgent: request.headers['user-agent'] };
}

const tags = ['auth'];

export const authRoutes: FastifyPluginAsyncTypebox<{ identity: Identity; guard: Guard }> = (
  app,
  { identity, guard },
) => {
  const { accounts, sessions } = identity;

  app.post(
    '/api/auth/register',
    {
      config: { access: 'public' },
      schema: {
        tags,
        body: RegisterBody,
        response: { 201: RegisterReply, 400: ErrorReply, 409: ErrorReply, 422: ErrorReply },
      },
    },
    async (request, reply) => {
      const created = await accounts.register(request.body);
      return reply.code(201).send({ success: true, ...created });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const address = clientKey(request);
      await guard.beforeLogin(address, username);
      try {
        const result = await accounts.login(username, password, originOf(request));
        return { success: true as const, ...result };
      } catch (error) {
        if (error instanceof ApiError && error.code === 'INVALID_CREDENTIALS') {
          await guard.loginFailed(address, username);
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/mfa/verify',
    {
      config: { access: 'public' },
      schema: {
        tags,
        body: MfaVerifyBody,
        response: { 200: TokenPairReply, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => {
      const pair = await accounts.completeMfaLogin(
        request.body.mfa_token,
        request.body.code,
        originOf(request),
      );
      return { success: true as const, mfa_required: false as const, ...pair };
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      // The refresh token in the body is the credential.
      config: { access: 'public' },
      schema: {
        tags,
        body: RefreshBody,
        response: { 200: TokenPairReply, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => {
      const pair = await sessions.refresh(request.body.refresh_token, originOf(request));
      return { success: true as const, mfa_required: false as const, ...pair };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'user', allowPendingPasswordChange: true },
      schema: {
        tags,
        security: [{ bearer: [] }],
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.via === 'token') await sessions.end(principal.sessionId, 'logout');
      return { success: true as const };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: { apiKey: 'read' }, allowPendingPasswordChange: true },
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
      config: { access: 'user' },
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
      config: { access: 'user', allowPendingPasswordChange: true },
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
      config: { access: 'public' },
      schema: { tags, summary: 'Public keys that verify access tokens' },
    },
    (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(identity.tokens.jwks()),
  );
  return Promise.resolve();
};
