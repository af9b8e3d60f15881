// Remembers (key, nonce) pairs for the replay window so each signed request is accepted once.
// Partitioned by API key: each key may have NONCE_CACHE_SIZE live nonces, and a key that has used
// them is refused (it fails closed rather than forget a nonce that could then be replayed) while
// every other key goes on. In memory on one node; in Redis when the nodes of a cluster share it.

import type { Redis } from 'ioredis';

export type NonceCheck =
  | { verdict: 'fresh' }
  | { verdict: 'replayed' }
  /** The key already holds its `quota` of live nonces; its oldest is forgotten in `retryMs`. */
  | { verdict: 'full'; quota: number; retryMs: number };

export interface NonceStore {
  /** Records the pair if it is new and the key has room. `now` is the server's clock in ms. */
  check(keyId: string, nonce: string, now: number): Promise<NonceCheck>;
}

export interface ReplayCacheOptions {
  /** Live nonces one key may hold. */
  perKey: number;
  /** A request is valid for this long either side of its timestamp. */
  windowMs: number;
}

/** A nonce is remembered for twice the window: its timestamp may be `window` either side of now. */
const lifetime = (windowMs: number): number => 2 * windowMs;

interface Partition {
  /** Insertion order is expiry order, since every entry lives for the same time. */
  seen: Map<string, number>;
  /** When the newest entry expires: the whole partition is empty after that. */
  newest: number;
}

export class ReplayCache implements NonceStore {
  /** Least recently written first, so partitions whose nonces have all expired sit in front. */
  private readonly keys = new Map<string, Partition>();

  constructor(private readonly options: ReplayCacheOptions) {}

  /** Nonces remembered, over every key. */
  get size(): number {
    let total = 0;
    for (const partition of this.keys.values()) total += partition.seen.size;
    return total;
  }

  check(keyId: string, nonce: string, now: number): Promise<NonceCheck> {
    return Promise.resolve(this.checkNow(keyId, nonce, now));
  }

  private checkNow(keyId: string, nonce: string, now: number): NonceCheck {
    this.dropIdle(now);
    const partition = this.keys.get(keyId) ?? { seen: new Map<string, number>(), newest: 0 };
    for (const [id, expiresAt] of partition.seen) {
      if (expiresAt > now) break;
      partition.seen.delete(id);
    }
    if (partition.seen.has(nonce)) return { verdict: 'replayed' };
    if (partition.seen.size >= this.options.perKey) {
      const oldest = partition.seen.values().next().value ?? now;
      return { verdict: 'full', quota: this.options.perKey, retryMs: oldest - now };
    }
    const expiresAt = now + lifetime(this.options.windowMs);
    partition.seen.set(nonce, expiresAt);
    partition.newest = expiresAt;
    this.keys.delete(keyId);
    this.keys.set(keyId, partition);
    return { verdict: 'fresh' };
  }

  /** Forgets keys none of whose nonces are live any more. */
  private dropIdle(now: number): void {
    for (const [keyId, partition] of this.keys) {
      if (partition.newest > now) break;
      this.keys.delete(keyId);
    }
  }
}

/**
 * One sorted set per key (nonce → expiry), trimmed, checked and added to in one script, so two
 * nodes racing with the same nonce cannot both see it fresh, and the count a quota needs is exact.
 * The set expires with its newest nonce (by Redis's clock, which the scores need not share), so an
 * idle key leaves nothing behind.
 */
const CHECK_SCRIPT = `
local now = tonumber(ARGV[1])
local lifetime = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return {1, 0} end
if redis.call('ZCARD', KEYS[1]) >= quota then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {2, tonumber(oldest[2]) - now}
end
redis.call('ZADD', KEYS[1], now + lifetime, ARGV[4])
redis.call('PEXPIRE', KEYS[1], lifetime)
return {0, 0}
`;

export class RedisReplayCache implements NonceStore {
  constructor(
    private readonly redis: Redis,
    /** Namespaces keys in Redis; distinct per deployment (and per test). */
    private readonly prefix: string,
    private readonly options: ReplayCacheOptions,
  ) {}

  async check(keyId: string, nonce: string, now: number): Promise<NonceCheck> {
    const [verdict, retryMs] = (await this.redis.eval(
      CHECK_SCRIPT,
      1,
      `${this.prefix}:nonce:${keyId}`,
      now,
      lifetime(this.options.windowMs),
      this.options.perKey,
      nonce,
    )) as [number, number];
    if (verdict === 0) return { verdict: 'fresh' };
    if (verdict === 1) return { verdict: 'replayed' };
    return { verdict: 'full', quota: this.options.perKey, retryMs };
  }
}

/** The nonce store for this deployment: shared through Redis when there is one. */
export function openReplayCache(
  options: ReplayCacheOptions & { redis: Redis | undefined; prefix: string },
): NonceStore {
  const { redis, prefix, ...limits } = options;
  return redis === undefined
    ? new ReplayCache(limits)
    : new RedisReplayCache(redis, prefix, limits);
}
