// ES256 access tokens (RFC 9068 profile, RFC 8725 practices) via jose: `typ: at+jwt`, a `kid`,
// pinned algorithm, checked iss/aud/typ/exp. Old signing keys keep verifying after a rotation.
// The lifetime is the server's: a token is dead `ttlSeconds` after its `iat`, whatever its
// `exp` says, and an `iat` in the future is refused.

import { randomUUID, type KeyObject } from 'node:crypto';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import type { Role } from '../store/schema.ts';

export const ISSUER = 'secure-stock-exchange';
export const AUDIENCE = 'secure-stock-exchange-api';
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface SigningKey {
  readonly privateKey?: KeyObject;
  readonly publicKey: KeyObject;
}

export interface AccessClaims {
  userId: number;
  role: Role;
  sessionId: string;
  jti: string;
  expiresAt: number;
  /** The account must change its password before doing anything else. */
  passwordChangeRequired: boolean;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  jti: string;
}

interface Key {
  kid: string;
  jwk: JWK;
  privateKey: KeyObject | undefined;
}

export class AccessTokens {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private readonly keys: readonly Key[],
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    this.keySet = createLocalJWKSet(this.jwks());
  }

  /** `keys[0]` signs; every key verifies. */
  static async create(
    keys: readonly SigningKey[],
    ttlSeconds: number,
    now: () => number,
  ): Promise<AccessTokens> {
    if (keys[0]?.privateKey === undefined)
      throw new Error('the first signing key needs its private half');
    const prepared = await Promise.all(
      keys.map(async (k): Promise<Key> => {
        const jwk = await exportJWK(k.publicKey);
        const kid = await calculateJwkThumbprint(jwk);
        return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' }, privateKey: k.privateKey };
      }),
    );
    return new AccessTokens(prepared, ttlSeconds, now);
  }

  get currentKid(): string {
    return this.signer().kid;
  }

  /** The public keys, as published at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }

  async issue(subject: {
    userId: number;
    role: Role;
    sessionId: string;
    passwordChangeRequired: boolean;
  }): Promise<IssuedToken> {
    const signer = this.signer();
    const jti = randomUUID();
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = { role: subject.role, sid: subject.sessionId };
    if (subject.passwordChangeRequired) claims.pwd_change = true;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(String(subject.userId))
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(signer.privateKey);
    return { token, expiresIn: this.ttlSeconds, jti };
  }

  /** The token's claims, or undefined for any token this exchange did not issue or that expired. */
  async verify(token: string): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: ['ES256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: ACCESS_TOKEN_TYPE,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'jti', 'iat', 'exp', 'sid', 'role'],
        maxTokenAge: this.ttlSeconds,
      });
      const userId = Number(payload.sub);
      const { role, sid, iat = 0, exp = 0 } = payload;
      if (
        !Number.isSafeInteger(userId) ||
        (role !== 'user' && role !== 'admin') ||
        typeof sid !== 'string'
      ) {
        return undefined;
      }
      return {
        userId,
        role,
        sessionId: sid,
        jti: payload.jti ?? '',
        expiresAt: Math.min(exp, iat + this.ttlSeconds) * 1000,
        passwordChangeRequired: payload.pwd_change === true,
      };
    } catch {
      return undefined;
    }
  }

  private signer(): Key & { privateKey: KeyObject } {
    const key = this.keys[0];
    if (key?.privateKey === undefined) throw new Error('no signing key');
    return { ...key, privateKey: key.privateKey };
  }
}
