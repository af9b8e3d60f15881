// What is left on disk (issue 12, finding 8): log files and the SQLite database readable by the
// owner only, no token in a log line, and recovery codes that a copy of the database cannot be
// searched for offline.

import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SEALED_CODE_PREFIX } from '../src/auth/mfa.ts';
import { openStore } from '../src/store/db.ts';
import { call, enableMfa, signIn, signUp } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { freePort, postJson, runServer, waitForHealth } from './support/process.ts';
import { storeFactories } from './support/stores.ts';

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('files on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-at-rest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the logs and the database owner-only, narrowing what an older version left wider, and logs no token', async () => {
    // As an older version left them: a 0755 log directory and a 0644 log file.
    const logs = join(dir, 'logs');
    mkdirSync(logs, { mode: 0o755 });
    chmodSync(logs, 0o755);
    writeFileSync(join(logs, 'exchange.log'), '', { mode: 0o644 });
    chmodSync(join(logs, 'exchange.log'), 0o644);
    const port = await freePort();
    const server = runServer({
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: join(logs, 'exchange.log'),
      SECURITY_LOG_FILE: join(logs, 'security_events.log'),
      PORT: String(port),
    });
    try {
      expect((await waitForHealth(port, server)).status).toBe(200);
      const base = `http://127.0.0.1:${port}`;
      const account = { username: 'ravi', password: 'a long enough passphrase' };
      await postJson(base, '/api/auth/register', {
        ...account,
        email: 'ravi@example.com',
        full_name: 'Ravi',
      });
      const token = (await postJson(base, '/api/auth/login', account)).body.access_token as string;
      expect(token).toEqual(expect.any(String));
      // A careless client puts a still-valid token in the URL: refused, and never logged.
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/orders?token=${token}`);
      const code = await new Promise<number>((done) => socket.on('close', done));
      expect(code).toBe(4401);

      expect(modeOf(logs)).toBe(0o700);
      expect(modeOf(join(logs, 'exchange.log'))).toBe(0o600);
      expect(modeOf(join(logs, 'security_events.log'))).toBe(0o600);
      for (const file of ['exchange.db', 'exchange.db-wal', 'exchange.db-shm']) {
        expect(modeOf(join(dir, 'data', file)), file).toBe(0o600);
      }
      expect((await server.stop('SIGTERM')).code).toBe(0);
      const log = readFileSync(join(logs, 'exchange.log'), 'utf8');
      expect(log).toContain('"url":"/ws/orders"');
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split('.')[2]);
      expect(log).not.toContain('token=');
    } finally {
      await server.stop('SIGKILL');
    }
  }, 60_000);

  it('narrows a SQLite database and its -wal and -shm files left 0644', async () => {
    const file = join(dir, 'old.db');
    const first = await openStore(`sqlite:${file}`);
    await first.close();
    // Closing removed the -wal and -shm files; empty ones are what SQLite finds after a crash.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(f, '', { flag: 'a' });
      chmodSync(f, 0o644);
    }
    const store = await openStore(`sqlite:${file}`);
    try {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });
});

describe.each(storeFactories())('recovery codes at rest on $name', (factory) => {
  let t: TestApp;
  let clock: number;
  beforeEach(async () => {
    clock = Date.UTC(2026, 11, 10, 12);
    t = await openTestApp(factory, {}, { now: () => clock });
  });
  afterEach(async () => {
    await t.close();
  });

  async function withMfa(username: string): Promise<{ userId: number; codes: string[] }> {
    const { id, token } = await signUp(t, username);
    return { userId: id, codes: (await enableMfa(t, token, clock)).codes };
  }

  const storedHashes = async (userId: number): Promise<string[]> =>
    (
      await t.store.db
        .selectFrom('mfa_recovery_codes')
        .select('code_hash')
        .where('user_id', '=', userId)
        .execute()
    ).map((r) => r.code_hash);

  /** Completes an MFA login with `code`: the status of the second step. */
  async function signInWith(username: string, code: string): Promise<number> {
    const first = await signIn(t, username);
    const res = await call(t, 'POST', '/api/auth/mfa/verify', {
      body: { mfa_token: first.mfa_token, code },
    });
    return res.status;
  }

  it('stores recovery codes as keyed hashes, never SHA-256 of the code', async () => {
    const { userId, codes } = await withMfa('asha');
    const stored = await storedHashes(userId);
    expect(stored).toHaveLength(10);
    for (const hash of stored) expect(hash).toMatch(/^hmac1:[0-9a-f]{64}$/);
    const unkeyed = new Set(codes.flatMap((c) => [sha256(c), sha256(c.toLowerCase())]));
    for (const hash of stored) {
      expect(unkeyed.has(hash)).toBe(false);
      expect(unkeyed.has(hash.slice(SEALED_CODE_PREFIX.length))).toBe(false);
    }
    expect(await signInWith('asha', codes[3] ?? '')).toBe(200);
    expect(await signInWith('asha', codes[3] ?? '')).toBe(401);
  });

  it('seals codes an older version stored as bare SHA-256 at start; they still work, once', async () => {
    const { userId, codes } = await withMfa('bela');
    const legacy = codes[0] ?? '';
    // As an older version stored them: SHA-256 of each code, unkeyed.
    await t.store.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await t.store.db
      .insertInto('mfa_recovery_codes')
      .values(codes.map((c) => ({ user_id: userId, code_hash: sha256(c), used_at: null })))
      .execute();

    t = await t.reopen();
    const after = await storedHashes(userId);
    expect(after).not.toContain(sha256(legacy));
    for (const hash of after) expect(hash.startsWith(SEALED_CODE_PREFIX)).toBe(true);
    expect(await signInWith('bela', legacy)).toBe(200);
    expect(await signInWith('bela', legacy)).toBe(401);
    expect(await signInWith('bela', codes[1] ?? '')).toBe(200);
  });
});
