import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayCache } from './replay-cache.ts';

describe('ReplayCache', () => {
  it('accepts a nonce once per key within the window', () => {
    const cache = new ReplayCache(100, 1000);
    expect(cache.check('k1', 'n1', 0)).toBe('fresh');
    expect(cache.check('k1', 'n1', 500)).toBe('replayed');
    expect(cache.check('k2', 'n1', 500)).toBe('fresh');
    expect(cache.check('k1', 'n1', 1999)).toBe('replayed');
    expect(cache.check('k1', 'n1', 2000)).toBe('fresh');
  });

  it('fails closed when full of live nonces, and frees room as they expire', () => {
    const cache = new ReplayCache(2, 1000);
    expect(cache.check('k', 'a', 0)).toBe('fresh');
    expect(cache.check('k', 'b', 10)).toBe('fresh');
    expect(cache.check('k', 'c', 20)).toBe('full');
    expect(cache.check('k', 'a', 30)).toBe('replayed');
    expect(cache.check('k', 'c', 2000)).toBe('fresh');
    expect(cache.size).toBe(2);
  });

  it('never accepts the same pair twice while it is remembered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('k1', 'k2'), fc.constantFrom('a', 'b', 'c', 'd')), {
          maxLength: 60,
        }),
        (requests) => {
          const cache = new ReplayCache(1000, 1_000_000);
          const accepted = new Set<string>();
          requests.forEach(([key, nonce], i) => {
            const verdict = cache.check(key, nonce, i);
            const id = `${key}/${nonce}`;
            expect(verdict).toBe(accepted.has(id) ? 'replayed' : 'fresh');
            accepted.add(id);
          });
        },
      ),
    );
  });
});
