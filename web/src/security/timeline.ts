// Security events counted by severity in equal time buckets, for the dashboard's stacked bars.
// Pure: the clock is passed in.

import type { SecurityEvent, Severity } from '../api/security-types.ts';

export interface Bucket {
  /** Epoch ms where the bucket starts; it ends where the next one starts. */
  start: number;
  counts: Record<Severity, number>;
  total: number;
}

const zero = (): Record<Severity, number> => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 });

/**
 * `count` buckets of `widthMs` ending at `now` (the last one holds `now`); events outside are
 * left out, and an event counted twice (same id) counts once.
 */
export function bucketBySeverity(
  events: readonly Pick<SecurityEvent, 'id' | 'severity' | 'timestamp'>[],
  now: number,
  widthMs: number,
  count: number,
): Bucket[] {
  const end = Math.floor(now / widthMs) * widthMs + widthMs;
  const first = end - count * widthMs;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * widthMs,
    counts: zero(),
    total: 0,
  }));
  const seen = new Set<number>();
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const at = Date.parse(event.timestamp);
    if (!(at >= first && at < end)) continue;
    const bucket = buckets[Math.floor((at - first) / widthMs)];
    if (bucket === undefined) continue;
    bucket.counts[event.severity] += 1;
    bucket.total += 1;
  }
  return buckets;
}

/** Does the event mention `text` in its type, description, address or details? */
export function eventMatches(event: SecurityEvent, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  const haystack = [
    event.event_type,
    event.description,
    event.source_ip ?? '',
    event.details === null ? '' : JSON.stringify(event.details),
  ];
  return haystack.some((field) => field.toLowerCase().includes(needle));
}
