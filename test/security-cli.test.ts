// `npm run security` against a real exchange process: it lifts a loopback block on the running
// exchange at once (over the control socket, since HTTP from loopback is refused), a manual block
// survives kill -9 and a restart, a second exchange on the same database is refused, and with no
// exchange running the CLI changes the database itself.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ROOT,
  freePort,
  postJson,
  runServer,
  takeOverAdmin,
  waitForHealth,
  type Exit,
  type Running,
} from './support/process.ts';

const ADMIN_PASSWORD = 'initial operator passphrase';

function runCli(args: string[], env: Record<string, string>): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/security-cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) =>
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr })),
  );
}

describe('npm run security', () => {
  let dir: string;
  const servers: Running[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-security-cli-'));
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('unblocks a running exchange at once, and manual blocks outlive a restart', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: 'off',
      PORT: String(port),
      ADMIN_PASSWORD,
      API_RATE_LIMIT: '10000000',
    };
    const start = async (): Promise<Running> => {
      const server = runServer(env);
      servers.push(server);
      expect((await waitForHealth(port, server)).status).toBe(200);
      return server;
    };
    const stocks = async () => (await fetch(`${base}/api/market/stocks`)).status;
    const blockedList = async (token: string) =>
      (
        (await (
          await fetch(`${base}/api/security/blocked-ips`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { blocked_ips: { ip: string; manual: boolean }[] }
      ).blocked_ips;

    let server = await start();
    const admin = await takeOverAdmin(base, ADMIN_PASSWORD, 'the real operator passphrase');
    const block = (ip: string, override?: boolean) =>
      postJson(
        base,
        '/api/security/block-ip',
        { ip, minutes: 60, reason: 'one click too many', ...(override ? { override } : {}) },
        admin,
      );

    // The one-click lockout of a one-host install: refused, then confirmed.
    expect((await block('127.0.0.1')).status).toBe(422);
    expect((await block('127.0.0.1', true)).status).toBe(200);
    expect(await stocks()).toBe(403);
    const lifted = await runCli(['unblock', '127.0.0.1'], env);
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(lifted.stdout).toBe('unblocked 127.0.0.1\n');
    expect(await stocks()).toBe(200);

    // A manual block survives kill -9.
    expect((await block('203.0.113.5')).status).toBe(200);
    expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
    server = await start();
    expect(await blockedList(admin)).toMatchObject([{ ip: '203.0.113.5', manual: true }]);
    const listed = await runCli(['list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^203\.0\.113\.5\tuntil \S+\tmanual\tone click too many\n$/);

    // One writer: a second exchange on the same database refuses to start.
    const second = runServer({ ...env, PORT: String(await freePort()) });
    const refused = await second.exited;
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/another process is writing .*already running/);

    // No exchange running: the CLI changes the database, under the same lock.
    expect((await server.stop('SIGTERM')).code).toBe(0);
    const offline = await runCli(['unblock', '203.0.113.5'], env);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toMatch(/no exchange answers/);
    expect(offline.stdout).toBe('unblocked 203.0.113.5\n');
    const again = await runCli(['unblock', '203.0.113.5'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/203\.0\.113\.5 is not blocked/);
    expect((await runCli(['block', '203.0.113.5'], env)).code).toBe(2);

    await start();
    expect(await blockedList(admin)).toEqual([]);
    const events = (await (
      await fetch(`${base}/api/security/events?type=ip_unblocked`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { events: { details: { actor: string } }[] };
    expect(events.events.map((e) => e.details.actor)).toEqual([
      'operator (database)',
      'operator (local socket)',
    ]);
    const integrity = await fetch(`${base}/api/crypto/merkle/integrity`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(((await integrity.json()) as { ok: boolean }).ok).toBe(true);
  }, 180_000);
});
