// API keys outlive sessions, so a token alone must not make one (issue 12, finding 5): creating a
// key takes the password again (and an MFA code when MFA is on), a password change revokes every
// key, and each key made or revoked is an event its owner sees. On every test database.

import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../src/auth/totp.ts';
import { signRequest, type SigningKey } from '../tools/api-client.ts';
import { PASSWORD, call, enableMfa, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

const START = Date.UTC(2026, 11, 10, 12, 0, 0);

describe.each(storeFactories())('registering API keys on $name', (factory) => {
  let t: TestApp;
  let clock: number;

  beforeEach(async () => {
    clock = START;
    t = await openTestApp(factory, {}, { now: () => clock });
  });
  afterEach(async () => {
    await t.close();
  });

  const newPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

  /** POST /api/auth/api-keys with `proof` (password, code) beside the key fields. */
  async function createKey(
    token: string,
    proof: Record<string, unknown>,
    ip?: string,
  ): Promise<{ res: Reply; key: SigningKey }> {
    const pair = newPair();
    const res = await call(t, 'POST', '/api/auth/api-keys', {
      token,
      ...(ip === undefined ? {} : { ip }),
      body: {
        label: 'bot',
        public_key: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        scopes: ['read', 'trade'],
        ...proof,
      },
    });
    return { res, key: { keyId: String(res.body.id), privateKey: pair.privateKey } };
  }

  const signedMe = (key: SigningKey): Promise<Reply> =>
    call(t, 'GET', '/api/auth/me', {
      headers: signRequest(key, { method: 'GET', url: '/api/auth/me' }, { now: clock }),
    });

  async function liveKeys(token: string): Promise<number> {
    const res = await call(t, 'GET', '/api/auth/api-keys', { token });
    return (res.body.api_keys as { revoked_at: string | null }[]).filter(
      (k) => k.revoked_at === null,
    ).length;
  }

  async function ownEvents(token: string): Promise<{ event_type: string; details: unknown }[]> {
    const res = await call(t, 'GET', '/api/auth/security-events', { token });
    expect(res.status).toBe(200);
    return res.body.events as { event_type: string; details: unknown }[];
  }

  it('a bearer token alone cannot register a key: it takes the password again', async () => {
    const { token } = await signUp(t, 'victim');
    const bare = await createKey(token, {});
    expect(bare.res.status).toBe(400);
    expect((bare.res.body.error as { code: string }).code).toBe('VALIDATION_FAILED');
    const wrong = await createKey(token, { password: 'a stolen token, no password' });
    expect(wrong.res.status).toBe(403);
    expect(wrong.res.body).toEqual({
      error: { code: 'REAUTHENTICATION_FAILED', message: 'the password is incorrect' },
    });
    expect(await liveKeys(token)).toBe(0);

    const right = await createKey(token, { password: PASSWORD });
    expect(right.res.status).toBe(201);
    expect(right.res.body).not.toHaveProperty('password');
    expect((await signedMe(right.key)).status).toBe(200);
  });

  it('refuses every password but the right one, and stores no key', async () => {
    const { token } = await signUp(t, 'guessed');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        // Letters, digits and spaces: text the IDS would flag is refused before any password check.
        fc.stringMatching(/^[A-Za-z0-9 ]{1,40}$/).filter((p) => p !== PASSWORD),
        async (guess) => {
          n += 1;
          // A fresh address for each guess, so the brute-force defense stays out of the way.
          const { res } = await createKey(token, { password: guess }, `198.51.100.${n % 250}`);
          expect(res.status).toBe(403);
          expect((res.body.error as { code: string }).code).toBe('REAUTHENTICATION_FAILED');
        },
      ),
      { numRuns: 25 },
    );
    expect(await liveKeys(token)).toBe(0);
  });

  it('with MFA on, the password is not enough: a fresh TOTP or a recovery code is needed', async () => {
    const { token } = await signUp(t, 'careful');
    const { secret, codes } = await enableMfa(t, token, clock);
    clock += 30_000;

    const noCode = await createKey(token, { password: PASSWORD });
    expect(noCode.res.status).toBe(400);
    expect((noCode.res.body.error as { message: string }).message).toMatch(/body\.code/);
    const wrongCode = await createKey(token, { password: PASSWORD, code: '000000' });
    expect(wrongCode.res.status).toBe(403);
    expect((wrongCode.res.body.error as { code: string }).code).toBe('REAUTHENTICATION_FAILED');
    const wrongPassword = await createKey(token, {
      password: 'not it at all',
      code: totpCode({ secret }, clock),
    });
    expect(wrongPassword.res.status).toBe(403);
    expect(await liveKeys(token)).toBe(0);

    expect(
      (await createKey(token, { password: PASSWORD, code: totpCode({ secret }, clock) })).res
        .status,
    ).toBe(201);
    expect((await createKey(token, { password: PASSWORD, code: codes[0] })).res.status).toBe(201);
    // Each code works once.
    expect((await createKey(token, { password: PASSWORD, code: codes[0] })).res.status).toBe(403);
    expect(await liveKeys(token)).toBe(2);
  });

  it('a password change revokes every key and says how many; the old key is refused', async () => {
    const { token } = await signUp(t, 'changer');
    const first = await createKey(token, { password: PASSWORD });
    const second = await createKey(token, { password: PASSWORD });
    expect((await signedMe(first.key)).status).toBe(200);

    const change = await call(t, 'POST', '/api/auth/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'a brand new passphrase' },
    });
    expect(change.status).toBe(200);
    expect(change.body).toMatchObject({ success: true, sessions_ended: 0, api_keys_revoked: 2 });
    for (const key of [first.key, second.key]) {
      const refused = await signedMe(key);
      expect(refused.status).toBe(401);
      expect((refused.body.error as { code: string }).code).toBe('SIGNATURE_INVALID');
    }
    expect(await liveKeys(change.body.access_token as string)).toBe(0);
  });

  it('keeps the keys through a password change only when asked to', async () => {
    const { token } = await signUp(t, 'rotator');
    const { key } = await createKey(token, { password: PASSWORD });
    const change = await call(t, 'POST', '/api/auth/password', {
      token,
      body: {
        current_password: PASSWORD,
        new_password: 'a brand new passphrase',
        keep_api_keys: true,
      },
    });
    expect(change.body).toMatchObject({ success: true, api_keys_revoked: 0 });
    expect((await signedMe(key)).status).toBe(200);
  });

  it('key creation and revocation are events the owner sees, and nobody else', async () => {
    const { token } = await signUp(t, 'owner');
    const other = await signUp(t, 'other');
    const { key } = await createKey(token, { password: PASSWORD });
    await createKey(token, { password: 'a wrong guess here' });
    expect((await call(t, 'DELETE', `/api/auth/api-keys/${key.keyId}`, { token })).status).toBe(
      200,
    );
    await createKey(token, { password: PASSWORD });
    await call(t, 'POST', '/api/auth/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'a brand new passphrase' },
    });

    const seen = await ownEvents(token);
    expect(seen.map((e) => e.event_type)).toEqual([
      'password_changed',
      'api_key_revoked',
      'api_key_created',
      'api_key_revoked',
      'authn_login_fail',
      'api_key_created',
    ]);
    expect(seen[1]?.details).toEqual({ revoked: 1 });
    expect(seen[3]?.details).toEqual({ key: key.keyId, revoked: 1 });
    expect(seen[5]?.details).toMatchObject({ key: key.keyId, label: 'bot', scopes: 'read,trade' });
    expect(await ownEvents(other.token)).toEqual([]);
  });

  it('pages the own events newest first', async () => {
    const { token } = await signUp(t, 'pager');
    for (let i = 0; i < 3; i++) await createKey(token, { password: PASSWORD });
    const first = await call(t, 'GET', '/api/auth/security-events?limit=2', { token });
    expect(first.body.events).toHaveLength(2);
    const next = first.body.next_before_id as number;
    expect(next).toEqual(expect.any(Number));
    const rest = await call(t, 'GET', `/api/auth/security-events?limit=2&before_id=${next}`, {
      token,
    });
    expect(rest.body).toMatchObject({ next_before_id: null });
    expect(rest.body.events).toHaveLength(1);
  });
});
