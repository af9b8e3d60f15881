// /api/admin/keys: the data keys (current, created, retired, how many stored values each still
// seals) and the re-encryption progress; an on-demand rotation. Administrators only.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditLog } from '../../audit/log.ts';
import type { KeyRotation, KeyStatus } from '../../keys/index.ts';
import { principalOf } from '../access.ts';
import { AUTHENTICATED_ERRORS } from '../schemas/common.ts';

const tags = ['admin'];
const security = [{ bearer: [] }];
const Time = Type.String({ format: 'date-time' });

const KeysReply = Type.Object({
  current_key_id: Type.Integer(),
  next_rotation_at: Time,
  keys: Type.Array(
    Type.Object({
      id: Type.Integer(),
      created_at: Time,
      retired_at: Type.Union([Time, Type.Null()]),
      /** Stored values sealed with this key. */
      references: Type.Integer(),
    }),
  ),
  rotation: Type.Object({
    in_progress: Type.Boolean(),
    sealed_values: Type.Integer(),
    done: Type.Integer(),
    remaining: Type.Integer(),
    unreadable: Type.Integer(),
  }),
});

const iso = (ms: number): string => new Date(ms).toISOString();

function reply(status: KeyStatus) {
  return {
    current_key_id: status.currentKeyId,
    next_rotation_at: iso(status.nextRotationAt),
    keys: status.keys.map((k) => ({
      id: k.id,
      created_at: iso(k.createdAt),
      retired_at: k.retiredAt === null ? null : iso(k.retiredAt),
      references: k.references,
    })),
    rotation: {
      in_progress: status.remaining > 0,
      sealed_values: status.sealedValues,
      done: status.sealedValues - status.remaining,
      remaining: status.remaining,
      unreadable: status.unreadable,
    },
  };
}

export const keyRoutes: FastifyPluginAsyncTypebox<{ rotation: KeyRotation; audit: AuditLog }> = (
  app,
  { rotation, audit },
) => {
  app.get(
    '/api/admin/keys',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        summary: 'Data keys and the progress of their rotation',
        response: { 200: KeysReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async () => reply(await rotation.status()),
  );

  app.post(
    '/api/admin/keys/rotate',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        summary: 'Make a new data key now; older values are re-encrypted in the background',
        response: { 200: KeysReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const keyId = await rotation.rotate();
      const admin = principalOf(request).userId;
      await audit.recordAction({
        actor: admin,
        action: 'rotate_data_key',
        target: `data key ${keyId}`,
      });
      request.log.warn({ keyId, admin }, 'data key rotated');
      void rotation.tick();
      return reply(await rotation.status());
    },
  );
  return Promise.resolve();
};
