import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeForLog } from './sample.ts';

describe('escapeForLog', () => {
  it('escapes newlines, ANSI escapes, NUL, backslashes and bidi overrides', () => {
    expect(escapeForLog('a\nb\r\t\x1b[31m\x00\\\u202e')).toBe(
      'a\\nb\\r\\t\\u001b[31m\\u0000\\\\\\u202e',
    );
  });

  it('keeps printable Unicode as it is', () => {
    expect(escapeForLog('नमस्ते ₹1,250 📈')).toBe('नमस्ते ₹1,250 📈');
  });

  it('truncates to the limit with an ellipsis, never splitting an escape', () => {
    expect(escapeForLog('x'.repeat(100))).toBe(`${'x'.repeat(79)}…`);
    const cut = escapeForLog(`${'x'.repeat(77)}\x1b`);
    expect(cut).toBe(`${'x'.repeat(77)}…`);
  });

  it('always returns at most max characters with no raw control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 8, max: 120 }), (text, max) => {
        const escaped = escapeForLog(text, max);
        expect(escaped.length).toBeLessThanOrEqual(max);
        // eslint-disable-next-line no-control-regex -- control characters are what this matches
        expect(escaped).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
      }),
    );
  });
});
