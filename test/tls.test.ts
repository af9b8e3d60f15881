// Built-in HTTPS as an operator runs it: `node --import tsx src/main.ts` with TLS_CERT and TLS_KEY.

import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCertificate } from '../src/tls.ts';
import { openTestApp } from './support/app.ts';
import { freePort, runServer, type Exit, type Running } from './support/process.ts';
import { storeFactories } from './support/stores.ts';

const WAIT_MS = 30_000;
/** Above WAIT_MS, so a slow start fails with the server's output rather than a bare timeout. */
const TEST_TIMEOUT_MS = 40_000;

interface Reply {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Rejects when `promise` has not settled within WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer within ${WAIT_MS} ms`)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function request(get: typeof httpGet | typeof httpsGet, url: string, ca?: string) {
  return new Promise<Reply>((done, fail) => {
    const req = get(url, { ca, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
  });
}

/** Polls /api/health over HTTPS (verifying the certificate) until the server answers. */
async function waitForHttps(port: number, ca: string, running: Running): Promise<Reply> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return await request(httpsGet, `https://127.0.0.1:${port}/api/health`, ca);
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`server did not start: ${String(error)}\n${running.output()}`, {
          cause: error,
        });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The protocol a TLS handshake agrees on, or the error that ended it. */
async function handshake(port: number, ca: string, maxVersion: 'TLSv1.2' | 'TLSv1.3') {
  return new Promise<{ protocol: string | null } | { error: string }>((done) => {
    const socket = connect({ host: '127.0.0.1', port, ca, maxVersion, timeout: 5_000 });
    socket.on('secureConnect', () => {
      done({ protocol: socket.getProtocol() });
      socket.end();
    });
    socket.on('timeout', () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      done({ error: error.code ?? error.message }),
    );
  });
}

let dir: string;
let cert: { certPath: string; keyPath: string; pem: string };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sse-tls-'));
  const made = makeSelfSignedCertificate(join(dir, 'tls'), Date.now());
  cert = { ...made, pem: readFileSync(made.certPath, 'utf8') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the exchange over HTTPS', () => {
  let port: number;
  let redirectPort: number;
  let server: Running;
  let health: Reply;

  beforeAll(async () => {
    port = await freePort();
    redirectPort = await freePort();
    server = runServer({
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: 'off',
      PORT: String(port),
      TLS_CERT: cert.certPath,
      TLS_KEY: cert.keyPath,
      TLS_REDIRECT_PORT: String(redirectPort),
    });
    health = await waitForHttps(port, cert.pem, server);
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await within(server.stop('SIGTERM'), 'shutdown');
  }, TEST_TIMEOUT_MS);

  it('answers /api/health over HTTPS with HSTS, and logs the https URL', () => {
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(server.output()).toContain(`https://127.0.0.1:${port}`);
  });

  it('speaks TLS 1.3 and refuses a client that stops at TLS 1.2', async () => {
    expect(await within(handshake(port, cert.pem, 'TLSv1.3'), 'TLS 1.3')).toEqual({
      protocol: 'TLSv1.3',
    });
    const old = await within(handshake(port, cert.pem, 'TLSv1.2'), 'TLS 1.2');
    expect(old).toHaveProperty('error');
    expect(old).not.toHaveProperty('protocol');
  });

  it('does not answer plain HTTP on the HTTPS port', async () => {
    const plain = within(request(httpGet, `http://127.0.0.1:${port}/api/health`), 'plain');
    await expect(plain).rejects.toThrow();
  });

  it('redirects plain HTTP on TLS_REDIRECT_PORT with 308 to the same path over HTTPS', async () => {
    const reply = await within(
      request(httpGet, `http://127.0.0.1:${redirectPort}/api/market/tickers?x=1`),
      'redirect',
    );
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`https://127.0.0.1:${port}/api/market/tickers?x=1`);
    expect(reply.body).toBe('');
  });

  // Runs last: it stops the server the tests above share.
  it('stops cleanly on SIGTERM, redirect listener included', async () => {
    const exit: Exit = await within(server.stop('SIGTERM'), 'shutdown');
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('shut down cleanly');
    const closed = within(request(httpGet, `http://127.0.0.1:${redirectPort}/`), 'closed');
    await expect(closed).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('TLS configuration problems', () => {
  it.each([
    [
      'TLS_CERT without TLS_KEY',
      () => ({ TLS_CERT: cert.certPath }),
      /^error: TLS_KEY must be set/,
    ],
    [
      'a garbage certificate file',
      () => {
        const garbage = join(dir, 'garbage.pem');
        writeFileSync(
          garbage,
          '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n',
        );
        return { TLS_CERT: garbage, TLS_KEY: cert.keyPath };
      },
      /^error: TLS_CERT: \S+garbage\.pem is not a PEM certificate\n$/,
    ],
    [
      'a key that is not the certificate’s',
      () => {
        const other = makeSelfSignedCertificate(join(dir, 'other'), Date.now());
        return { TLS_CERT: cert.certPath, TLS_KEY: other.keyPath };
      },
      /^error: TLS_KEY: \S+other\/key\.pem is not the private key of \S+cert\.pem\n$/,
    ],
  ])(
    '%s: exits 2 with one line, before touching DATA_DIR',
    { timeout: TEST_TIMEOUT_MS },
    async (_, env, line) => {
      const dataDir = join(dir, 'never');
      const exit = await within(
        runServer({ DATA_DIR: dataDir, LOG_FILE: 'off', ...env() }).exited,
        'exit',
      );
      expect(exit.code).toBe(2);
      expect(exit.stderr).toMatch(line);
      expect(exit.stderr.trim().split('\n')).toHaveLength(1);
      expect(exit.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(dataDir)).toBe(false);
    },
  );
});

describe('a taken TLS_REDIRECT_PORT', () => {
  it('exits 2 with one line naming the variable', { timeout: TEST_TIMEOUT_MS }, async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await within(once(blocker, 'listening'), 'blocker');
    const address = blocker.address();
    const taken = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const running = runServer({
        DATA_DIR: join(dir, 'taken'),
        LOG_FILE: 'off',
        PORT: String(await freePort()),
        TLS_CERT: cert.certPath,
        TLS_KEY: cert.keyPath,
        TLS_REDIRECT_PORT: String(taken),
      });
      const exit = await within(running.exited, 'exit');
      expect(exit.code).toBe(2);
      expect(exit.stderr).toBe(
        `error: TLS_REDIRECT_PORT: ${taken} is already in use on 127.0.0.1\n`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('the exchange without TLS', () => {
  it('sends no HSTS over plain HTTP', async () => {
    const sqlite = storeFactories().find((factory) => factory.name === 'sqlite');
    if (sqlite === undefined) throw new Error('no SQLite store factory');
    const t = await openTestApp(sqlite);
    try {
      const reply = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(reply.statusCode).toBe(200);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers).not.toHaveProperty('strict-transport-security');
    } finally {
      await t.close();
    }
  });
});
