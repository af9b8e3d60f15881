// The request gate in front of every route: blocked addresses are turned away first, then each
// request is counted against its address's and its user's allowance. Logins are counted apart,
// and an address that keeps failing them is blocked for BLOCK_DURATION_MINUTES.

import { ApiError } from '../errors.ts';
import type { SecurityEventType, SecurityEvents } from './security-events.ts';
import { inspect } from './ids/index.ts';
import type { InspectedRequest } from './ids/types.ts';
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

export interface IdsPolicy {
  enabled: boolean;
  /** log: record only; reject: also refuse the request; block: also block after `blockAfter` hits. */
  action: 'log' | 'reject' | 'block';
  blockAfter: number;
}

export class Guard {
  private readonly throttle = new EventThrottle();
  /** IDS hits per address in the current block window, for the `block` action. */
  private readonly hits = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limits: RateLimits,
    private readonly blocks: IpBlocks,
    private readonly events: SecurityEvents,
    private readonly blockDurationMs: number,
    private readonly ids: IdsPolicy,
    private readonly now: () => number,
  ) {}

  /**
   * Runs the intrusion detectors over a request. Every finding is a security event; the
   * configured action then logs, refuses (400) or also blocks the address after repeated hits.
   * Parameterized SQL, not this, is what keeps queries safe: the IDS detects and reports.
   */
  async screen(request: InspectedRequest, address: string, userId?: number): Promise<void> {
    if (!this.ids.enabled) return;
    const findings = inspect(request);
    if (findings.length === 0) return;
    for (const f of findings) {
      await this.events.record({
        type: `malicious_${f.detector}` as SecurityEventType,
        severity: f.severity,
        description: `${f.detector.replace('_', ' ')} pattern in ${f.location}`,
        ip: address,
        userId,
        details: { rule: f.rule, location: f.location, score: f.score, sample: f.sample },
      });
    }
    if (this.ids.action === 'log') return;
    if (this.ids.action === 'block') {
      const now = this.now();
      const seen = this.hits.get(address);
      const current =
        seen === undefined || now - seen.since > this.blockDurationMs
          ? { count: 0, since: now }
          : seen;
      current.count += 1;
      this.hits.set(address, current);
      if (current.count >= this.ids.blockAfter) {
        this.hits.delete(address);
        const block = this.blocks.block(address, this.blockDurationMs, 'repeated attack patterns');
        await this.events.record({
          type: 'ip_blocked',
          severity: 'HIGH',
          description: 'an address sending attack patterns was blocked',
          ip: address,
          userId,
          details: { until: new Date(block.until).toISOString() },
        });
      }
    }
    const first = findings[0];
    throw new ApiError(
      'REQUEST_REJECTED',
      `the request was refused: it looks like ${first?.detector.replace('_', ' ') ?? 'an attack'} (${first?.location ?? 'request'})`,
    );
  }

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

  /**
   * Lifts a block and forgets what led to it (failed logins, attack hits), so the address starts
   * afresh. False if the address was not blocked.
   */
  async unblock(address: string): Promise<boolean> {
    if (!this.blocks.unblock(address)) return false;
    this.hits.delete(address);
    await this.limits.forgive(address);
    return true;
  }

  /** After a failed login: blocks the address once it has failed too often. */
  async loginFailed(address: string, username: string): Promise<void> {
    const over = await this.limits.loginFailed(address, username);
    if (over.account) {
      await this.events.record({
        type: 'authn_login_fail_max',
        severity: 'HIGH',
        description: 'an account is failing logins from many attempts; it stays open to its owner',
        ip: address,
        details: { username: username.slice(0, 64), scope: 'account' },
      });
    }
    if (!over.address) return;
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
