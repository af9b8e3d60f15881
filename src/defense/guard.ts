// The request gate in front of every route: blocked addresses are turned away first, then each
// request is counted against its address's and its user's allowance. Logins are counted apart,
// and an address that keeps failing them is blocked for BLOCK_DURATION_MINUTES.

import { ApiError } from '../errors.ts';
import type { SecurityEventType, SecurityEvents } from './security-events.ts';
import { EventThrottle } from './event-throttle.ts';
import {
  inspectRequest,
  refusable,
  SEVERITY_WEIGHT,
  type DetectorName,
  type Finding,
} from './ids/index.ts';
import type { InspectedRequest } from './ids/types.ts';
import type { AttackHits } from './attack-hits.ts';
import type { IpBlocks } from './ip-blocks.ts';
import type { LimitDecision, RateClass, RateLimits } from './rate-limits.ts';

/** A 429 with Retry-After: a spent request allowance, or another quota that says why. */
export class RateLimited extends ApiError {
  constructor(
    readonly decision: LimitDecision,
    code: 'RATE_LIMITED' | 'NONCE_QUOTA_EXCEEDED' = 'RATE_LIMITED',
    message = `too many requests; retry in ${Math.ceil(decision.resetMs / 1000)} s`,
  ) {
    super(code, message);
  }
}

/** At most one rate-limit event per key and class per minute, so a flood is one line. */
const RATE_EVENT_WINDOW_MS = 60_000;
/** At most one IDS event per address and type in this window; the next says how many were held. */
export const IDS_EVENT_WINDOW_MS = 10_000;

const spoken = (detector: DetectorName): string => detector.replace('_', ' ');

/** The finding of the highest severity, and of those the highest score; the first on a tie. */
function worstOf(findings: readonly Finding[]): Finding | undefined {
  const rank = (f: Finding): number => SEVERITY_WEIGHT[f.severity] * 1e6 + f.score;
  return findings.reduce<Finding | undefined>(
    (w, f) => (w && rank(w) >= rank(f) ? w : f),
    undefined,
  );
}

export interface IdsPolicy {
  enabled: boolean;
  /** log: record only; reject: also refuse the request; block: also block after repeated hits. */
  action: 'log' | 'reject' | 'block';
}

export class Guard {
  private readonly rateEvents = new EventThrottle(RATE_EVENT_WINDOW_MS);
  private readonly idsEvents = new EventThrottle(IDS_EVENT_WINDOW_MS);

  constructor(
    private readonly limits: RateLimits,
    private readonly blocks: IpBlocks,
    /** IDS hits per address, for the `block` action: it says when there were enough. */
    private readonly hits: AttackHits,
    private readonly events: SecurityEvents,
    private readonly blockDurationMs: number,
    private readonly ids: IdsPolicy,
    private readonly now: () => number,
  ) {}

  /**
   * Runs the intrusion detectors over a request whose schema was checked already, so unknown
   * fields never get here. A request's findings are one security event (see `report`). The
   * configured action then logs, refuses (400) or also blocks the address after repeated hits,
   * on the findings that are grounds for refusal (`refusable`: none in an opaque field, only
   * high-confidence ones in free text); it also refuses a query with more parameters than the IDS
   * inspects, which could hide one. Parameterized SQL, not this, is what keeps queries safe: the
   * IDS detects and reports.
   */
  async screen(request: InspectedRequest, address: string, userId?: number): Promise<void> {
    if (!this.ids.enabled) return;
    const { findings, skipped } = inspectRequest(request);
    const worst = worstOf(findings);
    const grounds = worstOf(findings.filter(refusable));
    const refusing = grounds !== undefined && this.ids.action !== 'log';
    if (worst !== undefined) await this.report(findings, worst, address, userId, refusing);
    if (this.ids.action === 'log') return;
    if (grounds === undefined) {
      if (skipped.query === 0) return;
      throw new ApiError(
        'REQUEST_REJECTED',
        'the request was refused: its query string holds more than the intrusion detection inspects; send fewer parameters',
      );
    }
    if (this.ids.action === 'block' && (await this.hits.hit(address))) {
      const block = await this.blocks.block(
        address,
        this.blockDurationMs,
        'repeated attack patterns',
      );
      await this.events.record({
        type: 'ip_blocked',
        severity: 'HIGH',
        description: 'an address sending attack patterns was blocked',
        ip: address,
        userId,
        details: { until: new Date(block.until).toISOString() },
      });
    }
    throw new ApiError(
      'REQUEST_REJECTED',
      `the request was refused: it looks like ${spoken(grounds.detector)} (${grounds.location})`,
    );
  }

  /**
   * One event for all of a request's findings, typed by the worst, naming every detector and
   * counting the findings. Not stored when one of its type from this address was stored less
   * than IDS_EVENT_WINDOW_MS ago; the next one stored says how many were held back. `refused`
   * says whether the request was refused, so an operator tells an attack stopped from a finding
   * in a field the IDS only watches.
   */
  private async report(
    findings: readonly Finding[],
    worst: Finding,
    address: string,
    userId: number | undefined,
    refused: boolean,
  ): Promise<void> {
    const type = `malicious_${worst.detector}` as SecurityEventType;
    const held = this.idsEvents.admit(`${address}|${type}`, this.now());
    if (held === undefined) return;
    const detectors = [...new Set(findings.map((f) => f.detector))];
    const where = `${spoken(worst.detector)} pattern in ${worst.location}`;
    await this.events.record({
      type,
      severity: worst.severity,
      description:
        findings.length === 1
          ? where
          : `${findings.length} attack patterns (${detectors.map(spoken).join(', ')}); the worst: ${where}`,
      ip: address,
      userId,
      details: {
        rule: worst.rule,
        location: worst.location,
        field: worst.field,
        refused,
        score: worst.score,
        sample: worst.sample,
        detectors,
        findings: findings.length,
        ...(held > 0 ? { suppressed: held } : {}),
      },
    });
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
      const held = this.rateEvents.admit(`${keys.join()}|${rateClass}`, this.now());
      if (held !== undefined) {
        await this.events.record({
          type: 'excess_rate_limit_exceeded',
          severity: 'MEDIUM',
          description: `request rate limit exceeded (${rateClass})`,
          ip: address,
          userId,
          details: { class: rateClass, ...(held > 0 ? { suppressed: held } : {}) },
        });
      }
      throw new RateLimited(decision);
    }
    return decision;
  }

  /** Before a WebSocket upgrade: refuses (429) an address past its upgrades for the minute. */
  async upgrade(address: string): Promise<void> {
    const decision = await this.limits.upgrade(address);
    if (!decision.allowed) throw new RateLimited(decision);
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
    if (!(await this.blocks.unblock(address))) return false;
    await this.hits.forget(address);
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
    const block = await this.blocks.block(address, this.blockDurationMs, 'repeated failed logins');
    await this.events.record({
      type: 'authn_login_fail_max',
      severity: 'HIGH',
      description: 'too many failed logins from one address; it is blocked',
      ip: address,
      details: { username: username.slice(0, 64), until: new Date(block.until).toISOString() },
    });
  }
}
