// A journal outage, from the failed write to the resumption of trading, in this process: trading
// stops at once; recovery from the database is then tried again and again, each wait twice the
// one before (capped, with jitter) until the database answers; trading resumes once it has
// loaded a state that passes recovery's checks. A state that fails them keeps trading stopped,
// as at startup: waiting longer would not mend it. An outage that follows soon after the last
// (a database that answers reads but still refuses writes) waits on where that one left off,
// so the exchange does not flap between resuming and failing as fast as it can.

import type { Logger } from 'pino';
import type { Exchange } from './exchange.ts';

export interface OutagePolicy {
  /** The longest wait before the first attempt, in ms. */
  firstDelayMs: number;
  /** No wait is longer than this, in ms. */
  maxDelayMs: number;
  /** A number in [0, 1), for the jitter. */
  random: () => number;
  now: () => number;
}

export const DEFAULT_OUTAGE_POLICY: OutagePolicy = {
  firstDelayMs: 100,
  maxDelayMs: 5_000,
  random: Math.random,
  now: Date.now,
};

/**
 * The wait before attempt `attempt` (0 first): half of min(max, first · 2^attempt) plus a random
 * part of the other half, so nodes that failed together do not retry together, and no wait is 0.
 */
export function backoffDelay(attempt: number, policy: OutagePolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * policy.random());
}

export interface OutageReport {
  /** Attempts that failed because the database did not answer. */
  failedAttempts: number;
  /** The wait before each attempt, in ms. */
  delays: number[];
  /** The problems the successful attempt found; empty when trading resumed. */
  problems: string[];
}

export class JournalOutage {
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private delays: number[] = [];
  private resumedAt: number | undefined;
  private active = false;
  private closed = false;
  private waiting: ((report: OutageReport) => void)[] = [];

  /** `recover` loads the database's state into the exchange and returns the problems it found. */
  constructor(
    private readonly exchange: Exchange,
    private readonly recover: () => Promise<string[]>,
    private readonly policy: OutagePolicy = DEFAULT_OUTAGE_POLICY,
    private readonly log?: Logger | undefined,
  ) {}

  /** True from a failed write until recovery has run to the end. */
  get ongoing(): boolean {
    return this.active;
  }

  /** The journal could not write: stop trading now, and start trying to recover. */
  begin(error: Error): void {
    this.exchange.stop(
      `the journal could not write (${error.message}); trading resumes once the database answers and the exchange has recovered from it`,
    );
    if (this.active || this.closed) return;
    this.active = true;
    // Soon after the last outage, the backoff goes on growing from where that one ended.
    const recent =
      this.resumedAt !== undefined && this.policy.now() - this.resumedAt < this.policy.maxDelayMs;
    this.attempt = recent ? this.attempt + 1 : 0;
    this.delays = [];
    this.log?.error({ err: error }, 'the journal could not write; trading stopped, recovering');
    this.schedule();
  }

  /** Resolves when the outage in progress ends (at once if there is none). */
  ended(): Promise<OutageReport | undefined> {
    if (!this.active) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** No more attempts: the process is shutting down. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = backoffDelay(this.attempt, this.policy);
    this.delays.push(delay);
    this.timer = setTimeout(() => void this.tryRecover(), delay);
    this.timer.unref();
  }

  private async tryRecover(): Promise<void> {
    let problems: string[];
    try {
      problems = await this.recover();
    } catch (error) {
      this.attempt += 1;
      this.log?.warn({ err: error, attempt: this.attempt }, 'recovery failed; trying again');
      this.schedule();
      return;
    }
    this.active = false;
    this.resumedAt = this.policy.now();
    const report = { failedAttempts: this.delays.length - 1, delays: this.delays, problems };
    if (problems.length === 0) this.log?.info({ delays: report.delays }, 'trading resumed');
    else this.log?.error({ problems }, 'recovery after the journal outage found problems');
    for (const done of this.waiting.splice(0)) done(report);
  }
}
