// /api/auth/api-keys: a user's ECDSA P-256 keys for signed bot requests. Only the owner sees or
// revokes a key; someone else's key id answers 404. A token alone cannot register a key: the body
// carries the password (and an MFA code when MFA is on), checked like a login.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Identity } from '../../auth/index.ts';
import type { Guard } from '../../defense/guard.ts';
import { principalOf } from '../access.ts';
import { ApiKeyBody, ApiKeyParams, ApiKeyReply } from '../schemas/auth.ts';
import { AUTHENTICATED_ERRORS, Success } from '../schemas/common.ts';
import { asLoginAttempt, originOf } from './auth.ts';

const tags = ['api keys'];
const security = [{ bearer: [] }];

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ identity: Identity; guard: Guard }> = (
  app,
  { identity, guard },
) => {
  const { accounts, apiKeys } = identity;

  app.get(
    '/api/auth/api-keys',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags,
        security,
        response: {
          200: Type.Object({ api_keys: Type.Array(ApiKeyReply) }),
          ...AUTHENTICATED_ERRORS,
        },
      },
    },
    async (request) => ({ api_keys: await apiKeys.list(principalOf(request).userId) }),
  );

  app.post(
    '/api/auth/api-keys',
    {
      config: {
        access: 'user',
        rateClass: 'account',
        fields: { secret: ['password', 'code'], opaque: ['public_key'], freeText: ['label'] },
      },
      schema: {
        tags,
        security,
        body: ApiKeyBody,
        response: { 201: ApiKeyReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request, reply) => {
      const { password, code, ...key } = request.body;
      const origin = originOf(request);
      const user = await accounts.require(principalOf(request).userId);
      const proof = await asLoginAttempt(guard, request, user.username, () =>
        accounts.reauthenticate(user, { password, code }, 'register an API key', origin),
      );
      return reply.code(201).send(await apiKeys.register(proof, key, origin));
    },
  );

  app.delete(
    '/api/auth/api-keys/:id',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: {
        tags,
        security,
        params: ApiKeyParams,
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      await apiKeys.revoke(principalOf(request).userId, request.params.id, originOf(request));
      return { success: true as const };
    },
  );
  return Promise.resolve();
};
