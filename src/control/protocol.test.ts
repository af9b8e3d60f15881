import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { askControlSocket } from './client.ts';
import { MAX_LINE_BYTES, MAX_SOCKET_PATH_BYTES, parseCommand } from './protocol.ts';

const refusal = (line: string): string | undefined => {
  try {
    parseCommand(line);
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
};

describe('the control protocol', () => {
  it('takes exactly its three commands', () => {
    expect(parseCommand('{"command":"unblock","ip":"127.0.0.1"}')).toEqual({
      command: 'unblock',
      ip: '127.0.0.1',
    });
    expect(parseCommand('{"command":"list"}')).toEqual({ command: 'list' });
    expect(parseCommand('{"command":"clear"}')).toEqual({ command: 'clear' });
  });

  it('refuses every other line with VALIDATION_FAILED, never another exception', () => {
    const known = new Set(['{"command":"list"}', '{"command":"clear"}']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({ command: fc.constantFrom('unblock', 'list', 'clear', 'block', 'stop') })
            .chain((base) =>
              fc
                .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue())
                .map((extra) => JSON.stringify({ ...extra, ...base })),
            ),
        ),
        (line) => {
          if (known.has(line) || /^\{"command":"unblock","ip":"[^"]*"\}$/.test(line)) return;
          expect(refusal(line), line).toBe('VALIDATION_FAILED');
        },
      ),
    );
    expect(refusal(`{"command":"list"}${' '.repeat(MAX_LINE_BYTES)}`)).toBe('VALIDATION_FAILED');
  });

  it('finds no exchange on a socket path Linux would cut short', async () => {
    const long = `/tmp/${'x'.repeat(MAX_SOCKET_PATH_BYTES)}.sock`;
    expect(await askControlSocket(long, { command: 'list' })).toBeUndefined();
  });
});
