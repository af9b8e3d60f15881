// Request limits on rate-limiter-flexible, in memory or in Redis (shared by every node).
// API: API_RATE_LIMIT per minute plus a burst of API_BURST_LIMIT, per client address and per
// user, for each class of route. Login: LOGIN_RATE_LIMIT attempts per LOGIN_TIMEWINDOW per
// address and per (account, address), so an attacked account still opens for its owner from
// elsewhere. WebSocket upgrades: WS_UPGRADE_RATE_LIMIT a minute per address.

import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export type RateClass = 'orders' | 'market' | 'account' | 'crypto' | 'admin';

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface RateLimitOptions {
  apiRatePerMinute: number;
  apiBurst: number;
  loginAttempts: number;
  loginWindowSeconds: number;
  /** Failed logins from one address within the login window before it is blocked. */
  bruteForceThreshold: number;
  /** WebSocket upgrades per address per minute. */
  wsUpgradesPerMinute: number;
  redis?: Redis | undefined;
  /** Namespaces keys in Redis; distinct per deployment (and per test). */
  prefix: string;
}

/** Market data is polled by terminals: it gets more room than trading calls. */
const CLASS_FACTOR: Record<RateClass, number> = {
  orders: 1,
  market: 3,
  account: 1,
  crypto: 1,
  admin: 1,
};

interface Consumer {
  consume(key: string, points?: number): Promise<RateLimiterRes>;
}

export class RateLimits {
  private readonly api = new Map<RateClass, { limiter: Consumer; limit: number }>();
  private readonly loginByAddress: RateLimiterAbstract;
  private readonly loginByAccount: RateLimiterAbstract;
  private readonly failures: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;
  private readonly upgrades: RateLimiterAbstract;

  constructor(private readonly options: RateLimitOptions) {
    const make = (name: string, points: number, duration: number): RateLimiterAbstract =>
      options.redis === undefined
        ? new RateLimiterMemory({ keyPrefix: `${options.prefix}:${name}`, points, duration })
        : new RateLimiterRedis({
            storeClient: options.redis,
            keyPrefix: `${options.prefix}:${name}`,
            points,
            duration,
          });
    for (const rateClass of Object.keys(CLASS_FACTOR) as RateClass[]) {
      const rate = options.apiRatePerMinute * CLASS_FACTOR[rateClass];
      const burst = options.apiBurst * CLASS_FACTOR[rateClass];
      this.api.set(rateClass, {
        limiter: new BurstyRateLimiter(
          make(`api:${rateClass}`, rate, 60),
          make(`burst:${rateClass}`, burst, 60),
        ),
        limit: rate + burst,
      });
    }
    const window = options.loginWindowSeconds;
    this.loginByAddress = make('login:addr', options.loginAttempts, window);
    this.loginByAccount = make('login:acct', options.loginAttempts, window);
    this.failures = make('login:fail', options.bruteForceThreshold, window);
    this.accountFailures = make('login:acct-fail', options.bruteForceThreshold, window);
    this.upgrades = make('ws:upgrade', options.wsUpgradesPerMinute, 60);
  }

  /** Takes one request from each key's allowance (address, and user when known). */
  async request(rateClass: RateClass, keys: readonly string[]): Promise<LimitDecision> {
    const entry = this.api.get(rateClass);
    if (entry === undefined) throw new Error(`no limiter for ${rateClass}`);
    let tightest: LimitDecision = {
      allowed: true,
      limit: entry.limit,
      remaining: entry.limit,
      resetMs: 60_000,
    };
    for (const key of keys) {
      const decision = await take(entry.limiter, key, entry.limit);
      if (!decision.allowed) return decision;
      if (decision.remaining < tightest.remaining) tightest = decision;
    }
    return tightest;
  }

  /** One login attempt by `address` for `username`; refused past either allowance. */
  async loginAttempt(address: string, username: string): Promise<LimitDecision> {
    const limit = this.options.loginAttempts;
    const byAddress = await take(this.loginByAddress, address, limit);
    if (!byAddress.allowed) return byAddress;
    return take(this.loginByAccount, `${username.toLowerCase()}|${address}`, limit);
  }

  /** One WebSocket upgrade by `address`. */
  upgrade(address: string): Promise<LimitDecision> {
    return take(this.upgrades, address, this.options.wsUpgradesPerMinute);
  }

  /** Forgets an address's failed logins, so a lifted block does not fall again at once. */
  async forgive(address: string): Promise<void> {
    await this.failures.delete(address);
  }

  /**
   * Counts a failed login against the address and the account. Says whether the address has
   * now failed BRUTE_FORCE_THRESHOLD times (it gets blocked) and whether the account has (it is
   * under attack: reported, never locked, since its owner may be logging in from elsewhere).
   */
  async loginFailed(
    address: string,
    username: string,
  ): Promise<{ address: boolean; account: boolean }> {
    const limit = this.options.bruteForceThreshold;
    const byAddress = await take(this.failures, address, limit);
    const byAccount = await take(this.accountFailures, username.toLowerCase(), limit);
    return {
      address: !byAddress.allowed || byAddress.remaining === 0,
      account: byAccount.allowed && byAccount.remaining === 0,
    };
  }
}

async function take(limiter: Consumer, key: string, limit: number): Promise<LimitDecision> {
  try {
    const res = await limiter.consume(key);
    return { allowed: true, limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, limit, remaining: 0, resetMs: rejection.msBeforeNext };
    }
    throw rejection;
  }
}
