import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySamples } from './latency-samples.ts';

describe('LatencySamples', () => {
  it('has no percentiles before the first sample', () => {
    expect(new LatencySamples().summary()).toEqual({ samples: 0, p50: null, p99: null, max: null });
  });

  it('keeps only the newest samples', () => {
    const samples = new LatencySamples(3);
    for (const ms of [100, 1, 2, 3]) samples.record(ms);
    expect(samples.summary()).toEqual({ samples: 3, p50: 2, p99: 3, max: 3 });
  });

  it('orders its percentiles and takes them from the samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 50 }),
        (values) => {
          const samples = new LatencySamples(100);
          for (const v of values) samples.record(v / 1000);
          const { p50, p99, max } = samples.summary();
          expect(p50).not.toBeNull();
          expect(p50 ?? 0).toBeLessThanOrEqual(p99 ?? 0);
          expect(p99 ?? 0).toBeLessThanOrEqual(max ?? 0);
          expect(max).toBe(Math.max(...values) / 1000);
        },
      ),
    );
  });
});
