// Starts the exchange as an operator would (`node --import tsx src/main.ts`) for the tools that
// drive a live server (the benchmarks, the sqlmap scan, and tests through test/support), and
// the first requests they make: JSON POSTs and taking over the provisioned admin.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Spawns the exchange with `env` (over PATH only) and waits up to 30 s for its health check. */
export async function startExchange(
  port: number,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      LOG_FILE: 'off',
      SECURITY_LOG_FILE: 'off',
      LOG_LEVEL: 'warn',
      SIMULATOR: 'off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('the exchange did not start');
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface JsonReply {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `body` as JSON to the server at `base`, with a bearer token if given. */
export async function postJson(
  base: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<JsonReply> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Signs in as the provisioned `admin` with its first password and changes it to `next`, which
 * the exchange requires before anything else; answers an access token. Throws on any refusal.
 */
export async function takeOverAdmin(base: string, first: string, next: string): Promise<string> {
  const accepted = async (step: string, reply: Promise<JsonReply>) => {
    const { status, body } = await reply;
    if (status !== 200) throw new Error(`admin ${step}: ${status} ${JSON.stringify(body)}`);
    return body;
  };
  const login = await accepted(
    'login',
    postJson(base, '/api/auth/login', { username: 'admin', password: first }),
  );
  const change = await accepted(
    'password change',
    postJson(
      base,
      '/api/auth/password',
      { current_password: first, new_password: next },
      login.access_token as string,
    ),
  );
  // The change may end the session rather than hand back a token: sign in again then.
  if (typeof change.access_token === 'string') return change.access_token;
  const again = await accepted(
    'login',
    postJson(base, '/api/auth/login', { username: 'admin', password: next }),
  );
  return again.access_token as string;
}
