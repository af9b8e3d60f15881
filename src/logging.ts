// The process logger: JSON lines to LOG_FILE and to stdout, pretty-printed when stdout is a
// terminal. Credentials and personal fields are redacted before anything is written.

import { pino, type Logger, type TransportTargetOptions } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.refresh_token',
  '*.access_token',
  '*.email',
  '*.full_name',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'logFile'>): Logger {
  const targets: TransportTargetOptions[] = [];
  if (config.logFile !== undefined) {
    targets.push({
      target: 'pino/file',
      level: config.logLevel,
      options: { destination: config.logFile, mkdir: true },
    });
  }
  targets.push(
    process.stdout.isTTY
      ? {
          target: 'pino-pretty',
          level: config.logLevel,
          options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : { target: 'pino/file', level: config.logLevel, options: { destination: 1 } },
  );
  return pino(
    { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.transport({ targets }),
  );
}

/** Security events, one JSON line each, to SECURITY_LOG_FILE (and nowhere if it is off). */
export function createSecurityLogger(config: Pick<Config, 'securityLogFile'>): Logger | undefined {
  if (config.securityLogFile === undefined) return undefined;
  return pino(
    { level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.transport({
      target: 'pino/file',
      options: { destination: config.securityLogFile, mkdir: true },
    }),
  );
}
