// Request and reply schemas of the identity routes. Bodies are closed objects: unknown fields
// (such as `role`) are removed before the handler sees them.

import { Type } from 'typebox';
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy.ts';

const closed = { additionalProperties: false } as const;

/** Long enough to let the policy, not the schema, explain a too-long password. */
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 });
const Email = Type.String({ format: 'email', maxLength: 254 });
const FullName = Type.String({ minLength: 1, maxLength: 100 });

export const RegisterBody = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' }),
    email: Email,
    password: Password,
    full_name: FullName,
  },
  closed,
);

export const RegisterReply = Type.Object({
  success: Type.Literal(true),
  user_id: Type.Integer(),
  username: Type.String(),
  message: Type.String(),
});

/**
 * Where the refresh token goes: in the JSON reply (the default, for bots and API clients) or, for
 * the browser, in an HttpOnly cookie that script never sees (then the reply leaves it out).
 */
const TokenDelivery = Type.Optional(Type.Union([Type.Literal('body'), Type.Literal('cookie')]));

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Password,
    token_delivery: TokenDelivery,
  },
  closed,
);

export const TokenPairReply = Type.Object({
  success: Type.Literal(true),
  mfa_required: Type.Literal(false),
  access_token: Type.String(),
  /** Left out when the refresh token went into the cookie. */
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  password_change_required: Type.Boolean(),
});

export const MfaChallengeReply = Type.Object({
  success: Type.Literal(true),
  mfa_required: Type.Literal(true),
  mfa_token: Type.String(),
  expires_in: Type.Integer(),
});

export const LoginReply = Type.Union([TokenPairReply, MfaChallengeReply]);

export const MfaVerifyBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 128 }),
    code: Type.String({ minLength: 6, maxLength: 32 }),
    token_delivery: TokenDelivery,
  },
  closed,
);

/** Without `refresh_token`, the refresh cookie is spent (and the CSRF check applies). */
export const RefreshBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  closed,
);

export const ProfileReply = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  full_name: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  mfa_enabled: Type.Boolean(),
  password_change_required: Type.Boolean(),
  created_at: Type.String(),
});

export const ProfileUpdateBody = Type.Object(
  { full_name: Type.Optional(FullName), email: Type.Optional(Email) },
  { ...closed, minProperties: 1 },
);

export const PasswordChangeBody = Type.Object(
  {
    current_password: Password,
    new_password: Password,
    /** Every API key is revoked with the password change unless this is true. */
    keep_api_keys: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const PasswordChangeReply = Type.Object({
  success: Type.Literal(true),
  sessions_ended: Type.Integer(),
  api_keys_revoked: Type.Integer(),
  access_token: Type.Optional(Type.String()),
  expires_in: Type.Optional(Type.Integer()),
});

export const MfaEnrollReply = Type.Object({
  secret: Type.String(),
  otpauth_uri: Type.String(),
  qr_code: Type.String(),
});

/** A TOTP code (6 digits) or a recovery code. */
const MfaCode = Type.String({ minLength: 6, maxLength: 32 });

export const MfaCodeBody = Type.Object({ code: MfaCode }, closed);

export const MfaDisableBody = Type.Object({ password: Password, code: MfaCode }, closed);

export const RecoveryCodesReply = Type.Object({
  success: Type.Literal(true),
  recovery_codes: Type.Array(Type.String()),
});

const Scope = Type.Union([Type.Literal('read'), Type.Literal('trade')]);

export const ApiKeyBody = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 64 }),
    public_key: Type.Union([
      Type.String({ minLength: 1, maxLength: 4096 }),
      Type.Object({}, { additionalProperties: true, maxProperties: 16 }),
    ]),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 2, uniqueItems: true }),
    /** A key outlives the session: the password again, and `code` when MFA is on. */
    password: Password,
    code: Type.Optional(MfaCode),
  },
  closed,
);

export const ApiKeyReply = Type.Object({
  id: Type.String(),
  label: Type.String(),
  scopes: Type.Array(Scope),
  public_key: Type.String(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});

export const ApiKeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** One of the signed-in user's own security events. */
export const OwnSecurityEvent = Type.Object({
  id: Type.Integer(),
  event_type: Type.String(),
  severity: Type.Union([
    Type.Literal('LOW'),
    Type.Literal('MEDIUM'),
    Type.Literal('HIGH'),
    Type.Literal('CRITICAL'),
  ]),
  source_ip: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  details: Type.Unknown(),
  timestamp: Type.String(),
});

export const OwnSecurityEventsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  before_id: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const OwnSecurityEventsReply = Type.Object({
  events: Type.Array(OwnSecurityEvent),
  next_before_id: Type.Union([Type.Integer(), Type.Null()]),
});
