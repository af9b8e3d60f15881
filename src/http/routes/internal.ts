// POST /internal/v1/commands: where gateways hand trading commands to the leader. Not part of the
// public API: hidden from /docs, and every request must carry a fresh HMAC of its exact body under
// the cluster key (checked before the schema, so an outsider learns nothing of it). The user is the
// one the authenticated envelope names, never anything else in the request.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../errors.ts';
import type { CommandIntake } from '../../cluster/intake.ts';
import {
  COMMANDS_PATH,
  EnvelopeSchema,
  MAC_HEADER,
  ReplySchema,
  TIME_HEADER,
  sign,
  verify,
  type Reply,
} from '../../cluster/wire.ts';
import { ErrorReply } from '../schemas/common.ts';

export interface InternalOptions {
  intake: CommandIntake;
  /** The cluster key (wire.ts clusterKey). */
  key: Uint8Array;
  now: () => number;
}

export const internalRoutes: FastifyPluginAsyncTypebox<InternalOptions> = (
  app,
  { intake, key, now },
) => {
  app.post(
    COMMANDS_PATH,
    {
      // `public` to the user-facing access control, which knows no node credentials: the MAC
      // below is this route's access check. `unlimited`: the user's request was counted where it
      // arrived, and counting again by the gateway's address would throttle all its users as one.
      // The IDS inspected the user's fields on the gateway; here it only reports.
      config: { access: 'public', rateClass: 'unlimited', fields: { opaque: ['command'] } },
      schema: {
        hide: true,
        body: EnvelopeSchema,
        response: { 200: ReplySchema, 400: ErrorReply, 401: ErrorReply },
      },
      preValidation: async (request) => {
        const check = verify(
          key,
          'command',
          request.rawBody ?? '',
          { time: request.headers[TIME_HEADER], mac: request.headers[MAC_HEADER] },
          now(),
        );
        if (check !== 'ok') {
          request.log.warn({ check }, 'internal command refused: MAC');
          throw new ApiError('SIGNATURE_INVALID', 'this endpoint is for the nodes of the cluster');
        }
        return Promise.resolve();
      },
    },
    async (request, reply) => {
      const answer = JSON.stringify(await intake.receive(request.body));
      // Sent as the very string the MAC covers; Fastify passes a JSON string through unchanged.
      return reply
        .type('application/json')
        .headers(sign(key, 'answer', answer, now()))
        .send(answer as unknown as Reply);
    },
  );
  return Promise.resolve();
};
