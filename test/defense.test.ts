// Rate limits, brute-force blocking, IP blocks and the client address, through the HTTP API.

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { IDS_EVENT_WINDOW_MS } from '../src/defense/guard.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import {
  PASSWORD,
  call as callApi,
  login,
  register,
  signUp,
  type Reply,
  type Request,
} from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

const sqliteFactory = storeFactories()[0];
if (sqliteFactory === undefined) throw new Error('no SQLite factory');
const sqlite = sqliteFactory;

/** Requests come from an outside address unless a test names another. */
const OUTSIDE = '203.0.113.10';

/** `xff` is the X-Forwarded-For header. */
function call(
  t: TestApp,
  method: 'GET' | 'POST',
  url: string,
  { xff, ...request }: Request & { xff?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = xff === undefined ? {} : { 'x-forwarded-for': xff };
  return callApi(t, method, url, { ip: OUTSIDE, headers, ...request });
}

describe('defense', () => {
  let t: TestApp | undefined;
  let clock = Date.UTC(2026, 10, 22, 12);
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function open(env: Record<string, string>): Promise<TestApp> {
    clock = Date.UTC(2026, 10, 22, 12);
    t = await openTestApp(sqlite, env, { now: () => clock });
    return t;
  }

  it('limits requests per address with a burst, answering 429 with Retry-After and RateLimit headers', async () => {
    const app = await open({ API_RATE_LIMIT: '4', API_BURST_LIMIT: '2' });
    const statuses: number[] = [];
    let limited: Reply | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await call(app, 'GET', '/api/auth/me');
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    expect(limited?.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.headers['ratelimit-limit']).toBe('6');
    expect(limited?.headers['ratelimit-remaining']).toBe('0');
    // Another address has its own allowance; market data has a larger one.
    expect((await call(app, 'GET', '/api/auth/me', { ip: '203.0.113.99' })).status).toBe(401);
    expect((await call(app, 'GET', '/api/market/stocks')).status).toBe(200);
    const events = await app.store.db
      .selectFrom('security_events')
      .select(['event_type', 'severity'])
      .where('event_type', '=', 'excess_rate_limit_exceeded')
      .execute();
    expect(events).toEqual([{ event_type: 'excess_rate_limit_exceeded', severity: 'MEDIUM' }]);
  });

  it('does not let a rotating X-Forwarded-For from an untrusted peer dodge a limit', async () => {
    const app = await open({ API_RATE_LIMIT: '3', API_BURST_LIMIT: '1' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const xff = `192.0.2.${i + 1}`;
      statuses.push((await call(app, 'GET', '/api/auth/me', { xff })).status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('believes X-Forwarded-For from a trusted proxy, so clients behind it are told apart', async () => {
    const app = await open({
      API_RATE_LIMIT: '2',
      API_BURST_LIMIT: '1',
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    const proxy = '10.1.2.3';
    for (let i = 0; i < 3; i++) {
      expect(
        (await call(app, 'GET', '/api/auth/me', { ip: proxy, xff: '198.51.100.7' })).status,
      ).toBe(401);
    }
    expect(
      (await call(app, 'GET', '/api/auth/me', { ip: proxy, xff: '198.51.100.7' })).status,
    ).toBe(429);
    expect(
      (await call(app, 'GET', '/api/auth/me', { ip: proxy, xff: '198.51.100.8' })).status,
    ).toBe(401);
  });

  it('never takes free text from X-Forwarded-For as the client address', async () => {
    const app = await open({ TRUSTED_PROXIES: '10.0.0.0/8' });
    const res = await call(app, 'POST', '/api/auth/login', {
      ip: '10.1.2.3',
      xff: '=1+2',
      body: { username: 'nobody', password: 'not a real password' },
    });
    expect(res.status).toBe(401);
    const events = await app.store.db.selectFrom('security_events').select(['source_ip']).execute();
    expect(events).toEqual([{ source_ip: '10.1.2.3' }]);
  });

  it('aggregates IPv6 clients per /64', async () => {
    const app = await open({ API_RATE_LIMIT: '2', API_BURST_LIMIT: '1' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await call(app, 'GET', '/api/auth/me', { ip: `2001:db8:1:2::${i + 1}` })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await call(app, 'GET', '/api/auth/me', { ip: '2001:db8:1:3::1' })).status).toBe(401);
  });

  it('blocks an address after repeated failed logins; the owner still logs in from elsewhere; the block expires', async () => {
    const app = await open({
      LOGIN_RATE_LIMIT: '100',
      BRUTE_FORCE_THRESHOLD: '3',
      BLOCK_DURATION_MINUTES: '10',
    });
    await register(app, 'victim');
    const attacker = '203.0.113.66';
    for (let i = 0; i < 3; i++) {
      expect(
        (await login(app, 'victim', { password: `wrong guess ${i}`, ip: attacker })).status,
      ).toBe(401);
    }
    const blocked = await login(app, 'victim', { ip: attacker });
    expect(blocked.status).toBe(403);
    expect((blocked.body.error as { code: string }).code).toBe('IP_BLOCKED');
    expect((await call(app, 'GET', '/api/market/stocks', { ip: attacker })).status).toBe(403);
    expect((await login(app, 'victim', { ip: '198.51.100.20' })).status).toBe(200);
    const events = await app.store.db
      .selectFrom('security_events')
      .select(['event_type', 'severity', 'source_ip'])
      .where('event_type', '=', 'authn_login_fail_max')
      .execute();
    // One for the address (blocked), one for the account (reported, still open to its owner).
    expect(events).toEqual([
      { event_type: 'authn_login_fail_max', severity: 'HIGH', source_ip: attacker },
      { event_type: 'authn_login_fail_max', severity: 'HIGH', source_ip: attacker },
    ]);

    clock += 10 * 60_000 + 1;
    expect((await call(app, 'GET', '/api/market/stocks', { ip: attacker })).status).toBe(200);
  });

  it('an address an administrator unblocks starts afresh instead of falling back at once', async () => {
    const app = await open({ LOGIN_RATE_LIMIT: '100', BRUTE_FORCE_THRESHOLD: '3' });
    const adminId = await register(app, 'secops');
    await new UsersRepo(app.store.db).update(adminId, { role: 'admin' });
    const admin = (await login(app, 'secops', { ip: '198.51.100.2' })).body.access_token as string;
    await register(app, 'victim');
    const attacker = '203.0.113.67';
    for (let i = 0; i < 3; i++)
      await login(app, 'victim', { password: `wrong guess ${i}`, ip: attacker });
    expect((await login(app, 'victim', { ip: attacker })).status).toBe(403);
    const lift = await call(app, 'POST', '/api/security/unblock-ip', {
      ip: '198.51.100.2',
      token: admin,
      body: { ip: attacker },
    });
    expect(lift.status).toBe(200);
    // One more mistake is a mistake, not a new block; the threshold counts from zero again.
    expect((await login(app, 'victim', { password: 'one more typo', ip: attacker })).status).toBe(
      401,
    );
    expect((await login(app, 'victim', { ip: attacker })).status).toBe(200);
  });

  it('counts failures per account across addresses, reports it, and never locks the owner', async () => {
    const app = await open({ LOGIN_RATE_LIMIT: '100', BRUTE_FORCE_THRESHOLD: '4' });
    await register(app, 'target');
    for (let i = 0; i < 4; i++) {
      expect(
        (await login(app, 'target', { password: `guess ${i}`, ip: `203.0.113.${100 + i}` })).status,
      ).toBe(401);
    }
    const events = await app.store.db
      .selectFrom('security_events')
      .select(['event_type', 'details'])
      .where('event_type', '=', 'authn_login_fail_max')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.details ?? '{}')).toMatchObject({
      username: 'target',
      scope: 'account',
    });
    expect((await login(app, 'target', { ip: '198.51.100.30' })).status).toBe(200);
  });

  it('limits login attempts per address and per account+address', async () => {
    const app = await open({ LOGIN_RATE_LIMIT: '3', BRUTE_FORCE_THRESHOLD: '1000' });
    await register(app, 'carol');
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await login(app, 'carol', { password: 'not her password', ip })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login(app, 'carol', { ip: '203.0.113.78' })).status).toBe(200);
  });

  it('wrong passwords given to register an API key count as failed logins: the address is blocked', async () => {
    const app = await open({ LOGIN_RATE_LIMIT: '100', BRUTE_FORCE_THRESHOLD: '3' });
    await register(app, 'victim');
    const token = (await login(app, 'victim', { ip: '198.51.100.40' })).body.access_token as string;
    const thief = '203.0.113.88';
    const registerKey = (password: string) =>
      call(app, 'POST', '/api/auth/api-keys', {
        ip: thief,
        token,
        body: { label: 'loot', public_key: 'not checked yet', scopes: ['trade'], password },
      });
    for (let i = 0; i < 3; i++) {
      const guess = await registerKey(`guess number ${i}`);
      expect(guess.status).toBe(403);
      expect((guess.body.error as { code: string }).code).toBe('REAUTHENTICATION_FAILED');
    }
    const blocked = await registerKey(PASSWORD);
    expect((blocked.body.error as { code: string }).code).toBe('IP_BLOCKED');
  });

  it('lets administrators list, add and lift blocks, and nobody else', async () => {
    const app = await open({});
    const adminId = await register(app, 'secops');
    await new UsersRepo(app.store.db).update(adminId, { role: 'admin' });
    const admin = (await login(app, 'secops', { ip: '198.51.100.2' })).body.access_token as string;
    await register(app, 'someone');
    const user = (await login(app, 'someone', { ip: '198.51.100.3' })).body.access_token as string;

    const add = await call(app, 'POST', '/api/security/block-ip', {
      ip: '198.51.100.2',
      token: admin,
      body: { ip: '203.0.113.5', minutes: 30, reason: 'manual test block' },
    });
    expect(add.status).toBe(200);
    const list = await call(app, 'GET', '/api/security/blocked-ips', {
      ip: '198.51.100.2',
      token: admin,
    });
    expect(list.body.blocked_ips).toMatchObject([
      { ip: '203.0.113.5', manual: true, reason: 'manual test block' },
    ]);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '203.0.113.5' })).status).toBe(403);
    const status = await call(app, 'GET', '/api/security/status', {
      ip: '198.51.100.2',
      token: admin,
    });
    expect(status.body).toMatchObject({ status: 'ELEVATED', blocked_ips: 1 });

    for (const url of [
      '/api/security/blocked-ips',
      '/api/security/status',
      '/api/security/events',
    ]) {
      expect((await call(app, 'GET', url, { ip: '198.51.100.3', token: user })).status).toBe(403);
    }
    const lift = await call(app, 'POST', '/api/security/unblock-ip', {
      ip: '198.51.100.2',
      token: admin,
      body: { ip: '203.0.113.5' },
    });
    expect(lift.status).toBe(200);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '203.0.113.5' })).status).toBe(200);
    const events = await call(app, 'GET', '/api/security/events?type=ip_blocked', {
      ip: '198.51.100.2',
      token: admin,
    });
    expect(events.body.events).toMatchObject([
      { event_type: 'ip_blocked', source_ip: '203.0.113.5' },
    ]);
  });

  it('the IDS refuses attack patterns, records them, and lets benign text through', async () => {
    const app = await open({ IDS_ACTION: 'reject' });
    const res = await login(app, "admin' OR '1'='1' --", { password: 'x', ip: '203.0.113.40' });
    expect(res.status).toBe(400);
    expect((res.body.error as { code: string }).code).toBe('REQUEST_REJECTED');
    const xss = await call(app, 'POST', '/api/auth/register', {
      body: {
        username: 'xssuser',
        email: 'x@example.com',
        password: PASSWORD,
        full_name: '<script>alert(1)</script>',
      },
    });
    expect(xss.status).toBe(400);
    await register(app, 'obrien');
    const rename = await call(app, 'POST', '/api/auth/register', {
      body: {
        username: 'selectc',
        email: 's@example.com',
        password: 'P@ss;word--1 drop-in',
        full_name: "Select Comfort Corp O'Brien",
      },
    });
    expect(rename.status).toBe(201);
    const events = await app.store.db
      .selectFrom('security_events')
      .select(['event_type', 'severity'])
      .execute();
    expect(events.map((e) => e.event_type).sort()).toEqual(['malicious_sqli', 'malicious_xss']);
  });

  it('with IDS_ACTION=log the request goes on; with block the address is blocked after repeated hits', async () => {
    const logOnly = await open({ IDS_ACTION: 'log' });
    expect(
      (
        await login(logOnly, "x' UNION SELECT password FROM users --", {
          password: 'y',
          ip: '203.0.113.41',
        })
      ).status,
    ).toBe(401);
    const logged = await logOnly.store.db
      .selectFrom('security_events')
      .select('event_type')
      .execute();
    expect(logged.map((e) => e.event_type)).toContain('malicious_sqli');
    await logOnly.close();

    const blocking = await open({ IDS_ACTION: 'block', IDS_BLOCK_AFTER: '2' });
    const ip = '203.0.113.42';
    expect(
      (await call(blocking, 'GET', '/api/market/stocks?q=1%20OR%201=1%20--', { ip })).status,
    ).toBe(400);
    expect(
      (await call(blocking, 'GET', '/api/market/stocks?f=../../etc/passwd', { ip })).status,
    ).toBe(400);
    expect((await call(blocking, 'GET', '/api/market/stocks', { ip })).status).toBe(403);
  });

  // Honest input is never refused: a password or the bytes a user encrypts, signs or hashes can
  // hold anything, and never reach SQL or a page.
  it('leaves passwords and crypto API data alone, and still inspects the fields beside them', async () => {
    const app = await open({});
    const password = "<script>' OR 1=1--;cat /etc/passwd ../../";
    const registered = await call(app, 'POST', '/api/auth/register', {
      body: { username: 'odd_password', email: 'odd@example.com', password, full_name: 'Odd One' },
    });
    expect(registered.status).toBe(201);
    const login = await call(app, 'POST', '/api/auth/login', {
      body: { username: 'odd_password', password },
    });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    const sql = "'; DROP TABLE users; -- and <img src=x onerror=alert(1)> ../../etc/shadow";
    for (const [path, body] of [
      ['/api/crypto/encrypt', { plaintext: sql }],
      ['/api/crypto/sign', { data: sql }],
      ['/api/crypto/merkle/build', { data: [sql, 'b'], encoding: 'utf8' }],
    ] as const) {
      const res = await call(app, 'POST', path, { token, body });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const attack = await call(app, 'POST', '/api/auth/register', {
      body: {
        username: 'attacker',
        email: 'x@example.com',
        password,
        full_name: "<script>' OR 1=1--;cat /etc/passwd",
      },
    });
    expect(attack.status).toBe(400);
    expect((attack.body.error as { code: string }).code).toBe('REQUEST_REJECTED');
  });

  describe('IDS amplification (issue 12, finding 2)', () => {
    const MIXED = "<script>' OR 1=1--;cat /etc/passwd ../../";

    async function stored(app: TestApp): Promise<{ events: number; leaves: number }> {
      const count = async (table: 'security_events' | 'audit_log') =>
        Number(
          (
            await app.store.db
              .selectFrom(table)
              .select(({ fn }) => fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return { events: await count('security_events'), leaves: await count('audit_log') };
    }

    async function idsEvents(app: TestApp) {
      const rows = await app.store.db
        .selectFrom('security_events')
        .select(['event_type', 'source_ip', 'details'])
        .where('event_type', 'like', 'malicious_%')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        ...row,
        details: JSON.parse(row.details ?? '{}') as Record<string, unknown>,
      }));
    }

    it('refuses a register with 900 unknown attack fields by its schema: no event, no audit leaf', async () => {
      const app = await open({});
      const body: Record<string, string> = {
        username: 'flooder',
        email: 'flooder@example.com',
        password: PASSWORD,
        full_name: 'Flooder',
      };
      for (let i = 0; i < 900; i++) body[`extra_${i}`] = MIXED;
      const before = await stored(app);
      const res = await call(app, 'POST', '/api/auth/register', { body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((res.body.error as { message: string }).message).toMatch(/extra_0/);
      expect(await stored(app)).toEqual(before);
      expect(await new UsersRepo(app.store.db).findByUsername('flooder')).toBeUndefined();
    });

    it('records one event per request, naming every detector and counting the findings', async () => {
      const app = await open({});
      const before = await stored(app);
      const res = await login(app, MIXED, { password: MIXED, ip: '203.0.113.60' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'REQUEST_REJECTED' });
      expect(await stored(app)).toEqual({
        events: before.events + 1,
        leaves: before.leaves + 1,
      });
      const [event] = await idsEvents(app);
      expect((event?.details.detectors as string[]).sort()).toEqual([
        'command_injection',
        'path_traversal',
        'sqli',
        'xss',
      ]);
      // Four detectors in the username; the password, a secret field, is not inspected.
      expect(event?.details.findings).toBe(4);
    });

    it('stores one IDS event per address and type every few seconds; the next counts those held back', async () => {
      const app = await open({});
      const sqli = (ip: string) => login(app, "x' OR 1=1 --", { password: 'y', ip });
      for (let i = 0; i < 5; i++) expect((await sqli('203.0.113.61')).status).toBe(400);
      expect((await sqli('203.0.113.62')).status).toBe(400);
      clock += IDS_EVENT_WINDOW_MS;
      expect((await sqli('203.0.113.61')).status).toBe(400);
      const events = await idsEvents(app);
      expect(events.map((e) => [e.source_ip, e.details.suppressed])).toEqual([
        ['203.0.113.61', undefined],
        ['203.0.113.62', undefined],
        ['203.0.113.61', 4],
      ]);
    });

    it('refuses a query with more parameters than the IDS inspects, which could hide an attack', async () => {
      const app = await open({});
      const padding = Array.from({ length: 2_100 }, (_, i) => `p${i}=1`).join('&');
      const res = await call(app, 'GET', `/api/market/stocks?${padding}&q=1%20OR%201=1%20--`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'REQUEST_REJECTED' });
      expect((await call(app, 'GET', '/api/market/stocks?page=1&sort=symbol')).status).toBe(200);
    });
  });

  describe('rate class by routed path (issue 12, finding 7)', () => {
    it('counts /api/%74rading/orders in the orders class, where the route it reaches is', async () => {
      const app = await open({ API_RATE_LIMIT: '2', API_BURST_LIMIT: '1' });
      const ip = '203.0.113.70';
      const { token } = await signUp(app, 'encoder', { ip: '198.51.100.70' });
      const statuses: number[] = [];
      for (const url of [
        '/api/trading/orders',
        '/api/trading/orders',
        '/api/trading/orders',
        '/api/%74rading/orders',
        '/api/%74rading/%6frders',
      ]) {
        statuses.push((await call(app, 'GET', url, { ip, token })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // The account class has its own allowance, still untouched from this address.
      expect((await call(app, 'GET', '/api/auth/me', { ip, token })).status).toBe(200);
    });

    // A misspelt field kind, or config.opaque (the IDS's field list before config.fields), would
    // be ignored and leave a password inspected, and logged, as a structured field.
    it.each([
      [
        'a route without a rate class',
        { access: 'public' },
        'routes without a rate class: GET /api/unconfigured',
      ],
      [
        'a route still declaring config.opaque',
        { access: 'public', rateClass: 'account', opaque: ['password'] },
        'config.fields names fields the body does not have: /api/unconfigured (config.opaque is now config.fields)',
      ],
      [
        'a route naming a field its body does not have (a misspelt secret)',
        { access: 'public', rateClass: 'account', fields: { secret: ['pasword'] } },
        'config.fields names fields the body does not have: /api/unconfigured (pasword)',
      ],
    ] as const)('%s stops the app from starting', async (_, config, message) => {
      const app = await open({});
      const { buildExchange } = await import('../src/app.ts');
      const { openKeyring } = await import('../src/store/data-keys.repo.ts');
      const { ensureKeyMaterial } = await import('../src/store/key-files.ts');
      const { keys } = ensureKeyMaterial(app.config);
      const keyring = await openKeyring(app.store.db, keys.masterKey, clock);
      const other = await buildExchange({ config: app.config, store: app.store, keys, keyring });
      other.app.get('/api/unconfigured', { config }, () => ({ oops: true }));
      await expect(other.app.ready()).rejects.toThrow(message);
      await other.app.close();
    });
  });

  it('with the IDS off, injection payloads still change nothing: queries are parameterized', async () => {
    const app = await open({ IDS_ENABLED: 'false' });
    await register(app, 'alice');
    const payloads = [
      "alice' --",
      "' OR '1'='1",
      "alice'; DROP TABLE users; --",
      "' UNION SELECT password_hash FROM users --",
      'alice" OR 1=1 --',
    ];
    for (const username of payloads) {
      const res = await login(app, username, { password: "' OR '1'='1", ip: '203.0.113.50' });
      expect(res.status).toBe(401);
    }
    for (const symbol of ["TCS' OR '1'='1", 'TCS; DROP TABLE orders']) {
      const res = await call(app, 'GET', `/api/market/stock/${encodeURIComponent(symbol)}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await new UsersRepo(app.store.db).count()).toBe(2);
    expect((await login(app, 'alice', { ip: '203.0.113.51' })).status).toBe(200);
    const events = await app.store.db
      .selectFrom('security_events')
      .select('event_type')
      .where('event_type', 'like', 'malicious_%')
      .execute();
    expect(events).toEqual([]);
  });

  it('shares limits between two instances through Redis', async () => {
    const url = process.env.TEST_REDIS_URL;
    if (url === undefined || url === '') {
      if (process.env.CI) throw new Error('CI requires TEST_REDIS_URL (Redis) to be set');
      return;
    }
    const prefix = `test-${randomBytes(6).toString('hex')}`;
    const env = { REDIS_URL: url, API_RATE_LIMIT: '3', API_BURST_LIMIT: '1' };
    const a = await openTestApp(sqlite, env, { redisPrefix: prefix });
    const b = await openTestApp(sqlite, env, { redisPrefix: prefix });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await call(i % 2 === 0 ? a : b, 'GET', '/api/auth/me')).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
