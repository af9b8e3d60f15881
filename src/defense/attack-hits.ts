// IDS hits per address, for IDS_ACTION=block: the hit that makes `threshold` within a window
// (opened by an address's first hit) says "block it", and the count starts again. In Redis the
// count is the cluster's (INCR and PEXPIRE in one script, so exactly one node sees the threshold);
// in memory it is this node's, bounded to `capacity` addresses, the one whose window opened first forgotten first.
// Redis down: hits are counted here meanwhile, so the IDS still blocks on its own.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface AttackHits {
  /** Counts a hit from `address`; true when it reaches the threshold. */
  hit(address: string): Promise<boolean>;
  /** Forgets the address's hits (its block was lifted: it starts afresh). */
  forget(address: string): Promise<void>;
}

export interface AttackHitsPolicy {
  threshold: number;
  windowMs: number;
}

export class LocalAttackHits implements AttackHits {
  /** Insertion order is the order of first hits in the window, so the first is the oldest. */
  private readonly hits = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly policy: AttackHitsPolicy,
    private readonly now: () => number,
    private readonly capacity = 10_000,
  ) {}

  /** Addresses remembered now; never more than the capacity. */
  get size(): number {
    return this.hits.size;
  }

  hit(address: string): Promise<boolean> {
    return Promise.resolve(this.count(address));
  }

  forget(address: string): Promise<void> {
    this.hits.delete(address);
    return Promise.resolve();
  }

  private count(address: string): boolean {
    const now = this.now();
    const seen = this.hits.get(address);
    if (seen !== undefined && now - seen.since <= this.policy.windowMs) {
      seen.count += 1;
      if (seen.count < this.policy.threshold) return false;
      this.hits.delete(address);
      return true;
    }
    this.hits.delete(address);
    if (this.policy.threshold <= 1) return true;
    for (const oldest of this.hits.keys()) {
      if (this.hits.size < this.capacity) break;
      this.hits.delete(oldest);
    }
    this.hits.set(address, { count: 1, since: now });
    return false;
  }
}

/** KEYS[1] the counter; ARGV window (ms) and threshold. 1 when this hit reaches the threshold. */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

export class RedisAttackHits implements AttackHits {
  constructor(
    private readonly redis: Redis,
    /** Namespaces keys in Redis; distinct per deployment (and per test). */
    private readonly prefix: string,
    private readonly policy: AttackHitsPolicy,
    /** Counts while Redis cannot. */
    private readonly fallback: AttackHits,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  private key(address: string): string {
    return `${this.prefix}:ids-hits:${address}`;
  }

  async hit(address: string): Promise<boolean> {
    try {
      const reached = (await this.redis.eval(
        HIT_SCRIPT,
        1,
        this.key(address),
        this.policy.windowMs,
        this.policy.threshold,
      )) as number;
      return reached === 1;
    } catch (err) {
      this.log?.warn({ err }, 'IDS hits: Redis unreachable; counting on this node');
      return this.fallback.hit(address);
    }
  }

  async forget(address: string): Promise<void> {
    await this.fallback.forget(address);
    try {
      await this.redis.del(this.key(address));
    } catch (err) {
      this.log?.warn({ err }, 'IDS hits: Redis unreachable; the count there expires by itself');
    }
  }
}

/** The hit counter for this deployment: the cluster's when there is a Redis. */
export function openAttackHits(options: {
  policy: AttackHitsPolicy;
  now: () => number;
  redis: Redis | undefined;
  prefix: string;
  log?: Pick<Logger, 'warn'> | undefined;
}): AttackHits {
  const local = new LocalAttackHits(options.policy, options.now);
  if (options.redis === undefined) return local;
  return new RedisAttackHits(options.redis, options.prefix, options.policy, local, options.log);
}
