// The leader's side of forwarding: runs an authenticated command from a gateway only while this
// node leads and only before the command's deadline, so a command that waited too long is refused,
// never carried out late. A request id seen again gets the first answer (the same promise, even
// while the first is still running), so neither a gateway's retry nor a replayed message runs a
// command twice; ids are kept until their deadline, after which the deadline check refuses them.

import { refusal, type TradingCommands } from './commands.ts';
import type { ClusterView } from './role.ts';
import { MAX_CLOCK_SKEW_MS, type Envelope, type Reply } from './wire.ts';

export interface IntakeOptions {
  cluster: ClusterView;
  /** This node's sequencer. */
  local: TradingCommands;
  /** CLUSTER_COMMAND_TTL_MS: a deadline further ahead than this (and the clock skew) is refused. */
  ttlMs: number;
  now: () => number;
  /** Request ids remembered at once; past this the leader refuses new commands (default 100,000). */
  capacity?: number;
}

export class CommandIntake {
  private readonly recent = new Map<string, { until: number; reply: Promise<Reply> }>();
  private readonly capacity: number;

  constructor(private readonly options: IntakeOptions) {
    this.capacity = options.capacity ?? 100_000;
  }

  receive(envelope: Envelope): Promise<Reply> {
    const { requestId, deadline, command } = envelope;
    const key = `${envelope.origin}\u0000${requestId}`;
    const seen = this.recent.get(key);
    if (seen !== undefined) return seen.reply;
    if (this.options.cluster.role() !== 'leader')
      return Promise.resolve({ status: 'not-leader', requestId });
    const now = this.options.now();
    const done = (answer: Reply & { status: 'done' }): Promise<Reply> => Promise.resolve(answer);
    if (now > deadline) {
      return done({
        status: 'done',
        requestId,
        answer: refusal(
          'TRADING_UNAVAILABLE',
          `the command waited longer than its ${this.options.ttlMs} ms for the exchange, so it was not carried out: try again`,
        ),
      });
    }
    if (deadline > now + this.options.ttlMs + MAX_CLOCK_SKEW_MS) {
      return done({
        status: 'done',
        requestId,
        answer: refusal('BAD_REQUEST', 'the command deadline is further ahead than the TTL'),
      });
    }
    this.forget(now);
    if (this.recent.size >= this.capacity) {
      return done({
        status: 'done',
        requestId,
        answer: refusal(
          'TRADING_UNAVAILABLE',
          'the exchange is taking more commands than it can track, so it did not take this one: try again in a few seconds',
        ),
      });
    }
    const reply = this.options.local
      .execute(command)
      .then((answer): Reply => ({ status: 'done', requestId, answer }));
    this.recent.set(key, { until: deadline, reply });
    return reply;
  }

  /** Request ids remembered now, for tests and the System page. */
  get remembered(): number {
    return this.recent.size;
  }

  /** Drops ids whose deadline has passed; entries are roughly in deadline order. */
  private forget(now: number): void {
    for (const [key, entry] of this.recent) {
      if (entry.until >= now) break;
      this.recent.delete(key);
    }
  }
}
