// The request gate in front of every route: blocked addresses are turned away first, then each
// request is counted against its address's and its user's allowance. Logins are counted apart,
// and an address that keeps failing them is blocked for BLOCK_DURATION_MINUTES.

import { ApiError } from '../errors.ts';
import type { SecurityEvents } from './security-events.ts';
import type { IpBlocks } from './ip-blocks.ts';
import type { LimitDecision, RateClass, RateLimits } from './rate-limits.ts';

export class RateLimited extends ApiError {
  constructor(readonly decision: LimitDecision) {
    super('RATE_LIMITED', `too many requests; retry in ${Math.ceil(decision.resetMs / 1000)} s`);
  }
}

/** Records at most one rate-limit event per key and class per minute, so a flood is one line. */
class EventThrottle {
  private readonly seen = new Map<string, number>();
  due(key: string, now: number): boolean {
    const last = this.seen.get(key);
    if (last !== undefined && now - last < 60_000) return false;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(key, now);
    return true;
  }
}

export class Guard {
  private readonly throttle = new EventThrottle();

  constructor(
    private readonly limits: RateLimits,
    private readonly blocks: IpBlocks,
    private readonly events: SecurityEvents,
    private readonly blockDurationMs: number,
    private readonly now: () => number,
  ) {}

  /** Throws 403 for a blocked address. */
  refuseBlocked(address: string): void {
    const block = this.blocks.active(address);
    if (block !== undefined) {
      throw new ApiError(
        'IP_BLOCKED',
        `this address is blocked until ${new Date(block.until).toISOString()}`,
      );
    }
  }

  /** Counts a request; throws RateLimited past the allowance. Returns the decision for headers. */
  async request(rateClass: RateClass, address: string, userId?: number): Promise<LimitDecision> {
    const keys = userId === undefined ? [`a:${address}`] : [`u:${userId}`];
    const decision = await this.limits.request(rateClass, keys);
    if (!decision.allowed) {
      if (this.throttle.due(`${keys.join()}|${rateClass}`, this.now())) {
        await this.events.record({
          type: 'excess_rate_limit_exceeded',
          severity: 'MEDIUM',
          description: `request rate limit exceeded (${rateClass})`,
          ip: address,
          userId,
          details: { class: rateClass },
        });
      }
      throw new RateLimited(decision);
    }
    return decision;
  }

  /** Before a login attempt: refuses once the address or the (account, address) pair is over. */
  async beforeLogin(address: string, username: string): Promise<void> {
    const decision = await this.limits.loginAttempt(address, username);
    if (!decision.allowed) throw new RateLimited(decision);
  }

  /** After a failed login: blocks the address once it has failed too often. */
  async loginFailed(address: string, username: string): Promise<void> {
    if (!(await this.limits.loginFailed(address))) return;
    const block = this.blocks.block(address, this.blockDurationMs, 'repeated failed logins');
    await this.events.record({
      type: 'authn_login_fail_max',
      severity: 'HIGH',
      description: 'too many failed logins from one address; it is blocked',
      ip: address,
      details: { username: username.slice(0, 64), until: new Date(block.until).toISOString() },
    });
  }
}
