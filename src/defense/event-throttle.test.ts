import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventThrottle } from './event-throttle.ts';

const WINDOW = 1_000;

describe('EventThrottle', () => {
  it('lets one event per key through per window and counts the ones it held back', () => {
    const throttle = new EventThrottle(WINDOW);
    expect(throttle.admit('a', 0)).toBe(0);
    expect(throttle.admit('a', 10)).toBeUndefined();
    expect(throttle.admit('a', 999)).toBeUndefined();
    expect(throttle.admit('b', 999)).toBe(0);
    expect(throttle.admit('a', 1_000)).toBe(2);
    expect(throttle.admit('a', 1_500)).toBeUndefined();
    expect(throttle.admit('a', 5_000)).toBe(1);
  });

  const events = fc.array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      gap: fc.integer({ min: 0, max: 600 }),
    }),
    { maxLength: 300 },
  );

  it('for any stream of events, lets through one per key per window and counts the rest', () => {
    fc.assert(
      fc.property(events, (stream) => {
        const throttle = new EventThrottle(WINDOW);
        const model = new Map<string, { at: number; held: number }>();
        let now = 0;
        for (const { key, gap } of stream) {
          now += gap;
          const last = model.get(key);
          const answer = throttle.admit(key, now);
          if (last !== undefined && now - last.at < WINDOW) {
            expect(answer).toBeUndefined();
            last.held += 1;
          } else {
            expect(answer).toBe(last?.held ?? 0);
            model.set(key, { at: now, held: 0 });
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never remembers more keys than its capacity', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 5 }), (stream, capacity) => {
        const throttle = new EventThrottle(WINDOW, capacity);
        let now = 0;
        for (const { key, gap } of stream) {
          throttle.admit(key, (now += gap));
          expect(throttle.size).toBeLessThanOrEqual(capacity);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('forgets the longest-quiet key first when it is full', () => {
    const throttle = new EventThrottle(WINDOW, 2);
    throttle.admit('old', 0);
    throttle.admit('new', 1);
    expect(throttle.admit('third', 2)).toBe(0);
    expect(throttle.size).toBe(2);
    // 'old' was forgotten, so it is let through again; 'new' is still held back.
    expect(throttle.admit('old', 3)).toBe(0);
    expect(throttle.admit('third', 4)).toBeUndefined();
  });
});
