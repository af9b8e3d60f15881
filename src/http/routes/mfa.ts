// /api/auth/mfa: enrol a TOTP authenticator, confirm it, turn it off.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError } from '../../errors.ts';
import type { Identity } from '../../auth/index.ts';
import { principalOf } from '../access.ts';
import {
  MfaCodeBody,
  MfaDisableBody,
  MfaEnrollReply,
  RecoveryCodesReply,
} from '../schemas/auth.ts';
import { AUTHENTICATED_ERRORS, Success } from '../schemas/common.ts';
import { originOf } from './auth.ts';

const tags = ['auth'];
const security = [{ bearer: [] }];

export const mfaRoutes: FastifyPluginAsyncTypebox<{ identity: Identity }> = (app, { identity }) => {
  const { accounts, mfa } = identity;

  app.post(
    '/api/auth/mfa/enroll',
    {
      config: { access: 'user', rateClass: 'account' },
      schema: { tags, security, response: { 200: MfaEnrollReply, ...AUTHENTICATED_ERRORS } },
    },
    async (request) => mfa.enroll(await accounts.require(principalOf(request).userId)),
  );

  app.post(
    '/api/auth/mfa/confirm',
    {
      config: { access: 'user', rateClass: 'account', fields: { secret: ['code'] } },
      schema: {
        tags,
        security,
        body: MfaCodeBody,
        response: { 200: RecoveryCodesReply, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const user = await accounts.require(principalOf(request).userId);
      const codes = await mfa.confirm(user, request.body.code, originOf(request));
      return { success: true as const, recovery_codes: codes };
    },
  );

  app.post(
    '/api/auth/mfa/disable',
    {
      config: { access: 'user', rateClass: 'account', fields: { secret: ['password', 'code'] } },
      schema: {
        tags,
        security,
        body: MfaDisableBody,
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const user = await accounts.require(principalOf(request).userId);
      if (user.mfa_enabled !== 1) throw new ApiError('MFA_NOT_ENABLED', 'MFA is not on');
      await accounts.confirmPassword(user, request.body.password);
      if (!(await mfa.verify(user, request.body.code, originOf(request)))) {
        throw new ApiError('MFA_CODE_INVALID', 'the code is not valid');
      }
      await mfa.disable(user, originOf(request));
      return { success: true as const };
    },
  );
  return Promise.resolve();
};
