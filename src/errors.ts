// The one catalogue of error codes the API answers with. Each code has one HTTP status; the
// body is always `{ "error": { "code", "message" } }`.

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  REQUEST_REJECTED: 400,
  INVALID_PUBLIC_KEY: 400,
  DECRYPTION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  TOKEN_REUSED: 401,
  SESSION_EXPIRED: 401,
  MFA_CODE_INVALID: 401,
  MFA_CHALLENGE_INVALID: 401,
  SIGNATURE_INVALID: 401,
  REPLAY_DETECTED: 401,
  FORBIDDEN: 403,
  IP_BLOCKED: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  CSRF_REJECTED: 403,
  /** A valid session, but the password (or MFA code) given again for a sensitive action was wrong. */
  REAUTHENTICATION_FAILED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  EMAIL_TAKEN: 409,
  MFA_ALREADY_ENABLED: 409,
  MFA_NOT_ENABLED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PASSWORD_POLICY: 422,
  LIMIT_REACHED: 422,
  /** A block on the requester's own address or loopback, without `override`: it would lock them out. */
  BLOCK_LOCKS_OUT: 422,
  UNKNOWN_SYMBOL: 422,
  PRICE_NOT_ON_TICK: 400,
  INVALID_ORDER: 400,
  INSUFFICIENT_FUNDS: 422,
  INSUFFICIENT_SHARES: 422,
  /** A credit would take a balance past the largest amount the ledger holds exactly (2^53 - 1). */
  BALANCE_OVERFLOW: 422,
  MARKET_HALTED: 422,
  PRICE_OUT_OF_BAND: 422,
  POST_ONLY_WOULD_TAKE: 422,
  STOP_WOULD_TRIGGER: 422,
  AMEND_NO_CHANGE: 422,
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_OPEN: 409,
  TRADING_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  /** One API key has as many live nonces as it may hold (NONCE_CACHE_SIZE); other keys go on. */
  NONCE_QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** On schema refusals, for programs: the field, the rule it broke, what the rule expects. */
export interface ErrorDetail {
  field: string;
  rule: string;
  expected?: unknown;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

/** An error meant for the client: its code and message are sent as they are. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
