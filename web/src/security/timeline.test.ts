import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../api/security-types.ts';
import { bucketBySeverity, eventMatches } from './timeline.ts';

const MIN = 60_000;
const now = Date.parse('2026-11-22T12:07:30.000Z');

function event(id: number, minutesAgo: number, severity: SecurityEvent['severity']): SecurityEvent {
  return {
    id,
    event_type: 'authn_login_fail',
    severity,
    source_ip: '203.0.113.7',
    user_id: null,
    description: 'a login failed',
    details: { username: '<script>nobody</script>' },
    timestamp: new Date(now - minutesAgo * MIN).toISOString(),
  };
}

describe('bucketBySeverity', () => {
  it('counts each event once in the bucket of its time, by severity', () => {
    const events = [
      event(1, 0, 'LOW'),
      event(2, 1, 'HIGH'),
      event(2, 1, 'HIGH'),
      event(3, 6, 'LOW'),
    ];
    const buckets = bucketBySeverity(events, now, 5 * MIN, 3);
    expect(buckets.map((b) => new Date(b.start).toISOString())).toEqual([
      '2026-11-22T11:55:00.000Z',
      '2026-11-22T12:00:00.000Z',
      '2026-11-22T12:05:00.000Z',
    ]);
    expect(buckets.map((b) => b.total)).toEqual([0, 1, 2]);
    expect(buckets[2]?.counts).toEqual({ CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 1 });
  });

  it('leaves out events before the first bucket and after now', () => {
    const buckets = bucketBySeverity([event(1, 16, 'LOW'), event(2, -10, 'LOW')], now, 5 * MIN, 3);
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(0);
  });
});

describe('eventMatches', () => {
  it('finds text in the type, description, address and details, ignoring case', () => {
    const e = event(1, 0, 'LOW');
    expect(eventMatches(e, '')).toBe(true);
    expect(eventMatches(e, 'LOGIN_FAIL')).toBe(true);
    expect(eventMatches(e, '203.0.113')).toBe(true);
    expect(eventMatches(e, '<script>')).toBe(true);
    expect(eventMatches(e, 'sqli')).toBe(false);
  });
});
