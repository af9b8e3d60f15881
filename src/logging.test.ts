import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loggerOptions, preparePrivateLogFile } from './logging.ts';

/** A logger with the process's options that keeps its lines in memory. */
function memoryLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino(loggerOptions('info'), stream), lines };
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('the log', () => {
  it('shows a request by its path: nothing of the query string is written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.webPath(),
        fc.webQueryParameters(),
        fc.stringMatching(/^[A-Za-z0-9_-]{20,40}$/),
        async (path, query, secret) => {
          const { log, lines } = memoryLogger();
          const url = `${path}?${query}&token=${secret}`;
          log.info({ req: { method: 'GET', url, ip: '127.0.0.1' } }, 'incoming request');
          await new Promise((done) => setImmediate(done));
          const line = lines.join('');
          expect((JSON.parse(line) as { req: { url: string } }).req.url).toBe(path);
          expect(line).not.toContain(secret);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('redacts passwords and tokens in logged objects', async () => {
    const { log, lines } = memoryLogger();
    log.info({
      body: { password: 'hunter2 passphrase', mfa_token: 'mfa-secret', refresh_token: 'rt-secret' },
      auth: { token: 'eyJ.secret.sig', access_token: 'at-secret' },
    });
    await new Promise((done) => setImmediate(done));
    const line = lines.join('');
    for (const secret of ['hunter2', 'mfa-secret', 'rt-secret', 'eyJ.secret.sig', 'at-secret'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });
});

describe('log files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are made 0600 in a new 0700 directory, and narrowed when an older version left them wider', () => {
    preparePrivateLogFile(join(dir, 'new', 'exchange.log'));
    expect(modeOf(join(dir, 'new'))).toBe(0o700);
    expect(modeOf(join(dir, 'new', 'exchange.log'))).toBe(0o600);

    const old = join(dir, 'old');
    preparePrivateLogFile(join(old, 'exchange.log'));
    chmodSync(old, 0o755);
    writeFileSync(join(old, 'exchange.log.1'), 'rotated\n');
    chmodSync(join(old, 'exchange.log'), 0o644);
    preparePrivateLogFile(join(old, 'exchange.log'));
    expect(modeOf(old)).toBe(0o700);
    expect(modeOf(join(old, 'exchange.log'))).toBe(0o600);
  });

  it('leave a shared directory as it is, and still make the file 0600', () => {
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'other-service.conf'), 'not ours\n');
    preparePrivateLogFile(join(dir, 'exchange.log'));
    expect(modeOf(dir)).toBe(0o755);
    expect(modeOf(join(dir, 'exchange.log'))).toBe(0o600);
  });
});
