// The control socket's protocol: one JSON request line, one JSON answer line. The commands are a
// closed set, each checked against its schema; anything else is refused with the reason, in the
// words the HTTP API uses.

import { join } from 'node:path';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError, type ErrorCode } from '../errors.ts';
import type { BlockedAddress } from '../defense/address-blocks.ts';
import { describeSchemaErrors } from '../http/schema-errors.ts';

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

/** Each command's whole request, closed: a field outside it is refused. */
const validators = {
  unblock: Compile(
    Type.Object(
      { command: Type.Literal('unblock'), ip: Type.String({ minLength: 1, maxLength: 64 }) },
      { additionalProperties: false },
    ),
  ),
  list: Compile(Type.Object({ command: Type.Literal('list') }, { additionalProperties: false })),
  clear: Compile(Type.Object({ command: Type.Literal('clear') }, { additionalProperties: false })),
};
const COMMANDS = Object.keys(validators);

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
  const command = (value as { command?: unknown }).command;
  if (typeof command !== 'string' || !Object.hasOwn(validators, command))
    throw invalid(`command must be one of: ${COMMANDS.join(', ')}`);
  const validator = validators[command as ControlCommand['command']];
  if (!validator.Check(value))
    throw invalid(describeSchemaErrors(validator.Errors(value), '').message);
  return value;
}
