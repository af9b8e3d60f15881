// A cluster node's hold on the sequencer lease (a row in PostgreSQL, see lease.repo.ts). A
// standby reads the row every third of the TTL and takes the lease once it has expired; the
// leader renews it as often. Safety does not rest on these timers: every write the leader makes
// checks its epoch in the same transaction (store/fence.ts), so a leader that lost the lease
// while paused commits nothing when it wakes. The timers only make it notice, and step down.

import type { Logger } from 'pino';
import type { EpochFence } from '../store/fence.ts';
import type { LeaseRepo } from '../store/lease.repo.ts';
import type { ClusterView, LeaderInfo, NodeRole } from './role.ts';

export interface LeaseOptions {
  repo: LeaseRepo;
  fence: EpochFence;
  nodeId: string;
  /** This node's internal base URL, written into the row for the others. */
  address: string;
  ttlMs: number;
  /**
   * Called once this node holds the lease, before it writes: recover and start trading. A
   * rejection gives the lease back. Its resolved value is called on stepping down.
   */
  onLead: (epoch: number) => Promise<() => Promise<void>>;
  log?: Logger | undefined;
  /** A monotonic clock in ms; performance.now by default. */
  clock?: () => number;
}

export class ClusterLease implements ClusterView {
  readonly nodeId: string;
  private current: NodeRole = 'standby';
  /** The epoch held while `onLead` runs, then while leading; 0 when not holding the lease. */
  private leading = 0;
  private known: LeaderInfo | undefined;
  /** The clock before the last renewal that succeeded: the lease is surely ours until + TTL. */
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stepDownHook: (() => Promise<void>) | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly clock: () => number;
  /** Why this node last stepped down, for /api/health. */
  fencedReason: string | undefined;

  constructor(private readonly options: LeaseOptions) {
    this.nodeId = options.nodeId;
    this.clock = options.clock ?? (() => performance.now());
  }

  role(): NodeRole {
    return this.current;
  }

  leader(): LeaderInfo | undefined {
    return this.known;
  }

  epoch(): number {
    return this.current === 'leader' ? this.leading : 0;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether this node may still count the lease its own (no renewal failed for a TTL). */
  get leaseFresh(): boolean {
    return this.current === 'leader' && this.clock() - this.renewedAt < this.options.ttlMs;
  }

  /** Runs the first round at once, then one every third of the TTL, until {@link stop}. */
  start(): Promise<void> {
    const every = Math.max(50, Math.floor(this.options.ttlMs / 3));
    this.timer = setInterval(() => void this.round(), every);
    return this.round();
  }

  /** Stops the rounds and, if leading, steps down and gives the lease back at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.leading === 0) return;
    const epoch = this.leading;
    await this.stepDown('this node is shutting down', 'standby');
    await this.options.repo.release(epoch).catch(() => undefined);
  }

  /** Steps down now (the writer lock was lost, say); the next rounds may lead again. */
  lose(reason: string): Promise<void> {
    return this.serial(() => this.stepDown(reason, 'fenced'));
  }

  private round(): Promise<void> {
    return this.serial(() => (this.leading !== 0 ? this.renew() : this.tryLead()));
  }

  /** One round at a time: a slow database must not stack rounds up. */
  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.running.then(step).catch((error: unknown) => {
      this.options.log?.warn({ err: error }, 'cluster lease round failed');
    });
    this.running = run;
    return run;
  }

  private async renew(): Promise<void> {
    const { repo, ttlMs } = this.options;
    const started = this.clock();
    const outcome = await repo.renew(this.leading, ttlMs).catch(() => 'failed' as const);
    if (outcome === 'renewed') {
      this.renewedAt = started;
      return;
    }
    if (outcome === 'lost') {
      await this.stepDown(
        `another node holds the lease now (this node led epoch ${this.leading})`,
        'fenced',
      );
      return;
    }
    if (this.clock() - this.renewedAt >= ttlMs) {
      await this.stepDown(`the lease could not be renewed within its ${ttlMs} ms TTL`, 'fenced');
    }
  }

  private async tryLead(): Promise<void> {
    const { repo, nodeId, address, ttlMs } = this.options;
    const row = await repo.read();
    const live = row !== undefined && row.expires_at >= row.now && row.node_id !== '';
    this.setKnown(
      live ? { nodeId: row.node_id, address: row.address, epoch: row.epoch } : undefined,
    );
    if (live) return;
    const started = this.clock();
    const epoch = await repo.acquire(nodeId, address, ttlMs);
    if (epoch === undefined) return;
    this.renewedAt = started;
    this.leading = epoch;
    this.options.fence.lead(epoch);
    this.known = { nodeId, address, epoch };
    // Taking over (recovery, building the app) may take longer than the TTL: the rounds keep
    // renewing meanwhile, so it runs beside them rather than in one.
    void this.takeOver(epoch);
  }

  private async takeOver(epoch: number): Promise<void> {
    const { repo, nodeId, log } = this.options;
    let hook: () => Promise<void>;
    try {
      hook = await this.options.onLead(epoch);
    } catch (error) {
      log?.error({ err: error, epoch }, 'could not take over as leader: giving the lease back');
      await this.serial(async () => {
        if (this.leading !== epoch) return;
        this.options.fence.close();
        this.leading = 0;
        this.known = undefined;
        await repo.release(epoch).catch(() => undefined);
      });
      return;
    }
    if (this.leading !== epoch) {
      // The lease was lost while taking over: undo at once.
      await hook().catch(() => undefined);
      return;
    }
    this.stepDownHook = hook;
    this.current = 'leader';
    this.fencedReason = undefined;
    log?.info({ epoch, nodeId }, 'this node leads the cluster');
    this.emit();
  }

  private async stepDown(reason: string, role: NodeRole): Promise<void> {
    if (this.leading === 0) return;
    this.options.fence.close();
    this.leading = 0;
    this.current = role;
    this.fencedReason = role === 'fenced' ? reason : undefined;
    this.known = undefined;
    this.options.log?.warn({ reason }, 'this node stepped down as leader');
    this.emit();
    const hook = this.stepDownHook;
    this.stepDownHook = undefined;
    await hook?.().catch((error: unknown) => {
      this.options.log?.error({ err: error }, 'stepping down did not finish cleanly');
    });
  }

  private setKnown(leader: LeaderInfo | undefined): void {
    const before = this.known;
    this.known = leader;
    if (before?.nodeId !== leader?.nodeId || before?.epoch !== leader?.epoch) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
