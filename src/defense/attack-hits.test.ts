import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { unreachableRedis } from '../../test/support/redis.ts';
import { redisTestUrl } from '../../test/support/stores.ts';
import { LocalAttackHits, RedisAttackHits } from './attack-hits.ts';

const POLICY = { threshold: 3, windowMs: 1_000 };

describe('LocalAttackHits', () => {
  it('says block on the hit that makes the threshold within a window, then counts afresh', async () => {
    let now = 0;
    const hits = new LocalAttackHits(POLICY, () => now);
    expect(await hits.hit('a')).toBe(false);
    expect(await hits.hit('a')).toBe(false);
    expect(await hits.hit('b')).toBe(false);
    expect(await hits.hit('a')).toBe(true);
    expect(await hits.hit('a')).toBe(false);
    // The window opened by the first hit closes: old hits no longer count.
    now = 1_001;
    expect(await hits.hit('b')).toBe(false);
    expect(await hits.hit('b')).toBe(false);
    expect(await hits.hit('b')).toBe(true);
    await hits.forget('a');
    expect(hits.size).toBe(0);
  });

  it('remembers at most its capacity of addresses, forgetting the oldest window first', async () => {
    const hits = new LocalAttackHits(POLICY, () => 0, 100);
    for (let i = 0; i < 1_000; i++) await hits.hit(`203.0.113.${i}`);
    expect(hits.size).toBe(100);
    // The newest addresses are still counted: two more hits block the last one.
    expect(await hits.hit('203.0.113.999')).toBe(false);
    expect(await hits.hit('203.0.113.999')).toBe(true);
    // The first was forgotten: its hit counts as its first again.
    expect(await hits.hit('203.0.113.0')).toBe(false);
    expect(await hits.hit('203.0.113.0')).toBe(false);
    expect(hits.size).toBe(100);
  });

  it('with a threshold of one, blocks on the first hit and remembers nothing', async () => {
    const hits = new LocalAttackHits({ threshold: 1, windowMs: 1_000 }, () => 0);
    expect(await hits.hit('a')).toBe(true);
    expect(hits.size).toBe(0);
  });
});

describe('RedisAttackHits', () => {
  it('counts on this node while Redis is unreachable', async () => {
    const redis = unreachableRedis();
    const warnings: string[] = [];
    const log = pino({}, { write: (line: string) => void warnings.push(line) });
    const hits = new RedisAttackHits(
      redis,
      'unused',
      POLICY,
      new LocalAttackHits(POLICY, () => 0),
      log,
    );
    try {
      expect(await hits.hit('a')).toBe(false);
      expect(await hits.hit('a')).toBe(false);
      expect(await hits.hit('a')).toBe(true);
      await hits.forget('a');
      expect(warnings.length).toBe(4);
      expect(warnings[0]).toMatch(/counting on this node/);
    } finally {
      redis.disconnect();
    }
  });

  it('counts every node’s hits in Redis, in a window that expires, and exactly one hit reaches the threshold', async () => {
    const url = redisTestUrl();
    if (url === undefined) return;
    const redis = new Redis(url);
    const prefix = `test-${randomBytes(6).toString('hex')}`;
    const node = () =>
      new RedisAttackHits(redis, prefix, POLICY, new LocalAttackHits(POLICY, () => 0));
    const [a, b] = [node(), node()];
    try {
      expect(await a.hit('a')).toBe(false);
      expect(await b.hit('a')).toBe(false);
      const ttl = await redis.pttl(`${prefix}:ids-hits:a`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(POLICY.windowMs);
      expect(await a.hit('a')).toBe(true);
      expect(await redis.exists(`${prefix}:ids-hits:a`)).toBe(0);

      // Racing hits: of 9, exactly three reach the threshold.
      const reached = await Promise.all(
        Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? a : b).hit('c')),
      );
      expect(reached.filter(Boolean).length).toBe(3);

      await b.hit('d');
      await a.forget('d');
      expect(await redis.exists(`${prefix}:ids-hits:d`)).toBe(0);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
