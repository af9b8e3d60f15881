// Identity and access through the HTTP API, on every test database.

import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt, exportJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../src/auth/access-tokens.ts';
import { totpCode } from '../src/auth/totp.ts';
import { fromBase32 } from '../src/auth/totp.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { signRequest, type SigningKey } from '../tools/api-client.ts';
import { call, register, signIn, type Reply } from './support/api.ts';
import { FAST_HASHER, STARTING_CASH, openTestApp, type TestApp } from './support/app.ts';
import { rawUserData } from './support/raw-store.ts';
import { storeFactories } from './support/stores.ts';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);

/** What the database knows an access token's session by: the SHA-256 of its `sid`. */
function sessionKeyOf(accessToken: string): string {
  return createHash('sha256')
    .update(decodeJwt(accessToken).sid as string)
    .digest('hex');
}

describe.each(storeFactories())('identity and access on $name', (factory) => {
  let t: TestApp;
  let clock: number;

  /** Accounts of people: the exchange's own fee account is not one. */
  async function traderCount(): Promise<number> {
    return (await new UsersRepo(t.store.db).count()) - 1;
  }

  async function events(type: string): Promise<{ severity: string; user_id: number | null }[]> {
    return t.store.db
      .selectFrom('security_events')
      .select(['severity', 'user_id'])
      .where('event_type', '=', type)
      .execute();
  }

  beforeEach(async () => {
    clock = START;
    t = await openTestApp(
      factory,
      { ACCESS_TOKEN_EXPIRE_MINUTES: '15', SESSION_TIMEOUT_MINUTES: '30' },
      {
        now: () => clock,
      },
    );
  });
  afterEach(async () => {
    await t.close();
  });

  describe('registration', () => {
    it('creates the account with the starting cash as a balanced ledger deposit', async () => {
      const res = await call(t, 'POST', '/api/auth/register', {
        body: {
          username: 'trader01',
          email: 'Trader@Example.com',
          password: 'SecurePass123!x',
          full_name: 'John Trader',
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        user_id: expect.any(Number) as number,
        username: 'trader01',
        message: 'Registration successful',
      });
      const userId = res.body.user_id as number;
      const balance = await t.store.db
        .selectFrom('balances')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      expect(balance).toMatchObject({ asset: 'INR', available: STARTING_CASH, held: 0 });
      const entries = await t.store.db.selectFrom('ledger_entries').selectAll().execute();
      expect(entries.map((e) => e.amount).sort((a, b) => a - b)).toEqual([
        -STARTING_CASH,
        STARTING_CASH,
      ]);
      expect(new Set(entries.map((e) => e.tx_id)).size).toBe(1);
    });

    it('refuses a role in the body: nobody registers as admin', async () => {
      const mallory = {
        username: 'mallory',
        email: 'm@example.com',
        password: 'a long enough passphrase',
        full_name: 'M',
      };
      const res = await call(t, 'POST', '/api/auth/register', {
        body: { ...mallory, role: 'admin', must_change_password: 0, id: 1 },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await new UsersRepo(t.store.db).findByUsername('mallory')).toBeUndefined();
      expect((await call(t, 'POST', '/api/auth/register', { body: mallory })).status).toBe(201);
      const user = await new UsersRepo(t.store.db).findByUsername('mallory');
      expect(user?.role).toBe('user');
      const tokens = await signIn(t, 'mallory');
      expect(decodeJwt(tokens.access_token as string).role).toBe('user');
      expect(
        (await call(t, 'GET', '/api/admin/users', { token: tokens.access_token as string })).status,
      ).toBe(403);
    });

    it.each([
      ['short', 'password must be at least 8 characters'],
      ['x'.repeat(129), 'password must be at most 128 characters'],
      ['password1', 'this password is too common: it appears in lists of breached passwords'],
      ['iloveyou', 'this password is too common: it appears in lists of breached passwords'],
      ['aaaaaaaaaaaa', 'a password of one repeated character is too easy to guess'],
      ['carol-the-trader', 'password must not contain the username or the name of this service'],
    ])('refuses the password %j with 422 and the reason', async (password, message) => {
      const res = await call(t, 'POST', '/api/auth/register', {
        body: { username: 'carol', email: 'c@example.com', password, full_name: 'Carol' },
      });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ error: { code: 'PASSWORD_POLICY', message } });
      expect(await new UsersRepo(t.store.db).findByUsername('carol')).toBeUndefined();
    });

    it('accepts long passphrases and any characters, with no composition rules', async () => {
      await register(t, 'dave', {
        password: 'ç'.repeat(40) + ' spaces and émoji 🚀 ' + 'z'.repeat(60),
      });
      await register(t, 'erin', { password: 'alllowercaseletters' });
      expect(await traderCount()).toBe(2);
    });

    it.each([
      [
        {
          username: 'ab',
          email: 'a@example.com',
          password: 'a long enough passphrase',
          full_name: 'A',
        },
        'body.username',
      ],
      [
        {
          username: 'bad name',
          email: 'a@example.com',
          password: 'a long enough passphrase',
          full_name: 'A',
        },
        'body.username',
      ],
      [
        {
          username: 'okname',
          email: 'not-an-email',
          password: 'a long enough passphrase',
          full_name: 'A',
        },
        'body.email',
      ],
      [{ username: 'okname', email: 'a@example.com', full_name: 'A' }, 'body'],
    ])('refuses malformed input %j with 400', async (body, field) => {
      const res = await call(t, 'POST', '/api/auth/register', { body });
      expect(res.status).toBe(400);
      expect((res.body.error as { code: string; message: string }).code).toBe('VALIDATION_FAILED');
      expect((res.body.error as { message: string }).message).toContain(field);
      expect(await traderCount()).toBe(0);
    });

    it('says in words what a username may contain, and lists the rule for programs', async () => {
      const res = await call(t, 'POST', '/api/auth/register', {
        body: {
          username: 'trader 01',
          email: 'a@example.com',
          password: 'a long enough passphrase',
          full_name: 'A',
        },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'body.username may contain only letters, digits, _ . -',
          details: [{ field: 'body.username', rule: 'pattern', expected: '^[A-Za-z0-9_.-]+$' }],
        },
      });
    });

    it('answers 409 for a taken username or email, whatever the case', async () => {
      await register(t, 'frank');
      const sameName = await call(t, 'POST', '/api/auth/register', {
        body: {
          username: 'FRANK',
          email: 'other@example.com',
          password: 'a long enough passphrase',
          full_name: 'F',
        },
      });
      expect(sameName.status).toBe(409);
      expect(sameName.body).toEqual({
        error: { code: 'USERNAME_TAKEN', message: 'this username is taken' },
      });
      const sameEmail = await call(t, 'POST', '/api/auth/register', {
        body: {
          username: 'frank2',
          email: 'FRANK@example.com',
          password: 'a long enough passphrase',
          full_name: 'F',
        },
      });
      expect(sameEmail.status).toBe(409);
      expect(await traderCount()).toBe(1);
    });

    it('stores email and name encrypted, with no plaintext in the database', async () => {
      await register(t, 'grace');
      const row = await new UsersRepo(t.store.db).findByUsername('grace');
      expect(row?.email_enc).toMatch(/^v1\.1\./);
      expect(JSON.stringify(row)).not.toContain('grace@example.com');
      expect(JSON.stringify(row)).not.toContain('grace Trader');
      const me = await call(t, 'GET', '/api/auth/me', {
        token: (await signIn(t, 'grace')).access_token as string,
      });
      expect(me.body).toMatchObject({
        username: 'grace',
        email: 'grace@example.com',
        full_name: 'grace Trader',
      });
    });
  });

  describe('login', () => {
    it('gives the same answer for an unknown user and a wrong password', async () => {
      await register(t, 'heidi');
      const unknown = await call(t, 'POST', '/api/auth/login', {
        body: { username: 'nobody', password: 'whatever it is' },
      });
      const wrong = await call(t, 'POST', '/api/auth/login', {
        body: { username: 'heidi', password: 'whatever it is' },
      });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(unknown.body).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'username or password is incorrect' },
      });
      expect(await events('authn_login_fail')).toHaveLength(2);
    });

    it('returns an ES256 at+jwt with kid, iss, aud, sub, role, jti, iat and exp', async () => {
      const userId = await register(t, 'ivan');
      const tokens = await signIn(t, 'ivan');
      expect(tokens).toMatchObject({
        success: true,
        token_type: 'bearer',
        expires_in: 900,
        mfa_required: false,
      });
      const [header] = (tokens.access_token as string).split('.');
      const protectedHeader = JSON.parse(
        Buffer.from(header ?? '', 'base64url').toString(),
      ) as Record<string, string>;
      expect(protectedHeader).toEqual({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: expect.any(String) as string,
      });
      const claims = decodeJwt(tokens.access_token as string);
      expect(claims).toMatchObject({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: String(userId),
        role: 'user',
        iat: START / 1000,
        exp: START / 1000 + 900,
      });
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      const jwks = await call(t, 'GET', '/.well-known/jwks.json');
      expect((jwks.body.keys as { kid: string }[]).map((k) => k.kid)).toContain(
        protectedHeader.kid,
      );
    });

    it('rehashes a password stored with old parameters', async () => {
      const userId = await register(t, 'judy');
      const users = new UsersRepo(t.store.db);
      const { PasswordHasher } = await import('../src/auth/password.ts');
      const old = await new PasswordHasher({ memoryCost: 512, timeCost: 1, parallelism: 1 }).hash(
        'a long enough passphrase',
      );
      await users.update(userId, { password_hash: old });
      await signIn(t, 'judy');
      const rehashed = (await users.findById(userId))?.password_hash ?? '';
      expect(rehashed).not.toBe(old);
      expect(FAST_HASHER.needsRehash(rehashed)).toBe(false);
    });
  });

  describe('JWT attacks', () => {
    let userId: number;
    let good: string;
    beforeEach(async () => {
      userId = await register(t, 'victim');
      good = (await signIn(t, 'victim')).access_token as string;
      expect((await call(t, 'GET', '/api/auth/me', { token: good })).status).toBe(200);
    });

    const claimsOf = (token: string): Record<string, unknown> => decodeJwt(token);

    it('refuses alg: none', async () => {
      const forged = new UnsecuredJWT({ ...claimsOf(good), role: 'admin' }).encode();
      expect((await call(t, 'GET', '/api/auth/me', { token: forged })).status).toBe(401);
    });

    it('refuses HS256 signed with the public key', async () => {
      const jwks = (await call(t, 'GET', '/.well-known/jwks.json')).body.keys as Record<
        string,
        string
      >[];
      const pem = createPublicKey({ key: jwks[0] as JsonWebKey, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const forged = await new SignJWT({ ...claimsOf(good), role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwks[0]?.kid ?? '' })
        .sign(Buffer.from(pem));
      const res = await call(t, 'GET', '/api/auth/me', { token: forged });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'INVALID_TOKEN', message: 'access token is invalid or expired' },
      });
    });

    it('refuses an expired token', async () => {
      clock += 15 * 60_000 + 1000;
      expect((await call(t, 'GET', '/api/auth/me', { token: good })).status).toBe(401);
    });

    it('refuses a wrong aud or iss, signed by another key', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const attackerToken = (iss: string, aud: string): Promise<string> =>
        new SignJWT({ role: 'admin', sid: claimsOf(good).sid as string })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
          .setIssuer(iss)
          .setAudience(aud)
          .setSubject(String(userId))
          .setJti('x')
          .setIssuedAt(START / 1000)
          .setExpirationTime(START / 1000 + 600)
          .sign(privateKey);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await attackerToken(ISSUER, AUDIENCE) }))
          .status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await attackerToken('evil', AUDIENCE) }))
          .status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await attackerToken(ISSUER, 'other-api') }))
          .status,
      ).toBe(401);
    });

    it('refuses a token whose aud or iss differs, even signed with the real key', async () => {
      const { ensureKeyMaterial } = await import('../src/store/key-files.ts');
      const { keys } = ensureKeyMaterial(t.config);
      const kid = (await call(t, 'GET', '/.well-known/jwks.json')).body.keys as { kid: string }[];
      const withClaims = (iss: string, aud: string, typ = 'at+jwt'): Promise<string> =>
        new SignJWT({ role: 'user', sid: claimsOf(good).sid as string })
          .setProtectedHeader({ alg: 'ES256', typ, kid: kid[0]?.kid ?? '' })
          .setIssuer(iss)
          .setAudience(aud)
          .setSubject(String(userId))
          .setJti('j')
          .setIssuedAt(START / 1000)
          .setExpirationTime(START / 1000 + 600)
          .sign(keys.signing.privateKey);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await withClaims(ISSUER, AUDIENCE) }))
          .status,
      ).toBe(200);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await withClaims('evil', AUDIENCE) }))
          .status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await withClaims(ISSUER, 'other') })).status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: await withClaims(ISSUER, AUDIENCE, 'JWT') }))
          .status,
      ).toBe(401);
    });

    // Issue 12, finding 1: the lifetime is the server's, whatever `exp` says.
    it('refuses a token older than the access-token lifetime, even with a far exp', async () => {
      const { ensureKeyMaterial } = await import('../src/store/key-files.ts');
      const { keys } = ensureKeyMaterial(t.config);
      const kid = (
        (await call(t, 'GET', '/.well-known/jwks.json')).body.keys as { kid: string }[]
      )[0]?.kid;
      const issued = (iat: number): Promise<string> =>
        new SignJWT({ role: 'user', sid: claimsOf(good).sid as string })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kid ?? '' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setSubject(String(userId))
          .setJti('long-lived')
          .setIssuedAt(iat)
          .setExpirationTime(iat + 10 * 365 * 86_400)
          .sign(keys.signing.privateKey);
      const tenYears = await issued(START / 1000);
      expect((await call(t, 'GET', '/api/auth/me', { token: tenYears })).status).toBe(200);
      clock += 16 * 60_000;
      const late = await call(t, 'GET', '/api/auth/me', { token: tenYears });
      expect(late.status).toBe(401);
      expect((late.body.error as { code: string }).code).toBe('INVALID_TOKEN');
      // Issued in the future, to outlive the check: refused too.
      const ahead = await issued(clock / 1000 + 3600);
      expect((await call(t, 'GET', '/api/auth/me', { token: ahead })).status).toBe(401);
    });

    it('refuses a tampered payload', async () => {
      const [h, , s] = good.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claimsOf(good), role: 'admin' })).toString(
        'base64url',
      );
      expect((await call(t, 'GET', '/api/auth/me', { token: `${h}.${payload}.${s}` })).status).toBe(
        401,
      );
    });

    it('refuses a refresh token used as an access token', async () => {
      const refresh = (await signIn(t, 'victim')).refresh_token as string;
      expect((await call(t, 'GET', '/api/auth/me', { token: refresh })).status).toBe(401);
    });

    it('refuses the token after logout', async () => {
      expect((await call(t, 'POST', '/api/auth/logout', { token: good })).status).toBe(200);
      const res = await call(t, 'GET', '/api/auth/me', { token: good });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'INVALID_TOKEN', message: 'this session has ended; log in again' },
      });
    });

    it('refuses requests without credentials or with a malformed header', async () => {
      expect((await call(t, 'GET', '/api/auth/me')).status).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { headers: { authorization: 'Basic abc' } })).status,
      ).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use; reuse revokes the family and is a HIGH event', async () => {
      const userId = await register(t, 'kate');
      const first = await signIn(t, 'kate');
      const second = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: first.refresh_token },
      });
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      const third = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: second.body.refresh_token },
      });
      expect(third.status).toBe(200);

      const replay = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: first.refresh_token },
      });
      expect(replay.status).toBe(401);
      expect((replay.body.error as { code: string }).code).toBe('TOKEN_REUSED');
      expect(await events('authn_token_reuse')).toEqual([{ severity: 'HIGH', user_id: userId }]);

      // The whole family is gone: the newest refresh token and the access tokens too.
      expect(
        (
          await call(t, 'POST', '/api/auth/refresh', {
            body: { refresh_token: third.body.refresh_token },
          })
        ).status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: third.body.access_token as string })).status,
      ).toBe(401);
    });

    it('expire after the idle timeout', async () => {
      await register(t, 'leo');
      const tokens = await signIn(t, 'leo');
      clock += 31 * 60_000;
      const res = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: tokens.refresh_token },
      });
      expect(res.status).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('SESSION_EXPIRED');
    });

    // Issue 12, finding 11: two tabs refreshing at once are not a theft.
    it('give concurrent refreshes of one token the same successor, and raise no reuse event', async () => {
      await register(t, 'rhea');
      const first = await signIn(t, 'rhea');
      const replies = await Promise.all(
        Array.from({ length: 10 }, () =>
          call(t, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
      const successors = new Set(replies.map((r) => r.body.refresh_token));
      expect(successors.size).toBe(1);
      expect(await events('authn_token_reuse')).toEqual([]);
      for (const reply of replies) {
        const me = await call(t, 'GET', '/api/auth/me', {
          token: reply.body.access_token as string,
        });
        expect(me.status).toBe(200);
      }
      const next = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: [...successors][0] },
      });
      expect(next.status).toBe(200);
    });

    it('treat a refresh again after the grace window, or past a spent successor, as theft', async () => {
      const userId = await register(t, 'sven');
      const first = await signIn(t, 'sven');
      const second = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: first.refresh_token },
      });
      expect(second.status).toBe(200);
      clock += 11_000;
      const late = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: first.refresh_token },
      });
      expect(late.status).toBe(401);
      expect((late.body.error as { code: string }).code).toBe('TOKEN_REUSED');
      expect(await events('authn_token_reuse')).toEqual([{ severity: 'HIGH', user_id: userId }]);

      const again = await signIn(t, 'sven');
      const a1 = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: again.refresh_token },
      });
      const a2 = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: a1.body.refresh_token },
      });
      expect([a1.status, a2.status]).toEqual([200, 200]);
      const stale = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: again.refresh_token },
      });
      expect((stale.body.error as { code: string }).code).toBe('TOKEN_REUSED');
      const after = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: a2.body.refresh_token },
      });
      expect(after.status).toBe(401);
    });

    // Issue 12, finding 1: timeouts hold on every request, not only on refresh.
    it('end a session idle past the timeout on its next request, and count a use as activity', async () => {
      const long = await openTestApp(
        factory,
        { ACCESS_TOKEN_EXPIRE_MINUTES: '120', SESSION_TIMEOUT_MINUTES: '30' },
        { now: () => clock },
      );
      try {
        await register(long, 'nina');
        const busy = (await signIn(long, 'nina')).access_token as string;
        const idle = (await signIn(long, 'nina')).access_token as string;
        for (let i = 0; i < 4; i += 1) {
          clock += 20 * 60_000;
          expect((await call(long, 'GET', '/api/auth/me', { token: busy })).status).toBe(200);
        }
        const res = await call(long, 'GET', '/api/auth/me', { token: idle });
        expect(res.status).toBe(401);
        expect((res.body.error as { code: string }).code).toBe('SESSION_EXPIRED');
        const sid = sessionKeyOf(idle);
        const row = await long.store.db
          .selectFrom('sessions')
          .select(['revoked_at', 'revoke_reason'])
          .where('id', '=', sid)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ revoked_at: clock, revoke_reason: 'expired' });
      } finally {
        await long.close();
      }
    });

    it('revoke idle sessions in the database without waiting for a request', async () => {
      await register(t, 'olga');
      const token = (await signIn(t, 'olga')).access_token as string;
      clock += 31 * 60_000;
      expect(await t.exchange.identity.sessions.expireIdle()).toBe(1);
      const row = await t.store.db
        .selectFrom('sessions')
        .select('revoked_at')
        .where('id', '=', sessionKeyOf(token))
        .executeTakeFirstOrThrow();
      expect(row.revoked_at).toBe(clock);
    });

    it('end a session REFRESH_TOKEN_EXPIRE_DAYS after login, however often it is refreshed', async () => {
      const short = await openTestApp(
        factory,
        { REFRESH_TOKEN_EXPIRE_DAYS: '1', SESSION_TIMEOUT_MINUTES: '30' },
        { now: () => clock },
      );
      try {
        await register(short, 'pia');
        let refresh = (await signIn(short, 'pia')).refresh_token as string;
        for (let minutes = 20; minutes < 24 * 60; minutes += 20) {
          clock += 20 * 60_000;
          const res = await call(short, 'POST', '/api/auth/refresh', {
            body: { refresh_token: refresh },
          });
          expect(res.status).toBe(200);
          refresh = res.body.refresh_token as string;
        }
        clock += 20 * 60_000;
        const res = await call(short, 'POST', '/api/auth/refresh', {
          body: { refresh_token: refresh },
        });
        expect(res.status).toBe(401);
        expect((res.body.error as { code: string }).code).toBe('SESSION_EXPIRED');
      } finally {
        await short.close();
      }
    });

    it('store session ids and refresh tokens only as hashes', async () => {
      await register(t, 'quin');
      const tokens = await signIn(t, 'quin');
      const sid = decodeJwt(tokens.access_token as string).sid as string;
      const sessions = await t.store.db.selectFrom('sessions').select('id').execute();
      expect(sessions.map((r) => r.id)).toEqual([sessionKeyOf(tokens.access_token as string)]);
      const dump = JSON.stringify([
        sessions,
        await t.store.db.selectFrom('refresh_tokens').selectAll().execute(),
        await t.store.db.selectFrom('security_events').selectAll().execute(),
      ]);
      expect(dump).not.toContain(sid);
      expect(dump).not.toContain((tokens.refresh_token as string).split('.')[1]);
    });

    it('refuses an unknown token', async () => {
      const res = await call(t, 'POST', '/api/auth/refresh', {
        body: { refresh_token: 'x'.repeat(43) },
      });
      expect(res.status).toBe(401);
    });
  });

  describe('passwords and profile', () => {
    it('changing the password ends every other session but keeps this one', async () => {
      await register(t, 'mike');
      const a = await signIn(t, 'mike');
      const b = await signIn(t, 'mike');
      const res = await call(t, 'POST', '/api/auth/password', {
        token: a.access_token as string,
        body: {
          current_password: 'a long enough passphrase',
          new_password: 'another fine passphrase',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, sessions_ended: 1 });
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: b.access_token as string })).status,
      ).toBe(401);
      expect(
        (await call(t, 'POST', '/api/auth/refresh', { body: { refresh_token: b.refresh_token } }))
          .status,
      ).toBe(401);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: a.access_token as string })).status,
      ).toBe(200);
      expect(
        (
          await call(t, 'POST', '/api/auth/login', {
            body: { username: 'mike', password: 'a long enough passphrase' },
          })
        ).status,
      ).toBe(401);
      await signIn(t, 'mike', { password: 'another fine passphrase' });
      expect(await events('password_changed')).toHaveLength(1);
    });

    it('refuses role and other fields on profile update, changing nothing', async () => {
      const userId = await register(t, 'nina');
      const { access_token } = await signIn(t, 'nina');
      const before = await new UsersRepo(t.store.db).findById(userId);
      const res = await call(t, 'PATCH', '/api/auth/me', {
        token: access_token as string,
        body: { full_name: 'Nina N.', role: 'admin', username: 'root', mfa_enabled: true },
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await new UsersRepo(t.store.db).findById(userId)).toEqual(before);
    });

    it('forces a first admin to change the password before anything else', async () => {
      const userId = await register(t, 'boss');
      await new UsersRepo(t.store.db).update(userId, { role: 'admin', must_change_password: 1 });
      const tokens = await signIn(t, 'boss');
      expect(tokens.password_change_required).toBe(true);
      const blocked = await call(t, 'GET', '/api/admin/users', {
        token: tokens.access_token as string,
      });
      expect(blocked.status).toBe(403);
      expect((blocked.body.error as { code: string }).code).toBe('PASSWORD_CHANGE_REQUIRED');
      const changed = await call(t, 'POST', '/api/auth/password', {
        token: tokens.access_token as string,
        body: {
          current_password: 'a long enough passphrase',
          new_password: 'the operator passphrase',
        },
      });
      expect(changed.status).toBe(200);
      const list = await call(t, 'GET', '/api/admin/users', {
        token: changed.body.access_token as string,
      });
      expect(list.status).toBe(200);
      expect((list.body.users as { username: string }[]).map((u) => u.username)).toEqual([
        'exchange',
        'boss',
      ]);
    });
  });

  describe('MFA', () => {
    async function enable(
      username: string,
    ): Promise<{ secret: Uint8Array; codes: string[]; token: string }> {
      await register(t, username);
      const { access_token } = await signIn(t, username);
      const enrol = await call(t, 'POST', '/api/auth/mfa/enroll', {
        token: access_token as string,
      });
      expect(enrol.status).toBe(200);
      expect(enrol.body.qr_code).toMatch(/^data:image\/png;base64,/);
      expect(enrol.body.otpauth_uri).toContain(`:${username}?`);
      const secret = fromBase32(enrol.body.secret as string);
      const confirm = await call(t, 'POST', '/api/auth/mfa/confirm', {
        token: access_token as string,
        body: { code: totpCode({ secret }, clock) },
      });
      expect(confirm.status).toBe(200);
      const codes = confirm.body.recovery_codes as string[];
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      return { secret, codes, token: access_token as string };
    }

    it('turns login into two steps, and a code works once', async () => {
      const { secret } = await enable('olga');
      clock += 30_000;
      const first = await signIn(t, 'olga');
      expect(first).toMatchObject({ mfa_required: true, expires_in: 300 });
      expect(first.access_token).toBeUndefined();
      const code = totpCode({ secret }, clock);
      const done = await call(t, 'POST', '/api/auth/mfa/verify', {
        body: { mfa_token: first.mfa_token, code },
      });
      expect(done.status).toBe(200);
      expect(
        (await call(t, 'GET', '/api/auth/me', { token: done.body.access_token as string })).body
          .mfa_enabled,
      ).toBe(true);

      const second = await signIn(t, 'olga');
      const reused = await call(t, 'POST', '/api/auth/mfa/verify', {
        body: { mfa_token: second.mfa_token, code },
      });
      expect(reused.status).toBe(401);
      expect((reused.body.error as { code: string }).code).toBe('MFA_CODE_INVALID');
      const challengeReused = await call(t, 'POST', '/api/auth/mfa/verify', {
        body: { mfa_token: first.mfa_token, code: totpCode({ secret }, clock + 30_000) },
      });
      expect(challengeReused.status).toBe(401);
    });

    it('stores the TOTP secret encrypted', async () => {
      const { secret } = await enable('pat');
      const row = await new UsersRepo(t.store.db).findByUsername('pat');
      const { base32 } = await import('../src/auth/totp.ts');
      expect(row?.mfa_secret_enc).toMatch(/^v1\./);
      expect(row?.mfa_secret_enc).not.toContain(base32(secret));
    });

    it('accepts each recovery code once', async () => {
      const { codes } = await enable('quinn');
      const a = await signIn(t, 'quinn');
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/verify', {
            body: { mfa_token: a.mfa_token, code: codes[0] },
          })
        ).status,
      ).toBe(200);
      const b = await signIn(t, 'quinn');
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/verify', {
            body: { mfa_token: b.mfa_token, code: codes[0] },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/verify', {
            body: { mfa_token: b.mfa_token, code: codes[1] },
          })
        ).status,
      ).toBe(200);
      expect(await events('recovery_code_used')).toHaveLength(2);
    });

    it('burns a challenge after five wrong codes', async () => {
      const { secret } = await enable('rita');
      clock += 30_000;
      const a = await signIn(t, 'rita');
      for (let i = 0; i < 5; i++) {
        expect(
          (
            await call(t, 'POST', '/api/auth/mfa/verify', {
              body: { mfa_token: a.mfa_token, code: '000000' },
            })
          ).status,
        ).toBe(401);
      }
      const right = await call(t, 'POST', '/api/auth/mfa/verify', {
        body: { mfa_token: a.mfa_token, code: totpCode({ secret }, clock) },
      });
      expect(right.status).toBe(401);
      expect((right.body.error as { code: string }).code).toBe('MFA_CHALLENGE_INVALID');
    });

    it('turning MFA off needs the password and a code', async () => {
      const { secret, token } = await enable('sam');
      clock += 30_000;
      const code = totpCode({ secret }, clock);
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/disable', {
            token,
            body: { password: 'wrong password!', code },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/disable', {
            token,
            body: { password: 'a long enough passphrase', code: '123456' },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(t, 'POST', '/api/auth/mfa/disable', {
            token,
            body: { password: 'a long enough passphrase', code },
          })
        ).status,
      ).toBe(200);
      expect((await signIn(t, 'sam')).mfa_required).toBe(false);
    });
  });

  describe('API keys and signed requests', () => {
    let key: SigningKey;
    let userToken: string;

    beforeEach(async () => {
      await register(t, 'bot');
      userToken = (await signIn(t, 'bot')).access_token as string;
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const created = await call(t, 'POST', '/api/auth/api-keys', {
        token: userToken,
        body: {
          label: 'market maker',
          public_key: await exportJWK(pair.publicKey),
          scopes: ['read'],
          password: 'a long enough passphrase',
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        label: 'market maker',
        scopes: ['read'],
        revoked_at: null,
      });
      key = { keyId: created.body.id as string, privateKey: pair.privateKey };
    });

    async function signed(
      url: string,
      headers: Record<string, string>,
      method: 'GET' | 'POST' = 'GET',
      body?: string,
    ): Promise<Reply> {
      return call(t, method, url, {
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
      });
    }

    it('accepts a signed request once; a replay is refused and recorded', async () => {
      const headers = signRequest(key, { method: 'GET', url: '/api/auth/me' }, { now: clock });
      const ok = await signed('/api/auth/me', headers);
      expect(ok.status).toBe(200);
      expect(ok.body.username).toBe('bot');
      const again = await signed('/api/auth/me', headers);
      expect(again.status).toBe(401);
      expect((again.body.error as { code: string }).code).toBe('REPLAY_DETECTED');
      expect(await events('replay_detected')).toHaveLength(1);
    });

    it('refuses a stale timestamp', async () => {
      const headers = signRequest(
        key,
        { method: 'GET', url: '/api/auth/me' },
        { now: clock - 301_000 },
      );
      const res = await signed('/api/auth/me', headers);
      expect(res.status).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('REPLAY_DETECTED');
      const future = signRequest(
        key,
        { method: 'GET', url: '/api/auth/me' },
        { now: clock + 301_000 },
      );
      expect((await signed('/api/auth/me', future)).status).toBe(401);
    });

    it('refuses a modified body, path or query', async () => {
      const body = JSON.stringify({ full_name: 'x' });
      const headers = signRequest(
        key,
        { method: 'POST', url: '/api/auth/mfa/confirm', body },
        { now: clock },
      );
      // The signature covers the body: another body does not verify.
      const tampered = await signed(
        '/api/auth/mfa/confirm',
        headers,
        'POST',
        JSON.stringify({ full_name: 'y' }),
      );
      expect(tampered.status).toBe(403);
      const me = signRequest(key, { method: 'GET', url: '/api/auth/me' }, { now: clock });
      const otherQuery = await signed('/api/auth/me?x=1', me);
      expect(otherQuery.status).toBe(401);
      expect((otherQuery.body.error as { code: string }).code).toBe('SIGNATURE_INVALID');
      expect(await events('signature_invalid')).toHaveLength(1);
    });

    it('refuses a request whose body differs from the signed one', async () => {
      // Signed over a body that is not the one sent (here: none).
      const headers = signRequest(
        key,
        { method: 'GET', url: '/api/auth/me', body: '{"a":1}' },
        { now: clock },
      );
      const res = await signed('/api/auth/me', headers);
      expect(res.status).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('SIGNATURE_INVALID');
    });

    it('refuses a key on routes that need a user session, and a key lacking the scope', async () => {
      const headers = signRequest(
        key,
        { method: 'GET', url: '/api/auth/api-keys' },
        { now: clock },
      );
      const res = await signed('/api/auth/api-keys', headers);
      expect(res.status).toBe(403);
    });

    it('stops working once revoked; someone else cannot see or revoke it (404)', async () => {
      await register(t, 'eve');
      const eve = (await signIn(t, 'eve')).access_token as string;
      expect(
        ((await call(t, 'GET', '/api/auth/api-keys', { token: eve })).body.api_keys as unknown[])
          .length,
      ).toBe(0);
      expect(
        (await call(t, 'DELETE', `/api/auth/api-keys/${key.keyId}`, { token: eve })).status,
      ).toBe(404);
      expect(
        (
          await signed(
            '/api/auth/me',
            signRequest(key, { method: 'GET', url: '/api/auth/me' }, { now: clock }),
          )
        ).status,
      ).toBe(200);

      expect(
        (await call(t, 'DELETE', `/api/auth/api-keys/${key.keyId}`, { token: userToken })).status,
      ).toBe(200);
      const after = await signed(
        '/api/auth/me',
        signRequest(key, { method: 'GET', url: '/api/auth/me' }, { now: clock }),
      );
      expect(after.status).toBe(401);
      expect(
        (await call(t, 'DELETE', `/api/auth/api-keys/${key.keyId}`, { token: userToken })).status,
      ).toBe(404);
    });

    it('refuses a public key that is not P-256, or a private key', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      for (const publicKey of [
        rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        'not a key',
      ]) {
        const res = await call(t, 'POST', '/api/auth/api-keys', {
          token: userToken,
          body: {
            label: 'x',
            public_key: publicKey,
            scopes: ['trade'],
            password: 'a long enough passphrase',
          },
        });
        expect(res.status).toBe(400);
        expect((res.body.error as { code: string }).code).toBe('INVALID_PUBLIC_KEY');
      }
    });
  });

  describe('roles and route policies', () => {
    it('every registered route declares an access policy', () => {
      const policies = t.exchange.routePolicies.filter((p) => p.method !== 'HEAD');
      expect(policies.length).toBeGreaterThan(15);
      const undeclared = policies
        .filter((p) => p.access === undefined)
        .map((p) => `${p.method} ${p.url}`);
      expect(undeclared).toEqual([]);
      const publicRoutes = policies
        .filter((p) => p.access === 'public' && !p.url.startsWith('/docs'))
        .map((p) => `${p.method} ${p.url}`)
        .sort();
      expect(publicRoutes).toEqual([
        'GET /',
        'GET /*',
        'GET /.well-known/jwks.json',
        'GET /api/audit/tree-head',
        'GET /api/health',
        'GET /api/market/rules',
        'GET /api/market/stock/:symbol',
        'GET /api/market/stock/:symbol/candles',
        'GET /api/market/stock/:symbol/orderbook',
        'GET /api/market/stock/:symbol/trades',
        'GET /api/market/stocks',
        'GET /ws/market',
        'GET /ws/orders',
        'GET /ws/portfolio',
        'GET /ws/security',
        'OPTIONS *',
        'POST /api/auth/login',
        'POST /api/auth/mfa/verify',
        'POST /api/auth/refresh',
        'POST /api/auth/register',
      ]);
    });

    it('a route without a policy stops the app from starting', async () => {
      const { buildExchange } = await import('../src/app.ts');
      const { openKeyring } = await import('../src/store/data-keys.repo.ts');
      const { ensureKeyMaterial } = await import('../src/store/key-files.ts');
      const { keys } = ensureKeyMaterial(t.config);
      const keyring = await openKeyring(t.store.db, keys.masterKey, clock);
      const { app } = await buildExchange({ config: t.config, store: t.store, keys, keyring });
      app.get('/api/forgotten', () => ({ oops: true }));
      await expect(app.ready()).rejects.toThrow(
        'routes without an access policy: GET /api/forgotten',
      );
    });

    it('admin routes answer 403 to users and record it', async () => {
      await register(t, 'user1');
      const { access_token } = await signIn(t, 'user1');
      const res = await call(t, 'GET', '/api/admin/users', { token: access_token as string });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: { code: 'FORBIDDEN', message: 'this route is for administrators' },
      });
      expect(await events('authz_fail')).toHaveLength(1);
    });

    it('a demoted admin loses admin routes at once, not when the token expires', async () => {
      const id = await register(t, 'ops');
      const users = new UsersRepo(t.store.db);
      await users.update(id, { role: 'admin' });
      const { access_token } = await signIn(t, 'ops');
      expect(
        (await call(t, 'GET', '/api/admin/users', { token: access_token as string })).status,
      ).toBe(200);
      await users.update(id, { role: 'user' });
      expect(
        (await call(t, 'GET', '/api/admin/users', { token: access_token as string })).status,
      ).toBe(403);
    });
  });

  it('keeps emails and names out of the raw database', async () => {
    await register(t, 'zoe');
    const raw = await rawUserData(t.store, t.file);
    expect(raw).not.toContain('zoe@example.com');
    expect(raw).not.toContain('zoe Trader');
    expect(raw).toContain('zoe');
  });
});
