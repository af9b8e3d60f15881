// The process as an operator runs it: `node --import tsx src/main.ts` with environment variables.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, runServer as run, waitForHealth } from './support/process.ts';

describe('the exchange process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [{ PORT: 'eighty' }, /^error: PORT must be an integer from 0 to 65535 \(got "eighty"\)\n$/],
    [{ DATABASE_URL: 'mysql://db/x' }, /^error: DATABASE_URL must be sqlite:<path> or postgres:/],
    [
      { DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/none' },
      /^error: DATABASE_URL: cannot open postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/none \(.*\)\n$/,
    ],
  ])('exits with code 2 and one line for %j', async (env, line) => {
    const exit = await run({ DATA_DIR: join(dir, 'data'), LOG_FILE: 'off', ...env }).exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(line);
    expect(exit.stderr.trim().split('\n')).toHaveLength(1);
    expect(exit.stderr).not.toContain('hunter2');
    expect(exit.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits with code 2 and one line when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const exit = await run({
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: 'off',
      PORT: String(port),
    }).exited;
    blocker.close();
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe(`error: PORT: ${port} is already in use on 127.0.0.1\n`);
  });

  it('starts, answers health, stops on SIGTERM, and keeps users and keys across restarts', async () => {
    const port = await freePort();
    const logFile = join(dir, 'logs', 'exchange.log');
    const env = { DATA_DIR: join(dir, 'data'), LOG_FILE: logFile, PORT: String(port) };

    const first = run(env);
    const health = await waitForHealth(port, first);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      version: '0.1.0',
      database: { reachable: true, dialect: 'sqlite' },
    });
    const exit = await first.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const password = /Password: (\S+)/.exec(exit.stdout)?.[1];
    expect(password).toBeDefined();
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('exchange provisioned');
    expect(log).toContain('shut down cleanly');
    expect(log).not.toContain(password ?? 'no password');
    const masterKey = readFileSync(join(dir, 'data', 'keys', 'master.key'), 'utf8');

    const second = run(env);
    expect((await waitForHealth(port, second)).status).toBe(200);
    const again = await second.stop('SIGINT');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('Password:');
    expect(readFileSync(logFile, 'utf8')).toContain('"adminCreated":false');
    expect(readFileSync(join(dir, 'data', 'keys', 'master.key'), 'utf8')).toBe(masterKey);
  });
});
