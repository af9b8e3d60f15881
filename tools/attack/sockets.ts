// WebSocket connections for the scenarios, reduced to an Outcome like every HTTP request: a socket
// that opened and answered (101), an HTTP answer instead of an upgrade, a socket the server closed
// (with its close code), or no answer in time. Each waits at most `timeoutMs`.

import { WebSocket } from 'ws';
import type { Outcome } from './attacker.ts';

export interface SocketOptions {
  /** The local address to connect from (a 127.x.y.z), or the system's choice. */
  source?: string | undefined;
  protocols?: string[];
  /** Sent once the socket is open: a ping unless given; `null` sends nothing. */
  first?: unknown;
  /** The reply that shows the socket is in use: `pong` after a ping, `authenticated`… */
  answer: string;
  timeoutMs: number;
}

export interface OpenedSocket {
  outcome: Outcome;
  /** Closes the socket, if it is still open. */
  close(): void;
}

/** The `ws://` (or `wss://`) URL of `path` on an `http(s)://` base. */
function socketUrl(base: string, path: string): string {
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Opens a socket and waits for `answer`, a close, a refusal or the timeout. */
export function openSocket(
  base: string,
  path: string,
  options: SocketOptions,
): Promise<OpenedSocket> {
  const started = Date.now();
  const socket = new WebSocket(socketUrl(base, path), options.protocols, {
    ...(options.source === undefined ? {} : { localAddress: options.source }),
    // Loopback only (see target.ts): a local server's self-signed certificate is accepted.
    rejectUnauthorized: false,
    handshakeTimeout: options.timeoutMs,
  });
  const close = (): void => socket.terminate();
  return new Promise<OpenedSocket>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ outcome, close });
    };
    const ms = (): number => Date.now() - started;
    const timer = setTimeout(
      () => settle({ kind: 'silent', detail: 'TIMEOUT', ms: ms() }),
      options.timeoutMs,
    );
    socket.on('open', () => {
      if (options.first !== null) socket.send(JSON.stringify(options.first ?? { op: 'ping' }));
    });
    socket.on('message', (data: Buffer) => {
      let message: { type?: unknown } = {};
      try {
        message = JSON.parse(data.toString('utf8')) as { type?: unknown };
      } catch {
        // Not JSON: not the answer.
      }
      if (message.type === options.answer) {
        settle({ kind: 'reply', status: 101, code: undefined, body: message, ms: ms() });
      }
    });
    socket.on('unexpected-response', (_request, response) => {
      response.resume();
      settle({
        kind: 'reply',
        status: response.statusCode ?? 0,
        code: undefined,
        body: null,
        ms: ms(),
      });
      socket.terminate();
    });
    socket.on('close', (code, reason) => {
      settle({ kind: 'closed', detail: `${code} ${reason.toString()}`.trim(), ms: ms() });
    });
    socket.on('error', (error: Error & { code?: string }) => {
      settle({ kind: 'silent', detail: error.code ?? error.message, ms: ms() });
    });
  });
}
