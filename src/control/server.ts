// The running exchange's local control channel: a Unix domain socket in the data directory,
// 0600, so only the account that runs the exchange may connect (the file's permission is the
// authentication, as with PostgreSQL's local socket). It reaches the exchange when HTTP cannot,
// with loopback blocked. Each connection sends one request line and gets one answer line; the
// commands run through the same service as the HTTP routes, audited as the operator's.

import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AddressBlocks, BlockActor } from '../defense/address-blocks.ts';
import { ApiError } from '../errors.ts';
import {
  MAX_LINE_BYTES,
  MAX_SOCKET_PATH_BYTES,
  parseCommand,
  type ControlAnswer,
  type ControlCommand,
} from './protocol.ts';

const SOCKET_MODE = 0o600;
/** A connection that sends no complete line in this time is closed. */
const IDLE_MS = 5_000;

/**
 * Runs one command (or request line) as `actor`. A refusal (a bad request, an address that is
 * not blocked) is an answer, not an exception.
 */
export async function runCommand(
  blocking: AddressBlocks,
  request: ControlCommand | string,
  actor: Extract<BlockActor, { kind: 'operator' }>,
): Promise<ControlAnswer> {
  try {
    const command = typeof request === 'string' ? parseCommand(request) : request;
    if (command.command === 'list') return { ok: true, blocked_ips: blocking.list() };
    if (command.command === 'clear') {
      const cleared = await blocking.clear(actor);
      return { ok: true, message: `cleared ${cleared} blocked address(es)`, cleared };
    }
    await blocking.lift(command.ip, actor);
    return { ok: true, message: `unblocked ${command.ip}` };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, error: { code: error.code, message: error.message } };
  }
}

export interface ControlSocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on `path`. Call it only as the database's writer (see store/writer-lock.ts): a socket
 * file left there is then a dead exchange's, and is replaced.
 */
export async function openControlSocket(
  path: string,
  blocking: AddressBlocks,
  log?: Logger,
): Promise<ControlSocket> {
  const serve = (socket: Socket): void => {
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('error', () => undefined);
    let buffered = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (answered) return;
      buffered += chunk;
      const end = buffered.indexOf('\n');
      // Past the longest line without its end, the text so far is refused for its length.
      if (end < 0 && Buffer.byteLength(buffered) <= MAX_LINE_BYTES) return;
      answered = true;
      void answer(end < 0 ? buffered : buffered.slice(0, end)).then((reply) =>
        socket.end(`${JSON.stringify(reply)}\n`),
      );
    });
  };
  const answer = (line: string): Promise<ControlAnswer> =>
    runCommand(blocking, line, { kind: 'operator', channel: 'local socket' }).catch(
      (error: unknown): ControlAnswer => {
        log?.error({ err: error }, 'control socket command failed');
        return {
          ok: false,
          error: { code: 'INTERNAL', message: 'the command failed; see the log' },
        };
      },
    );
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `the control socket ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter DATA_DIR`,
    );
  }
  rmSync(path, { force: true });
  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, SOCKET_MODE);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
