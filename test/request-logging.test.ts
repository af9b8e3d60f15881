// What the process log holds about requests: paths, never query strings. A token a careless
// client puts in the URL (`?token=`, `?api_key=`) must not reach the log through the request
// line, an error log or a WebSocket upgrade, at the most verbose level.

import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loggerOptions } from '../src/logging.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';

const SECRETS = ['SECRET-token-value', 'SECRET2-api-key-value'];
const QUERY = `token=${SECRETS[0]}&api_key=${SECRETS[1]}`;

describe('request logs', () => {
  const [sqlite] = storeFactories();
  let t: TestApp;
  let lines: string[];
  beforeEach(async () => {
    lines = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    if (sqlite === undefined) throw new Error('no SQLite store factory');
    t = await openTestApp(sqlite, {}, { logger: pino(loggerOptions('trace'), stream) });
  });
  afterEach(async () => {
    await t.close();
  });

  const logged = (): string => lines.join('');

  it('name the path of every request and none of its query string', async () => {
    const urls = [
      `/api/x?${QUERY}`,
      `/api/health?${QUERY}`,
      `/api/security/events?${QUERY}`,
      `/api/market/ticker/TCS?${QUERY}`,
      `/api/%zz?${QUERY}`,
    ];
    for (const url of urls) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBeGreaterThanOrEqual(200);
    }
    await t.app.inject({ method: 'POST', url: `/api/auth/login?${QUERY}`, payload: '{bad json' });
    await new Promise((done) => setImmediate(done));
    const text = logged();
    expect(text).toContain('"url":"/api/x"');
    expect(text).toContain('"url":"/api/health"');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('name the path of a WebSocket upgrade that carries a token in its URL', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/orders?${QUERY}`);
    const closed = await new Promise<number>((done) => {
      socket.on('close', (code) => done(code));
      socket.on('error', () => done(-1));
    });
    expect(closed).not.toBe(1000);
    await new Promise((done) => setImmediate(done));
    const text = logged();
    expect(text).toContain('"url":"/ws/orders"');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
