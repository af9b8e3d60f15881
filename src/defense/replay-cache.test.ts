import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTestUrl } from '../../test/support/stores.ts';
import {
  RedisReplayCache,
  ReplayCache,
  type NonceStore,
  type ReplayCacheOptions,
} from './replay-cache.ts';

/** Long enough that Redis's own expiry (by its clock) never falls inside a test. */
const WINDOW = 60_000;

/** Builds a store; every store one variant builds shares its nonces, like the nodes of a cluster. */
type Variant = { name: string; open: (options: ReplayCacheOptions) => () => NonceStore };

const clients: Redis[] = [];
const variants: Variant[] = [
  {
    name: 'memory',
    open: (options) => {
      const cache = new ReplayCache(options);
      return () => cache;
    },
  },
];
const redisUrl = redisTestUrl();
if (redisUrl !== undefined) {
  variants.push({
    name: 'redis',
    open: (options) => {
      const prefix = `test-${randomBytes(6).toString('hex')}`;
      return () => {
        const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
        clients.push(redis);
        return new RedisReplayCache(redis, prefix, options);
      };
    },
  });
}

afterAll(async () => {
  // Each test's sets expire with their window; the clients go now.
  await Promise.all(clients.map((c) => c.quit()));
});

const verdicts = async (store: NonceStore, requests: [string, string, number][]) => {
  const out: string[] = [];
  for (const [key, nonce, now] of requests) out.push((await store.check(key, nonce, now)).verdict);
  return out;
};

describe.each(variants)('replay cache in $name', ({ open }) => {
  it('accepts a nonce once per key within the window', async () => {
    const cache = open({ perKey: 100, windowMs: WINDOW })();
    expect(
      await verdicts(cache, [
        ['k1', 'n1', 0],
        ['k1', 'n1', 500],
        ['k2', 'n1', 500],
        ['k1', 'n1', 2 * WINDOW - 1],
        ['k1', 'n1', 2 * WINDOW],
      ]),
    ).toEqual(['fresh', 'replayed', 'fresh', 'replayed', 'fresh']);
  });

  it('refuses only the key that holds its quota of live nonces, and frees room as they expire', async () => {
    const cache = open({ perKey: 2, windowMs: WINDOW })();
    expect(
      await verdicts(cache, [
        ['k', 'a', 0],
        ['k', 'b', 10],
        ['k', 'a', 30],
        ['other', 'a', 30],
        ['other', 'b', 40],
      ]),
    ).toEqual(['fresh', 'fresh', 'replayed', 'fresh', 'fresh']);
    // Full: told when its oldest nonce is forgotten.
    expect(await cache.check('k', 'c', 20)).toEqual({
      verdict: 'full',
      quota: 2,
      retryMs: 2 * WINDOW - 20,
    });
    expect(await verdicts(cache, [['k', 'c', 2 * WINDOW]])).toEqual(['fresh']);
  });

  it('shares nonces between the stores of one deployment', async () => {
    const node = open({ perKey: 2, windowMs: WINDOW });
    const [a, b] = [node(), node()];
    expect(await verdicts(a, [['k', 'n1', 0]])).toEqual(['fresh']);
    expect(
      await verdicts(b, [
        ['k', 'n1', 1],
        ['k', 'n2', 2],
        ['k', 'n3', 3],
      ]),
    ).toEqual(['replayed', 'fresh', 'full']);
  });
});

describe('replay cache in memory, for all request streams', () => {
  const stream = fc.array(
    fc.tuple(
      fc.constantFrom('k1', 'k2', 'k3'),
      fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      fc.nat(50),
    ),
    { maxLength: 80 },
  );
  /** Requests in time order: each element's gap is added to the clock. */
  const timed = (requests: [string, string, number][]): [string, string, number][] => {
    let now = 0;
    return requests.map(([key, nonce, gap]) => [key, nonce, (now += gap)]);
  };

  it('never accepts the same pair twice while it is remembered', async () => {
    await fc.assert(
      fc.asyncProperty(stream, async (requests) => {
        const cache = new ReplayCache({ perKey: 1000, windowMs: 1_000_000 });
        const accepted = new Set<string>();
        for (const [key, nonce, now] of timed(requests)) {
          const id = `${key}/${nonce}`;
          expect((await cache.check(key, nonce, now)).verdict).toBe(
            accepted.has(id) ? 'replayed' : 'fresh',
          );
          accepted.add(id);
        }
      }),
    );
  });

  it('answers a key the same whatever other keys send', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.integer({ min: 1, max: 4 }), async (requests, perKey) => {
        const options = { perKey, windowMs: 300 };
        const shared = new ReplayCache(options);
        const alone = new ReplayCache(options);
        for (const [key, nonce, now] of timed(requests)) {
          const verdict = await shared.check(key, nonce, now);
          if (key === 'k1') expect(verdict).toEqual(await alone.check(key, nonce, now));
        }
        // Keys whose nonces have all expired are forgotten entirely.
        await shared.check('k1', 'probe', 1_000_000);
        expect(shared.size).toBe(1);
      }),
    );
  });
});
