// The process logger: JSON lines to LOG_FILE and to stdout, pretty-printed when stdout is a
// terminal. Log files hold addresses, user ids and security events, so they are the owner's alone:
// 0600 in a 0700 directory, like the keys. Credentials and personal fields are redacted before
// anything is written, and a request is logged by its path, never its query string (where a
// careless client puts a token: `/ws/orders?token=…`).

import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger, type LoggerOptions, type TransportTargetOptions } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

export const LOG_FILE_MODE = 0o600;
export const LOG_DIR_MODE = 0o700;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-signature"]',
  'req.headers["x-nonce"]',
  'req.headers["x-csrf-token"]',
  // The browser's WebSockets carry the access token as a subprotocol.
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.mfa_token',
  '*.refresh_token',
  '*.access_token',
  '*.recovery_codes',
  '*.email',
  '*.full_name',
];

/** The request target without its query string (and so without any token in it). */
export function pathOf(url: string | undefined): string | undefined {
  const query = url?.indexOf('?') ?? -1;
  return query < 0 ? url : url?.slice(0, query);
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

/** A request as the log shows it (Fastify's own fields), with the path in place of the URL. */
export function requestSummary(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: pathOf(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Level, redaction and serializers shared by every logger of the process. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: requestSummary },
  };
}

function ownedByMe(path: string): boolean {
  return statSync(path).uid === process.getuid?.();
}

function holdsOnlyLogs(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).every(
    (entry) => entry.isFile() && /\.log(\.|$)/.test(entry.name),
  );
}

/**
 * Makes `path` a file only its owner reads or writes: created 0600 in a directory created 0700,
 * or narrowed if an older version left them wider. An existing directory is narrowed only when it
 * is ours and holds nothing but log files, so a shared one such as /var/log is left alone.
 */
export function preparePrivateLogFile(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: LOG_DIR_MODE });
  if ((statSync(dir).mode & 0o077) !== 0 && ownedByMe(dir) && holdsOnlyLogs(dir)) {
    chmodSync(dir, LOG_DIR_MODE);
  }
  closeSync(openSync(path, 'a', LOG_FILE_MODE));
  chmodSync(path, LOG_FILE_MODE);
}

/** A pino/file target for a private log file; `mode` also covers a file reopened after rotation. */
function fileTarget(path: string, level: string): TransportTargetOptions {
  preparePrivateLogFile(path);
  return {
    target: 'pino/file',
    level,
    options: { destination: path, mkdir: true, mode: LOG_FILE_MODE },
  };
}

export function createLogger(config: Pick<Config, 'logLevel' | 'logFile'>): Logger {
  const targets: TransportTargetOptions[] = [];
  if (config.logFile !== undefined) targets.push(fileTarget(config.logFile, config.logLevel));
  targets.push(
    process.stdout.isTTY
      ? {
          target: 'pino-pretty',
          level: config.logLevel,
          options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : { target: 'pino/file', level: config.logLevel, options: { destination: 1 } },
  );
  return pino(loggerOptions(config.logLevel), pino.transport({ targets }));
}

/** Security events, one JSON line each, to SECURITY_LOG_FILE (and nowhere if it is off). */
export function createSecurityLogger(config: Pick<Config, 'securityLogFile'>): Logger | undefined {
  if (config.securityLogFile === undefined) return undefined;
  return pino(loggerOptions('info'), pino.transport(fileTarget(config.securityLogFile, 'info')));
}
