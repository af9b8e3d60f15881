// Sessions are refresh-token families (RFC 9700): opaque 256-bit refresh tokens stored as
// hashes, rotated on every use; a spent token seen again revokes the whole family. Access
// tokens carry the session id, so revoking a session ends its access tokens: at once on the node
// that revoked it, and within SESSION_STATE_TTL_MS (1 s) on every other node, which trusts what
// it read of a session from the database for less than that.
// The database holds only hashes of session ids and refresh tokens: a copy of it names no live
// session. Every request checks the idle and absolute timeouts; a session past one is revoked.
// A token refreshed again within REFRESH_GRACE_MS (two tabs, a retried request) gets the same
// successor, as RFC 9700 section 4.14.2 allows; later, reuse is theft.

import { createHash, randomBytes } from 'node:crypto';
import { hmacSha256 } from '../crypto/index.ts';
import { ApiError } from '../errors.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import type { SessionState, SessionsRepo } from '../store/sessions.repo.ts';
import type { Role } from '../store/schema.ts';
import type { AccessClaims, AccessTokens } from './access-tokens.ts';
import type { Principal, RequestOrigin } from './principal.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  password_change_required: boolean;
}

export interface SessionPolicy {
  /** A session's absolute lifetime from login; its refresh tokens expire with it. */
  refreshTokenLifetimeMs: number;
  /** A session unused for this long has expired. */
  idleTimeoutMs: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database knows a session by: the hash of its id. */
const sessionKey = hashToken;

/**
 * A refresh token is `<session id>.<256 bits>`: the session id travels with it, since the
 * database cannot give it back to put in the next access token. The first token's bits are
 * random; each successor's are an HMAC of its predecessor under a key of this purpose alone, so
 * a predecessor spent twice in the grace window gives the same successor without storing it.
 */
function firstRefreshToken(sessionId: string): string {
  return `${sessionId}.${newOpaqueToken()}`;
}

function sessionIdOf(refreshToken: string): string | undefined {
  const dot = refreshToken.indexOf('.');
  return dot > 0 ? refreshToken.slice(0, dot) : undefined;
}

/**
 * How long a session's state is trusted without asking the database again: the bound on how long
 * another node's revocation goes unseen here (the cluster promises 1 s; keep this ≤ 1000).
 */
export const SESSION_STATE_TTL_MS = 1000;
/** A use is written to the database at most this often per session (it postpones the idle end). */
const TOUCH_EVERY_MS = 60_000;
/** How long after a refresh the same token may be refreshed again, to the same successor. */
export const REFRESH_GRACE_MS = 10_000;
const CACHE_LIMIT = 10_000;

interface CachedState {
  state: SessionState | undefined;
  until: number;
}

export class Sessions {
  /**
   * Tokens already verified, so a bot reusing its token does not pay an ES256 verification per
   * request. Keyed by the whole token; expiry is still checked on every use.
   */
  private readonly verified = new Map<string, AccessClaims>();
  /**
   * Session states read in the last SESSION_STATE_TTL_MS. Revocations in this process clear
   * it at once; a revocation on another node takes effect here within the TTL.
   */
  private readonly states = new Map<string, CachedState>();

  /**
   * `successorKey` derives each refresh token from the one it replaces; it must serve nothing
   * else (the composition root derives it from the master key with its own HKDF label).
   */
  constructor(
    private readonly repo: SessionsRepo,
    private readonly tokens: AccessTokens,
    private readonly events: SecurityEvents,
    private readonly policy: SessionPolicy,
    private readonly successorKey: Uint8Array,
    private readonly now: () => number,
  ) {}

  /** Opens a session for a user who has fully authenticated. */
  async start(
    user: { id: number; role: Role; must_change_password: number },
    origin: RequestOrigin,
  ): Promise<TokenPair> {
    const now = this.now();
    const sessionId = randomBytes(16).toString('base64url');
    const refreshToken = firstRefreshToken(sessionId);
    await this.repo.create(
      {
        id: sessionKey(sessionId),
        user_id: user.id,
        ip: origin.ip,
        user_agent: origin.userAgent?.slice(0, 256) ?? null,
      },
      { token_hash: hashToken(refreshToken), expires_at: now + this.policy.refreshTokenLifetimeMs },
      now,
    );
    return this.pair(user.id, user.role, sessionId, refreshToken, user.must_change_password === 1);
  }

  /**
   * Spends a refresh token for a new pair. Spent again within REFRESH_GRACE_MS, while its
   * successor is unspent, it gives that successor again; any other reuse revokes the family and
   * is a HIGH event.
   */
  async refresh(refreshToken: string, origin: RequestOrigin): Promise<TokenPair> {
    const now = this.now();
    const sessionId = sessionIdOf(refreshToken);
    if (sessionId === undefined) throw new ApiError('INVALID_TOKEN', 'refresh token is not valid');
    const next = this.successorOf(sessionId, refreshToken);
    const outcome = await this.repo.rotate(
      hashToken(refreshToken),
      { token_hash: hashToken(next), expires_at: now + this.policy.refreshTokenLifetimeMs },
      now,
      this.cutoffs(now),
    );
    switch (outcome.kind) {
      case 'unknown':
        throw new ApiError('INVALID_TOKEN', 'refresh token is not valid');
      case 'revoked':
        throw new ApiError('INVALID_TOKEN', 'this session has ended; log in again');
      case 'expired':
        await this.repo.revoke(outcome.session.id, 'expired', now);
        throw new ApiError('SESSION_EXPIRED', 'the session expired; log in again');
      case 'reused':
        if (
          outcome.usedAt > now - REFRESH_GRACE_MS &&
          outcome.session.id === sessionKey(sessionId) &&
          (await this.repo.isLive(hashToken(next)))
        ) {
          return this.continued(outcome.session.id, sessionId, next);
        }
        await this.repo.revoke(outcome.session.id, 'refresh token reuse', now);
        this.states.delete(outcome.session.id);
        await this.events.record({
          type: 'authn_token_reuse',
          severity: 'HIGH',
          description: 'a spent refresh token was presented again; the session was revoked',
          ip: origin.ip,
          userId: outcome.session.user_id,
          details: { session: outcome.session.id },
        });
        throw new ApiError(
          'TOKEN_REUSED',
          'refresh token was already used; the session was revoked',
        );
      case 'rotated':
        if (outcome.session.id !== sessionKey(sessionId)) {
          throw new ApiError('INVALID_TOKEN', 'refresh token is not valid');
        }
        return this.continued(outcome.session.id, sessionId, next);
    }
  }

  /** The pair for a session that goes on with refresh token `next`. */
  private async continued(key: string, sessionId: string, next: string): Promise<TokenPair> {
    const state = await this.repo.state(key);
    if (state === undefined || state.disabled === 1) {
      throw new ApiError('INVALID_TOKEN', 'refresh token is not valid');
    }
    return this.pair(state.user_id, state.role, sessionId, next, state.must_change_password === 1);
  }

  private successorOf(sessionId: string, refreshToken: string): string {
    const bits = hmacSha256(this.successorKey, Buffer.from(refreshToken, 'utf8'));
    return `${sessionId}.${bits.toString('base64url')}`;
  }

  /**
   * Checks an access token and its session; the role is the user's current one. A session past
   * its idle or absolute timeout is revoked here; a live one has this use recorded.
   */
  async authenticate(accessToken: string): Promise<Principal> {
    const now = this.now();
    let claims = this.verified.get(accessToken);
    if (claims === undefined || claims.expiresAt <= now) {
      claims = await this.tokens.verify(accessToken);
      if (claims === undefined) {
        throw new ApiError('INVALID_TOKEN', 'access token is invalid or expired');
      }
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
      this.verified.set(accessToken, claims);
    }
    const key = sessionKey(claims.sessionId);
    const state = await this.sessionState(key, now);
    if (
      state === undefined ||
      state.revoked_at !== null ||
      state.disabled === 1 ||
      state.user_id !== claims.userId
    ) {
      throw new ApiError('INVALID_TOKEN', 'this session has ended; log in again');
    }
    const cutoffs = this.cutoffs(now);
    if (state.last_used_at < cutoffs.idle || state.created_at <= cutoffs.started) {
      await this.repo.revoke(key, 'expired', now);
      this.states.delete(key);
      throw new ApiError('SESSION_EXPIRED', 'the session expired; log in again');
    }
    if (now - state.last_used_at >= TOUCH_EVERY_MS) {
      await this.repo.touch(key, now);
      state.last_used_at = now;
    }
    return {
      via: 'token',
      userId: claims.userId,
      role: state.role,
      sessionId: claims.sessionId,
      passwordChangeRequired: state.must_change_password === 1,
    };
  }

  async end(sessionId: string, reason: string): Promise<void> {
    const key = sessionKey(sessionId);
    await this.repo.revoke(key, reason, this.now());
    this.states.delete(key);
  }

  /** Ends every session of the user except `keep`. */
  async endOthers(userId: number, keep: string | undefined, reason: string): Promise<number> {
    const ended = await this.repo.revokeAllOfUser(
      userId,
      reason,
      this.now(),
      keep === undefined ? undefined : sessionKey(keep),
    );
    this.forget();
    return ended;
  }

  /** Revokes every session past its idle or absolute timeout; returns how many. */
  async expireIdle(): Promise<number> {
    const now = this.now();
    const expired = await this.repo.revokeExpired(this.cutoffs(now), now);
    if (expired > 0) this.forget();
    return expired;
  }

  private cutoffs(now: number): { idle: number; started: number } {
    return {
      idle: now - this.policy.idleTimeoutMs,
      started: now - this.policy.refreshTokenLifetimeMs,
    };
  }

  /** Drops every cached session state (after a change to a user's sessions, role or status). */
  forget(): void {
    this.states.clear();
  }

  private async sessionState(key: string, now: number): Promise<SessionState | undefined> {
    const cached = this.states.get(key);
    if (cached !== undefined && cached.until > now) return cached.state;
    const state = await this.repo.state(key);
    // Administrators' sessions are always read fresh: a demotion takes effect at once.
    if (state !== undefined && state.role !== 'admin') {
      if (this.states.size >= CACHE_LIMIT) this.states.clear();
      this.states.set(key, { state, until: now + SESSION_STATE_TTL_MS });
    }
    return state;
  }

  /** A new access token for a session that continues (after a password change, say). */
  async reissue(
    user: { id: number; role: Role },
    sessionId: string,
  ): Promise<{ access_token: string; expires_in: number }> {
    const issued = await this.tokens.issue({
      userId: user.id,
      role: user.role,
      sessionId,
      passwordChangeRequired: false,
    });
    return { access_token: issued.token, expires_in: issued.expiresIn };
  }

  private async pair(
    userId: number,
    role: Role,
    sessionId: string,
    refreshToken: string,
    passwordChangeRequired: boolean,
  ): Promise<TokenPair> {
    const access = await this.tokens.issue({ userId, role, sessionId, passwordChangeRequired });
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: access.expiresIn,
      password_change_required: passwordChangeRequired,
    };
  }
}
