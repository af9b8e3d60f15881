// Runs the exchange as an operator does, `node --import tsx src/main.ts`, in a child process,
// and talks to it over HTTP: JSON posts and the operator's first step, taking over `admin`.

import { spawn } from 'node:child_process';

import { ROOT } from '../../tools/exchange-process.ts';

export {
  ROOT,
  freePort,
  postJson,
  takeOverAdmin,
  type JsonReply,
} from '../../tools/exchange-process.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  /** The child's process id. */
  pid: number | undefined;
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
    pid: child.pid,
    output: () => stdout + stderr,
    exited,
    stop: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Waits up to 60 s for the health check. A child that exits first is an error with its output:
 * an answer on the port would then come from some other process.
 */
export async function waitForHealth(port: number, running: Running): Promise<Response> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  void running.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`server exited before it answered:\n${running.output()}`);
    try {
      return await fetch(`http://127.0.0.1:${port}/api/health`);
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${running.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
