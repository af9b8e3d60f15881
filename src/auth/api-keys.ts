// API keys for trading bots: the user registers an ECDSA P-256 public key; each request is
// signed over METHOD, PATH?QUERY, TIMESTAMP, NONCE and SHA-256(body). A request is accepted once,
// within the replay window, and only with a valid signature. The private key never reaches us.
// A key outlives any session, so registering one takes the password again (a Reauthenticated
// proof), and every key made or revoked is a security event the owner sees.

import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from '../errors.ts';
import { parseP256PublicKey, verifyP256 } from '../crypto/index.ts';
import { RateLimited } from '../defense/guard.ts';
import type { NonceStore } from '../defense/replay-cache.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import type { ApiKeysRepo } from '../store/api-keys.repo.ts';
import type { UsersRepo } from '../store/users.repo.ts';
import type { Reauthenticated } from './accounts.ts';
import type { ApiKeyScope, Principal, RequestOrigin } from './principal.ts';

export const MAX_KEYS_PER_USER = 10;

export interface ApiKeyView {
  id: string;
  label: string;
  scopes: ApiKeyScope[];
  public_key: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SignedRequest {
  method: string;
  /** The request target exactly as sent: path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer | undefined;
}

/** The exact bytes a client signs; see tools/api-client.ts. */
export function signingString(
  method: string,
  url: string,
  timestamp: string,
  nonce: string,
  body: string | Buffer | undefined,
): string {
  const bodyHash = createHash('sha256')
    .update(body ?? '')
    .digest('hex');
  return `${method.toUpperCase()}\n${url}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

export class ApiKeys {
  constructor(
    private readonly repo: ApiKeysRepo,
    private readonly users: UsersRepo,
    private readonly replay: NonceStore,
    private readonly events: SecurityEvents,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Registers a key for the user who just proved, with the password, that they are present. */
  async register(
    { userId }: Reauthenticated,
    input: { label: string; public_key: string | object; scopes: ApiKeyScope[] },
    origin: RequestOrigin,
  ): Promise<ApiKeyView> {
    const parsed = parseP256PublicKey(input.public_key as Parameters<typeof parseP256PublicKey>[0]);
    if (!parsed.ok) throw new ApiError('INVALID_PUBLIC_KEY', parsed.message);
    const live = (await this.repo.listOfUser(userId)).filter((k) => k.revoked_at === null);
    if (live.length >= MAX_KEYS_PER_USER) {
      throw new ApiError('LIMIT_REACHED', `at most ${MAX_KEYS_PER_USER} live API keys per account`);
    }
    const row = {
      id: `ak_${randomBytes(12).toString('base64url')}`,
      user_id: userId,
      label: input.label,
      public_key: parsed.key.export({ type: 'spki', format: 'pem' }).toString(),
      scopes: [...new Set(input.scopes)].sort().join(','),
      created_at: this.now(),
    };
    await this.repo.insert(row);
    await this.events.record({
      type: 'api_key_created',
      severity: 'LOW',
      description: 'an API key was registered',
      ip: origin.ip,
      userId,
      details: { key: row.id, label: row.label, scopes: row.scopes },
    });
    return this.view({ ...row, last_used_at: null, revoked_at: null });
  }

  async list(userId: number): Promise<ApiKeyView[]> {
    return (await this.repo.listOfUser(userId)).map((k) => this.view(k));
  }

  async revoke(userId: number, id: string, origin: RequestOrigin): Promise<void> {
    if (!(await this.repo.revoke(userId, id, this.now()))) {
      throw new ApiError('NOT_FOUND', 'no such API key');
    }
    await this.events.record({
      type: 'api_key_revoked',
      severity: 'LOW',
      description: 'an API key was revoked',
      ip: origin.ip,
      userId,
      details: { key: id, revoked: 1 },
    });
  }

  /** Revokes every live key of the user (after a password change); how many there were. */
  async revokeAll(userId: number, reason: string, origin: RequestOrigin): Promise<number> {
    const revoked = await this.repo.revokeAllOfUser(userId, this.now());
    if (revoked > 0) {
      await this.events.record({
        type: 'api_key_revoked',
        severity: 'LOW',
        description: `every API key was revoked: ${reason}`,
        ip: origin.ip,
        userId,
        details: { revoked },
      });
    }
    return revoked;
  }

  /**
   * Authenticates a signed request. The signature is checked, and then `admit` counts the request
   * against its user's allowance (throwing when it is spent), before the nonce is recorded: unsigned
   * junk and rate-limited requests never take room in the key's replay cache.
   */
  async authenticate(
    request: SignedRequest,
    origin: RequestOrigin,
    admit: (userId: number) => Promise<void>,
  ): Promise<Principal> {
    const keyId = header(request.headers, 'x-api-key');
    const timestamp = header(request.headers, 'x-timestamp');
    const nonce = header(request.headers, 'x-nonce');
    const signature = header(request.headers, 'x-signature');
    if (
      keyId === undefined ||
      timestamp === undefined ||
      nonce === undefined ||
      signature === undefined
    ) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'signed requests need X-API-Key, X-Timestamp, X-Nonce and X-Signature',
      );
    }
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) {
      throw new ApiError('UNAUTHENTICATED', 'X-Nonce must be 16 to 64 characters of [A-Za-z0-9_-]');
    }
    const now = this.now();
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isSafeInteger(seconds) || Math.abs(now - seconds * 1000) > this.windowMs) {
      await this.reject(
        'replay_detected',
        'a signed request was outside the replay window',
        origin,
        keyId,
        {
          timestamp,
        },
      );
      throw new ApiError(
        'REPLAY_DETECTED',
        'X-Timestamp is outside the accepted window; check the clock',
      );
    }
    const key = await this.repo.findActive(keyId);
    const message = Buffer.from(
      signingString(request.method, request.url, timestamp, nonce, request.body),
      'utf8',
    );
    const signatureBytes = Buffer.from(signature, 'base64');
    if (key === undefined || !verifyP256(key.public_key, message, signatureBytes, 'p1363')) {
      await this.reject(
        'signature_invalid',
        'a signed request failed verification',
        origin,
        keyId,
        {
          known_key: key !== undefined,
        },
      );
      throw new ApiError('SIGNATURE_INVALID', 'the request signature does not verify');
    }
    const user = await this.users.findById(key.user_id);
    if (user === undefined || user.disabled === 1) {
      throw new ApiError('SIGNATURE_INVALID', 'the request signature does not verify');
    }
    await admit(user.id);
    const nonceCheck = await this.replay.check(key.id, nonce, now);
    if (nonceCheck.verdict === 'replayed') {
      await this.reject('replay_detected', 'a signed request was replayed', origin, keyId, {
        nonce,
      });
      throw new ApiError('REPLAY_DETECTED', 'this nonce was already used');
    }
    if (nonceCheck.verdict === 'full') {
      const seconds = Math.max(1, Math.ceil(nonceCheck.retryMs / 1000));
      throw new RateLimited(
        { allowed: false, limit: nonceCheck.quota, remaining: 0, resetMs: nonceCheck.retryMs },
        'NONCE_QUOTA_EXCEEDED',
        `this API key has used its ${nonceCheck.quota} nonces for the replay window; retry in ${seconds} s`,
      );
    }
    await this.repo.touch(key.id, now);
    return {
      via: 'api-key',
      userId: user.id,
      role: user.role,
      keyId: key.id,
      scopes: key.scopes.split(',') as ApiKeyScope[],
    };
  }

  private async reject(
    type: 'replay_detected' | 'signature_invalid',
    description: string,
    origin: RequestOrigin,
    keyId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.events.record({
      type,
      severity: 'HIGH',
      description,
      ip: origin.ip,
      details: { key: keyId.slice(0, 64), ...details },
    });
  }

  private view(row: {
    id: string;
    label: string;
    scopes: string;
    public_key: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  }): ApiKeyView {
    return {
      id: row.id,
      label: row.label,
      scopes: row.scopes.split(',') as ApiKeyScope[],
      public_key: row.public_key,
      created_at: new Date(row.created_at).toISOString(),
      last_used_at: iso(row.last_used_at),
      revoked_at: iso(row.revoked_at),
    };
  }
}
