// Kill -9 under order load: every order that got a 201 must be there after a restart, with
// the state it was acknowledged in or a later one, and recovery's invariant checks must pass.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  postJson,
  runServer,
  takeOverAdmin,
  waitForHealth,
  type Running,
} from './support/process.ts';

const ADMIN_PASSWORD = 'initial operator passphrase';
const PASSWORD = 'a long enough passphrase';

interface Ack {
  order_id: number;
  status: string;
  filled: number;
  quantity: number;
  token: string;
}

const LATER: Record<string, string[]> = {
  OPEN: ['OPEN', 'PARTIALLY_FILLED', 'FILLED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED'],
  FILLED: ['FILLED'],
  CANCELLED: ['CANCELLED'],
};

describe('crash safety', () => {
  let dir: string;
  let server: Running | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-crash-'));
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged order through SIGKILL, with invariants intact', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATA_DIR: join(dir, 'data'),
      LOG_FILE: 'off',
      PORT: String(port),
      ADMIN_PASSWORD,
      API_RATE_LIMIT: '10000000',
    };
    const post = (path: string, body: unknown, token?: string) => postJson(base, path, body, token);
    const login = async (username: string, password: string) =>
      (await post('/api/auth/login', { username, password })).body.access_token as string;

    server = runServer(env);
    expect((await waitForHealth(port, server)).status).toBe(200);
    const admin = await takeOverAdmin(base, ADMIN_PASSWORD, 'the real operator passphrase');
    const ids: Record<string, number> = {};
    const tokens: Record<string, string> = {};
    for (const name of ['buyer', 'seller']) {
      const reg = await post('/api/auth/register', {
        username: name,
        email: `${name}@example.com`,
        password: PASSWORD,
        full_name: name,
      });
      ids[name] = reg.body.user_id as number;
      tokens[name] = await login(name, PASSWORD);
    }
    const shares = await post(
      `/api/admin/users/${ids.seller}/adjust`,
      { asset: 'TCS', amount: '5000', reason: 'crash test' },
      admin,
    );
    expect(shares.status).toBe(200);

    // Crossing buys and sells, fired without waiting; kill -9 once some are acknowledged.
    const acks: Ack[] = [];
    let sent = 0;
    const fire = async (): Promise<void> => {
      while (sent < 2000) {
        const n = sent++;
        const side = n % 2 === 0 ? 'BUY' : 'SELL';
        const token = side === 'BUY' ? tokens.buyer : tokens.seller;
        const price = (4090 + (n % 7) * 5).toFixed(2);
        try {
          const res = await post(
            '/api/trading/order',
            { symbol: 'TCS', order_type: side, order_mode: 'LIMIT', quantity: 1 + (n % 3), price },
            token,
          );
          if (res.status === 201) {
            acks.push({
              order_id: res.body.order_id as number,
              status: res.body.status as string,
              filled: (res.body.order as { filled_quantity: number }).filled_quantity,
              quantity: (res.body.order as { quantity: number }).quantity,
              token: token ?? '',
            });
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 16 }, fire);
    while (acks.length < 150) await new Promise((r) => setTimeout(r, 5));
    const killed = await server.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await Promise.all(workers);
    expect(acks.length).toBeGreaterThanOrEqual(150);

    server = runServer(env);
    const health = await waitForHealth(port, server);
    const state = (await health.json()) as { trading: { available: boolean; reason?: string } };
    expect(state.trading, state.trading.reason).toEqual({ available: true });
    expect(health.status).toBe(200);

    for (const ack of acks) {
      const res = await fetch(`${base}/api/trading/order/${ack.order_id}`, {
        headers: { authorization: `Bearer ${ack.token}` },
      });
      expect(res.status, `order ${ack.order_id}`).toBe(200);
      const order = (await res.json()) as {
        status: string;
        quantity: number;
        filled_quantity: number;
      };
      expect(order.quantity).toBe(ack.quantity);
      expect(order.filled_quantity).toBeGreaterThanOrEqual(ack.filled);
      expect(
        LATER[ack.status],
        `order ${ack.order_id} was ${ack.status}, now ${order.status}`,
      ).toContain(order.status);
    }
  }, 90_000);
});
