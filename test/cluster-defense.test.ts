// The defense state the nodes of a cluster share, through the HTTP API of two nodes: two
// exchanges on one database and one key directory, sharing one Redis prefix. An address blocked
// through one node (by an administrator, by brute force or by the IDS) is refused by the other,
// and lifted through either; a nonce used on one node is a replay on the other; a session ended
// through one node is refused by the other within a second (on every test database).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../src/app.ts';
import { SESSION_STATE_TTL_MS } from '../src/auth/sessions.ts';
import { signRequest } from '../tools/api-client.ts';
import { PASSWORD, call, login, signIn, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { redisTestUrl, storeFactories, type StoreFactory } from './support/stores.ts';

const ADMIN_IP = '198.51.100.2';
const OTHER = '203.0.113.5';
const START = Date.UTC(2026, 11, 3, 9);

const codeOf = (reply: Reply): string | undefined =>
  (reply.body.error as { code?: string } | undefined)?.code;

interface Nodes {
  a: TestApp;
  b: TestApp;
  /** The nodes' shared clock. */
  clock: { now: number };
  close(): Promise<void>;
}

/**
 * Two nodes on one database (of `factory`) and one key directory, so a token one signs the
 * other verifies; with `redisPrefix`, sharing that Redis namespace too.
 */
async function openNodes(
  factory: StoreFactory,
  env: Record<string, string>,
  options: Pick<AppDeps, 'redisPrefix'> = {},
): Promise<Nodes> {
  const shared = await factory.open();
  const dir = mkdtempSync(join(tmpdir(), 'sse-nodes-'));
  const same: StoreFactory = {
    name: factory.name,
    open: () => Promise.resolve({ store: shared.store, dispose: () => Promise.resolve() }),
  };
  const clock = { now: START };
  const open = () =>
    openTestApp(same, { DATA_DIR: dir, ...env }, { now: () => clock.now, ...options });
  const a = await open();
  const b = await open();
  return {
    a,
    b,
    clock,
    async close() {
      await a.close();
      await b.close();
      await shared.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 10 ms for at most `ms`; whether it came true. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sqliteFactory = storeFactories()[0];
if (sqliteFactory === undefined) throw new Error('no SQLite factory');
const sqlite = sqliteFactory;

const stocks = (node: TestApp, ip: string) => call(node, 'GET', '/api/market/stocks', { ip });
const refused = async (node: TestApp, ip: string) => (await stocks(node, ip)).status === 403;
const served = async (node: TestApp, ip: string) => (await stocks(node, ip)).status === 200;

describe('defense state shared through Redis by two nodes', () => {
  const url = redisTestUrl();

  async function withNodes(env: Record<string, string>, test: (n: Nodes) => Promise<void>) {
    if (url === undefined) return;
    const prefix = `test-${randomBytes(6).toString('hex')}`;
    const nodes = await openNodes(sqlite, { REDIS_URL: url, ...env }, { redisPrefix: prefix });
    try {
      await test(nodes);
    } finally {
      await nodes.close();
    }
  }

  it('an address blocked through one node is refused by the other; lifted through the other, served by both', async () => {
    await withNodes({}, async ({ a, b }) => {
      const token = (await signUp(a, 'secops', { ip: ADMIN_IP, admin: true })).token;
      expect(await served(b, OTHER)).toBe(true);
      const placed = await call(a, 'POST', '/api/security/block-ip', {
        ip: ADMIN_IP,
        token,
        body: { ip: OTHER, minutes: 60, reason: 'seen on node a' },
      });
      expect(placed.status).toBe(200);
      expect(await refused(a, OTHER)).toBe(true);
      expect(await within(1000, () => refused(b, OTHER))).toBe(true);
      const blocked = await stocks(b, OTHER);
      expect(codeOf(blocked)).toBe('IP_BLOCKED');
      const listed = await call(b, 'GET', '/api/security/blocked-ips', { ip: ADMIN_IP, token });
      expect(listed.body.blocked_ips).toMatchObject([{ ip: OTHER, reason: 'seen on node a' }]);

      const lifted = await call(b, 'POST', '/api/security/unblock-ip', {
        ip: ADMIN_IP,
        token,
        body: { ip: OTHER },
      });
      expect(lifted.status).toBe(200);
      expect(await served(b, OTHER)).toBe(true);
      expect(await within(1000, () => served(a, OTHER))).toBe(true);
    });
  });

  it('an address blocked for failed logins on one node is refused by the other, and cleared from it', async () => {
    await withNodes({ LOGIN_RATE_LIMIT: '100', BRUTE_FORCE_THRESHOLD: '2' }, async ({ a, b }) => {
      // Accounts are opened on one node: each node runs its own venue here (the lease is not
      // in these tests), and registration opens the account in the venue.
      const token = (await signUp(a, 'secops', { ip: ADMIN_IP, admin: true })).token;
      await signUp(a, 'someone', { ip: '198.51.100.3' });
      const guesser = '203.0.113.77';
      for (let i = 0; i < 2; i++) {
        expect((await login(a, 'someone', { password: `wrong ${i}`, ip: guesser })).status).toBe(
          401,
        );
      }
      expect(await refused(a, guesser)).toBe(true);
      expect(await within(1000, () => refused(b, guesser))).toBe(true);

      const cleared = await call(b, 'DELETE', '/api/security/blocked-ips', {
        ip: ADMIN_IP,
        token,
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.cleared).toBe(1);
      expect(await within(1000, () => served(a, guesser))).toBe(true);
      expect(await served(b, guesser)).toBe(true);
    });
  });

  it('counts IDS hits across the nodes: one on each, and the address is blocked on both', async () => {
    await withNodes({ IDS_ACTION: 'block', IDS_BLOCK_AFTER: '2' }, async ({ a, b }) => {
      const ip = '203.0.113.42';
      const attack = (node: TestApp, query: string) =>
        call(node, 'GET', `/api/market/stocks?${query}`, { ip });
      expect((await attack(a, 'q=1%20OR%201=1%20--')).status).toBe(400);
      // One hit on each node: neither alone reached two.
      expect(await served(a, ip)).toBe(true);
      expect((await attack(b, 'f=../../etc/passwd')).status).toBe(400);
      expect(await refused(b, ip)).toBe(true);
      expect(await within(1000, () => refused(a, ip))).toBe(true);
    });
  });

  it('refuses on one node a signed request whose nonce the other accepted', async () => {
    await withNodes({}, async ({ a, b, clock }) => {
      const ip = '198.51.100.4';
      const { token } = await signUp(a, 'bot', { ip });
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const created = await call(a, 'POST', '/api/auth/api-keys', {
        token,
        ip,
        body: {
          label: 'bot',
          public_key: await exportJWK(pair.publicKey),
          scopes: ['read'],
          password: PASSWORD,
        },
      });
      expect(created.status).toBe(201);
      const key = { keyId: created.body.id as string, privateKey: pair.privateKey };
      const get = { method: 'GET', url: '/api/auth/me' };
      const headers = signRequest(key, get, { now: clock.now });
      expect((await call(a, 'GET', '/api/auth/me', { headers })).status).toBe(200);
      const replayed = await call(b, 'GET', '/api/auth/me', { headers });
      expect(replayed.status).toBe(401);
      expect(codeOf(replayed)).toBe('REPLAY_DETECTED');
      const fresh = signRequest(key, get, { now: clock.now });
      expect((await call(b, 'GET', '/api/auth/me', { headers: fresh })).status).toBe(200);
    });
  });
});

describe.each(storeFactories())('a session ended through one node, on $name', (factory) => {
  const me = (node: TestApp, token: string) =>
    call(node, 'GET', '/api/auth/me', { token, ip: '198.51.100.8' });

  it('is refused by the other node within a second: logout, and a password change', async () => {
    const nodes = await openNodes(factory, {});
    const { a, b, clock } = nodes;
    try {
      const { token } = await signUp(a, 'alice', { ip: '198.51.100.8' });
      // Node b has read the session, and holds its state for at most SESSION_STATE_TTL_MS.
      expect((await me(b, token)).status).toBe(200);
      expect(SESSION_STATE_TTL_MS).toBeLessThanOrEqual(1000);
      expect((await call(a, 'POST', '/api/auth/logout', { token })).status).toBe(200);
      expect((await me(a, token)).status).toBe(401);
      clock.now += SESSION_STATE_TTL_MS;
      const ended = await me(b, token);
      expect(ended.status).toBe(401);
      expect(codeOf(ended)).toBe('INVALID_TOKEN');

      // A password changed through node a ends the user's other sessions on node b.
      const kept = (await signIn(a, 'alice', { ip: '198.51.100.8' })).access_token as string;
      const other = (await signIn(b, 'alice', { ip: '198.51.100.9' })).access_token as string;
      expect((await me(b, other)).status).toBe(200);
      const changed = await call(a, 'POST', '/api/auth/password', {
        token: kept,
        body: { current_password: PASSWORD, new_password: 'another long enough passphrase' },
      });
      expect(changed.status).toBe(200);
      clock.now += SESSION_STATE_TTL_MS;
      expect((await me(b, other)).status).toBe(401);
    } finally {
      await nodes.close();
    }
  });
});
