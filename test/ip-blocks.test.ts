// Manual IP blocks over HTTP and the control socket: a block that would lock its requester out
// (their own address, loopback in any spelling) needs an explicit override; manual blocks outlive
// a restart, expired ones do not; DELETE /api/security/blocked-ips clears every block; the
// operator's socket lifts a block at once, even on loopback; every change is an audited event.

import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { askControlSocket } from '../src/control/client.ts';
import { controlSocketPath } from '../src/control/protocol.ts';
import { openControlSocket, type ControlSocket } from '../src/control/server.ts';
import { call, login, signUp, type Reply } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

const ADMIN_IP = '198.51.100.2';
const OTHER = '203.0.113.5';

const codeOf = (reply: Reply): string | undefined =>
  (reply.body.error as { code?: string } | undefined)?.code;

describe.each(storeFactories())('manual IP blocks on $name', (factory) => {
  let t: TestApp | undefined;
  let control: ControlSocket | undefined;
  afterEach(async () => {
    await control?.close();
    control = undefined;
    await t?.close();
    t = undefined;
  });

  let clock = Date.UTC(2026, 11, 3, 9);
  async function open(env: Record<string, string> = {}): Promise<TestApp> {
    clock = Date.UTC(2026, 11, 3, 9);
    t = await openTestApp(factory, env, { now: () => clock });
    return t;
  }

  async function admin(app: TestApp, ip = ADMIN_IP, name = 'secops'): Promise<string> {
    return (await signUp(app, name, { ip, admin: true })).token;
  }

  const block = (app: TestApp, token: string, from: string, body: Record<string, unknown>) =>
    call(app, 'POST', '/api/security/block-ip', {
      ip: from,
      token,
      body: { minutes: 60, reason: 'one click too many', ...body },
    });

  const events = (app: TestApp, type: string) =>
    app.store.db
      .selectFrom('security_events')
      .select(['id', 'source_ip', 'user_id', 'details'])
      .where('event_type', '=', type)
      .orderBy('id')
      .execute();

  it('refuses to block loopback or the requester’s own address without override, and changes nothing', async () => {
    const app = await open();
    const token = await admin(app, '127.0.0.1');
    const v6token = (await signUp(app, 'v6admin', { ip: '2001:db8:1:2::5', admin: true })).token;
    const refusals: [string, string, string][] = [
      [token, '127.0.0.1', '127.0.0.1'],
      [token, '127.0.0.1', '127.1.2.3'],
      [token, '127.0.0.1', '::1'],
      [token, '127.0.0.1', '::ffff:127.0.0.1'],
      [v6token, '2001:db8:1:2::5', '::ffff:127.0.0.1'],
      // The requester's own address: an IPv6 client is keyed by its /64.
      [v6token, '2001:db8:1:2::5', '2001:db8:1:2::99'],
      [v6token, '2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ];
    for (const [bearer, from, ip] of refusals) {
      const res = await block(app, bearer, from, { ip });
      expect(res.status, ip).toBe(422);
      expect(codeOf(res), ip).toBe('BLOCK_LOCKS_OUT');
      expect((res.body.error as { message: string }).message, ip).toMatch(/locks you out/);
    }
    const own = await block(app, token, ADMIN_IP, { ip: ADMIN_IP });
    expect(own.status).toBe(422);
    expect((own.body.error as { message: string }).message).toMatch(/your own address/);
    const list = await call(app, 'GET', '/api/security/blocked-ips', { ip: ADMIN_IP, token });
    expect(list.body.blocked_ips).toEqual([]);
    expect(await events(app, 'ip_blocked')).toEqual([]);
    expect(await app.store.db.selectFrom('ip_blocks').selectAll().execute()).toEqual([]);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '127.0.0.1' })).status).toBe(200);
  });

  it('blocks loopback with override: true, as the administrator confirmed', async () => {
    const app = await open();
    const token = await admin(app, '127.0.0.1');
    // ::1 first: once 127.0.0.1 is blocked, this administrator is locked out too.
    for (const ip of ['::1', '::ffff:127.0.0.1']) {
      const res = await block(app, token, '127.0.0.1', { ip, override: true });
      expect(res.status, ip).toBe(200);
    }
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '127.0.0.1' })).status).toBe(403);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '::1' })).status).toBe(403);
    const [, mapped] = await events(app, 'ip_blocked');
    expect(mapped?.source_ip).toBe('127.0.0.1');
    expect(JSON.parse(mapped?.details ?? '{}')).toMatchObject({ override: true, minutes: 60 });
    const other = await admin(app, ADMIN_IP, 'other');
    const override = await block(app, other, ADMIN_IP, { ip: OTHER, override: 'yes' });
    expect(override.status).toBe(400);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: OTHER })).status).toBe(200);
  });

  it('keeps manual blocks across a restart and lets expired ones go', async () => {
    let app = await open();
    const token = await admin(app);
    expect((await block(app, token, ADMIN_IP, { ip: OTHER, minutes: 60 })).status).toBe(200);
    expect((await block(app, token, ADMIN_IP, { ip: '203.0.113.6', minutes: 1 })).status).toBe(200);
    clock += 2 * 60_000;
    app = await app.reopen();
    t = app;
    expect((await call(app, 'GET', '/api/market/stocks', { ip: OTHER })).status).toBe(403);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '203.0.113.6' })).status).toBe(200);
    const list = await call(app, 'GET', '/api/security/blocked-ips', { ip: ADMIN_IP, token });
    expect(list.body.blocked_ips).toEqual([
      {
        ip: OTHER,
        reason: 'one click too many',
        manual: true,
        since: new Date(clock - 2 * 60_000).toISOString(),
        until: new Date(clock + 58 * 60_000).toISOString(),
      },
    ]);
    const stored = await app.store.db.selectFrom('ip_blocks').selectAll().execute();
    expect(stored.map((r) => [r.address_key, r.actor.startsWith('admin user ')])).toEqual([
      [OTHER, true],
    ]);
    // Lifted, it stays lifted after the next restart.
    const lift = await call(app, 'POST', '/api/security/unblock-ip', {
      ip: ADMIN_IP,
      token,
      body: { ip: OTHER },
    });
    expect(lift.status).toBe(200);
    app = await app.reopen();
    t = app;
    expect((await call(app, 'GET', '/api/market/stocks', { ip: OTHER })).status).toBe(200);
  });

  it('DELETE /api/security/blocked-ips clears manual and automatic blocks, audited', async () => {
    const app = await open({ LOGIN_RATE_LIMIT: '100', BRUTE_FORCE_THRESHOLD: '2' });
    const { id: adminId, token } = await signUp(app, 'secops', { ip: ADMIN_IP, admin: true });
    const user = (await signUp(app, 'someone', { ip: '198.51.100.3' })).token;
    expect((await block(app, token, ADMIN_IP, { ip: OTHER })).status).toBe(200);
    const guesser = '203.0.113.77';
    for (let i = 0; i < 2; i++)
      await login(app, 'someone', { password: `wrong guess ${i}`, ip: guesser });
    expect((await login(app, 'someone', { ip: guesser })).status).toBe(403);

    const refused = await call(app, 'DELETE', '/api/security/blocked-ips', {
      ip: '198.51.100.3',
      token: user,
    });
    expect(refused.status).toBe(403);
    expect((await call(app, 'GET', '/api/market/stocks', { ip: OTHER })).status).toBe(403);

    const leavesBefore = (await app.store.db.selectFrom('audit_log').select('seq').execute())
      .length;
    const cleared = await call(app, 'DELETE', '/api/security/blocked-ips', {
      ip: ADMIN_IP,
      token,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ message: 'cleared 2 blocked addresses', cleared: 2 });
    expect((await call(app, 'GET', '/api/market/stocks', { ip: OTHER })).status).toBe(200);
    expect((await login(app, 'someone', { ip: guesser })).status).toBe(200);
    expect(await app.store.db.selectFrom('ip_blocks').selectAll().execute()).toEqual([]);
    const [event] = (await events(app, 'ip_unblocked')).slice(-1);
    expect(JSON.parse(event?.details ?? '{}')).toEqual({
      actor: `admin user ${adminId}`,
      cleared: 2,
    });
    const leaves = await app.store.db
      .selectFrom('audit_log')
      .select(['seq', 'kind'])
      .where('seq', '>=', leavesBefore)
      .execute();
    expect(leaves.map((l) => l.kind)).toContain('security_event');

    const again = await call(app, 'DELETE', '/api/security/blocked-ips', { ip: ADMIN_IP, token });
    expect(again.body).toEqual({ message: 'cleared 0 blocked addresses', cleared: 0 });
  });

  it('the control socket lifts a loopback block at once, as the operator, and refuses bad commands', async () => {
    const app = await open();
    const token = await admin(app, '127.0.0.1');
    const path = controlSocketPath(app.config.dataDir);
    control = await openControlSocket(path, app.exchange.blocking);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Linux would cut a longer path short and listen somewhere else: refused instead.
    await expect(
      openControlSocket(`${path}-${'x'.repeat(120)}`, app.exchange.blocking),
    ).rejects.toThrow(/longer than 107 bytes/);

    expect((await block(app, token, '127.0.0.1', { ip: '127.0.0.1', override: true })).status).toBe(
      200,
    );
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '127.0.0.1' })).status).toBe(403);
    expect(await askControlSocket(path, { command: 'list' })).toMatchObject({
      ok: true,
      blocked_ips: [{ ip: '127.0.0.1', manual: true }],
    });
    expect(await askControlSocket(path, { command: 'unblock', ip: '::ffff:127.0.0.1' })).toEqual({
      ok: true,
      message: 'unblocked ::ffff:127.0.0.1',
    });
    expect((await call(app, 'GET', '/api/market/stocks', { ip: '127.0.0.1' })).status).toBe(200);
    expect(await app.store.db.selectFrom('ip_blocks').selectAll().execute()).toEqual([]);
    const [lifted] = await events(app, 'ip_unblocked');
    expect(lifted?.user_id).toBeNull();
    expect(JSON.parse(lifted?.details ?? '{}')).toEqual({ actor: 'operator (local socket)' });

    expect(await askControlSocket(path, { command: 'unblock', ip: '127.0.0.1' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    for (const bad of [
      { command: 'block', ip: OTHER },
      { command: 'unblock', ip: 'localhost' },
      { command: 'list', extra: true },
    ]) {
      const answer = await askControlSocket(path, bad as never);
      expect(answer, JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
  });
});
