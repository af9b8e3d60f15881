import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAC_HEADER, MAX_CLOCK_SKEW_MS, TIME_HEADER, sign, verify } from './wire.ts';

const key = randomBytes(32);
const body = '{"requestId":"r-1","command":{"kind":"cancel","userId":1,"orderId":2}}';
const now = 1_800_000_000_000;

function headersOf(signed: Record<string, string>): { time: unknown; mac: unknown } {
  return { time: signed[TIME_HEADER], mac: signed[MAC_HEADER] };
}

describe('the cluster MAC', () => {
  it('accepts the exact body, signed by the key, within the clock skew', () => {
    const signed = headersOf(sign(key, 'command', body, now));
    expect(verify(key, 'command', body, signed, now)).toBe('ok');
    expect(verify(key, 'command', body, signed, now + MAX_CLOCK_SKEW_MS)).toBe('ok');
  });

  it('refuses a changed body, another key, the other direction, or a missing MAC', () => {
    const signed = headersOf(sign(key, 'command', body, now));
    expect(verify(key, 'command', body.replace('"orderId":2', '"orderId":3'), signed, now)).toBe(
      'invalid',
    );
    expect(verify(randomBytes(32), 'command', body, signed, now)).toBe('invalid');
    // An answer the leader signed cannot be replayed to it as a command.
    expect(verify(key, 'answer', body, signed, now)).toBe('invalid');
    expect(verify(key, 'command', body, { time: signed.time, mac: undefined }, now)).toBe(
      'missing',
    );
    expect(verify(key, 'command', body, { time: signed.time, mac: 'AAAA' }, now)).toBe('invalid');
  });

  it('refuses a timestamp outside the skew, or one that is not a number', () => {
    const old = headersOf(sign(key, 'command', body, now - MAX_CLOCK_SKEW_MS - 1));
    expect(verify(key, 'command', body, old, now)).toBe('stale');
    const ahead = headersOf(sign(key, 'command', body, now + MAX_CLOCK_SKEW_MS + 1));
    expect(verify(key, 'command', body, ahead, now)).toBe('stale');
    const signed = headersOf(sign(key, 'command', body, now));
    expect(verify(key, 'command', body, { ...signed, time: '1e12' }, now)).toBe('stale');
  });
});
