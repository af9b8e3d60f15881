// The operator's side of the control socket: sends one command, reads one answer.

import { createConnection } from 'node:net';
import { MAX_SOCKET_PATH_BYTES, type ControlAnswer, type ControlCommand } from './protocol.ts';

const ANSWER_TIMEOUT_MS = 10_000;

/** The answer, or undefined when no exchange listens at `path` (no socket, or a dead one's). */
export function askControlSocket(
  path: string,
  command: ControlCommand,
): Promise<ControlAnswer | undefined> {
  // The exchange listens on no path this long (see openControlSocket).
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(ANSWER_TIMEOUT_MS, () =>
      socket.destroy(new Error(`the exchange did not answer on ${path}`)),
    );
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(received) as ControlAnswer);
      } catch {
        reject(new Error(`the exchange sent an answer that is not JSON on ${path}`));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(undefined);
      else reject(error);
    });
  });
}
