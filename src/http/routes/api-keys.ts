// /api/auth/api-keys: a user's ECDSA P-256 keys for signed bot requests. Only the owner sees or
// revokes a key; someone else's key id answers 404.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Identity } from '../../auth/index.ts';
import { principalOf } from '../access.ts';
import { ApiKeyBody, ApiKeyParams, ApiKeyReply } from '../schemas/auth.ts';
import { AUTHENTICATED_ERRORS, Success } from '../schemas/common.ts';

const tags = ['api keys'];
const security = [{ bearer: [] }];

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ identity: Identity }> = (
  app,
  { identity },
) => {
  const { apiKeys } = identity;

  app.get(
    '/api/auth/api-keys',
    {
      config: { access: 'user' },
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
      config: { access: 'user' },
      schema: {
        tags,
        security,
        body: ApiKeyBody,
        response: { 201: ApiKeyReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request, reply) => {
      const created = await apiKeys.register(principalOf(request).userId, request.body);
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/auth/api-keys/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        security,
        params: ApiKeyParams,
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      await apiKeys.revoke(principalOf(request).userId, request.params.id);
      return { success: true as const };
    },
  );
  return Promise.resolve();
};
