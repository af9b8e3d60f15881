// The replay cache under load, through the HTTP API on every test database: one API key cannot
// use up the nonces of others, a rate-limited request costs its key no nonce, and with Redis a
// nonce stays used across a restart (as across the nodes of a cluster).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { exportJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signRequest, type SigningKey } from '../tools/api-client.ts';
import { PASSWORD, call, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { redisTestUrl, storeFactories } from './support/stores.ts';

const START = Date.UTC(2026, 11, 10, 12);
const QUOTA = 100;

describe.each(storeFactories())('nonce quotas on $name', (factory) => {
  let t: TestApp;

  // The rate limiter reads Date itself: the whole clock moves, not only the app's.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: START });
  });
  afterEach(async () => {
    await t.close();
    vi.useRealTimers();
  });
  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

  async function open(env: Record<string, string>, redisPrefix?: string): Promise<void> {
    t = await openTestApp(
      factory,
      { NONCE_CACHE_SIZE: String(QUOTA), ...env },
      { now: () => Date.now(), ...(redisPrefix === undefined ? {} : { redisPrefix }) },
    );
  }

  /** A user with a read key, set up from its own address so the setup is not limited. */
  async function bot(username: string, ip: string): Promise<SigningKey> {
    const { token } = await signUp(t, username, { ip });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const created = await call(t, 'POST', '/api/auth/api-keys', {
      token,
      ip,
      body: {
        label: username,
        public_key: await exportJWK(pair.publicKey),
        scopes: ['read'],
        password: PASSWORD,
      },
    });
    expect(created.status).toBe(201);
    return { keyId: created.body.id as string, privateKey: pair.privateKey };
  }

  function me(key: SigningKey, ip?: string, headers = signRequest(key, get, { now: Date.now() })) {
    return call(t, 'GET', '/api/auth/me', { headers, ...(ip === undefined ? {} : { ip }) });
  }
  const get = { method: 'GET', url: '/api/auth/me' };
  const codeOf = (reply: Reply) => (reply.body.error as { code?: string } | undefined)?.code;

  it('refuses only the key past its nonce quota, with 429; another user’s signed request still succeeds', async () => {
    await open({});
    const flooder = await bot('flooder', '198.51.100.1');
    const honest = await bot('honest', '198.51.100.2');
    for (let i = 0; i < QUOTA; i += 1) expect((await me(flooder)).status).toBe(200);

    const over = await me(flooder);
    expect(over.status).toBe(429);
    expect(codeOf(over)).toBe('NONCE_QUOTA_EXCEEDED');
    expect((over.body.error as { message: string }).message).toMatch(/this API key/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);

    const other = await me(honest);
    expect(other.status).toBe(200);
    expect(other.body.username).toBe('honest');

    // Once its nonces leave the replay window, the flooder's key has room again.
    advance(2 * 300_000);
    expect((await me(flooder)).status).toBe(200);
  });

  it('a request refused by its user’s rate limit takes no room in the key’s replay cache', async () => {
    // 5 a minute plus a burst of 1 for the user; every request from its own address, so only the
    // user's allowance is spent.
    await open({ API_RATE_LIMIT: '5', API_BURST_LIMIT: '1' });
    const key = await bot('busy', '198.51.100.3');
    const statuses = new Map<number, number>();
    for (let i = 0; i < QUOTA + 20; i += 1) {
      const reply = await me(key, `203.0.113.${i % 250}`);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 429) expect(codeOf(reply)).toBe('RATE_LIMITED');
    }
    // Setting the key up took some of the allowance too.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeLessThanOrEqual(6);
    expect((statuses.get(200) ?? 0) + (statuses.get(429) ?? 0)).toBe(QUOTA + 20);

    // The allowance refills within the replay window: the key's nonces are still its own.
    advance(61_000);
    const after = await me(key, '192.0.2.1');
    expect(after.status).toBe(200);
  });

  it('with REDIS_URL a nonce stays used across a restart, as across the nodes of a cluster', async () => {
    const url = redisTestUrl();
    if (url === undefined) return;
    await open({ REDIS_URL: url }, `test-${randomBytes(6).toString('hex')}`);
    const key = await bot('cluster', '198.51.100.4');
    const headers = signRequest(key, get, { now: Date.now() });
    expect((await me(key, undefined, headers)).status).toBe(200);
    t = await t.reopen();
    const replayed = await me(key, undefined, headers);
    expect(replayed.status).toBe(401);
    expect(codeOf(replayed)).toBe('REPLAY_DETECTED');
    expect((await me(key)).status).toBe(200);
  });
});
