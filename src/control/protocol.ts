// The control socket's protocol: one JSON request line, one JSON answer line. The commands are a
// closed set; anything else is refused with the reason, as the HTTP API would refuse it.

import { join } from 'node:path';
import { ApiError, type ErrorCode } from '../errors.ts';
import type { BlockedAddress } from '../defense/address-blocks.ts';

export type ControlCommand =
  { command: 'unblock'; ip: string } | { command: 'list' } | { command: 'clear' };

export type ControlAnswer =
  | { ok: true; message: string }
  | { ok: true; blocked_ips: BlockedAddress[] }
  | { ok: true; message: string; cleared: number }
  | { ok: false; error: { code: ErrorCode | 'INTERNAL'; message: string } };

export const CONTROL_SOCKET_FILE = 'control.sock';
/** Linux keeps a socket path in 108 bytes with its NUL, and cuts a longer one silently. */
export const MAX_SOCKET_PATH_BYTES = 107;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE);
}

/** The longest request line read; a longer one is refused. */
export const MAX_LINE_BYTES = 1024;

const invalid = (message: string): ApiError => new ApiError('VALIDATION_FAILED', message);

/** The command a request line holds, or a VALIDATION_FAILED ApiError saying what is wrong. */
export function parseCommand(line: string): ControlCommand {
  if (Buffer.byteLength(line) > MAX_LINE_BYTES)
    throw invalid(`a request line is at most ${MAX_LINE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw invalid('a request is one line of JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('a request is a JSON object');
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields).sort().join(',');
  if (fields.command === 'unblock') {
    if (keys !== 'command,ip' || typeof fields.ip !== 'string' || fields.ip.length > 64)
      throw invalid('unblock takes exactly {"command":"unblock","ip":"<address>"}');
    return { command: 'unblock', ip: fields.ip };
  }
  if (fields.command === 'list' || fields.command === 'clear') {
    if (keys !== 'command') throw invalid(`${fields.command} takes no arguments`);
    return { command: fields.command };
  }
  throw invalid('command must be one of unblock, list, clear');
}
