// Runs the exchange as an operator does, `node --import tsx src/main.ts`, in a child process,
// and talks to it over HTTP: JSON posts and the operator's first step, taking over `admin`.

import { spawn } from 'node:child_process';

import { ROOT } from '../../tools/exchange-process.ts';

export { ROOT, freePort } from '../../tools/exchange-process.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  output: () => string;
  stop: (signal: NodeJS.Signals) => Promise<Exit>;
  exited: Promise<Exit>;
}

export function runServer(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', SIMULATOR: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr })),
  );
  return {
    output: () => stdout + stderr,
    exited,
    stop: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

export async function waitForHealth(port: number, running: Running): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await fetch(`http://127.0.0.1:${port}/api/health`);
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${running.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
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
