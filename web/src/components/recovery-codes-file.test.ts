import { describe, expect, it } from 'vitest';
import { recoveryCodesFile } from './recovery-codes-file.ts';

describe('recovery codes file', () => {
  const codes = ['aaaa-1111', 'bbbb-2222', 'cccc-3333'];
  const account = {
    username: 'mfa_user',
    host: 'exchange.example:8000',
    created: new Date('2026-12-03T08:00:00Z'),
  };

  it('holds every code on a line of its own, after who and when they are for', () => {
    const file = recoveryCodesFile(codes, account);
    const lines = file.text.split('\n');
    expect(lines[0]).toBe('Two-factor recovery codes for mfa_user at exchange.example:8000');
    expect(lines[1]).toBe('Made 2026-12-03T08:00:00.000Z');
    expect(lines.filter((line) => codes.includes(line))).toEqual(codes);
    expect(file.text.endsWith('cccc-3333\n')).toBe(true);
    expect(file.name).toBe('recovery-codes-mfa_user.txt');
  });

  it('keeps a file name safe whatever the username holds', () => {
    expect(recoveryCodesFile(codes, { ...account, username: '../a b' }).name).toBe(
      'recovery-codes-___a_b.txt',
    );
  });
});
