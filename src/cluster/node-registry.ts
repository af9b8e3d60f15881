// Which nodes are up, for GET /api/system/stats: each node writes a short-lived record of itself
// to Redis every second, and a record that is not refreshed expires. It is only a report; who
// leads is decided by the lease in PostgreSQL, never by this.

import type { Redis } from 'ioredis';
import type { ClusterView, NodeRole } from './role.ts';

export interface NodeRecord {
  node_id: string;
  role: NodeRole;
  epoch: number;
  address: string;
  pid: number;
  started_at: string;
  seen_at: string;
}

const EVERY_MS = 1000;
/** A record lives three beats: one missed write is not yet a node gone. */
const TTL_MS = 3 * EVERY_MS;
const SCAN_COUNT = 100;
const MAX_NODES = 1000;

export class NodeRegistry {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly view: ClusterView,
    private readonly address: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = new Date(now()).toISOString();
  }

  private key(nodeId: string): string {
    return `${this.prefix}:cluster:node:${nodeId}`;
  }

  /** Writes this node's record now and every second until {@link stop}. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.beat().catch(() => undefined), EVERY_MS);
    this.timer.unref();
    return this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.key(this.view.nodeId)).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const record: NodeRecord = {
      node_id: this.view.nodeId,
      role: this.view.role(),
      epoch: this.view.epoch(),
      address: this.address,
      pid: process.pid,
      started_at: this.startedAt,
      seen_at: new Date(this.now()).toISOString(),
    };
    await this.redis.set(this.key(record.node_id), JSON.stringify(record), 'PX', TTL_MS);
  }

  /** Every node whose record is live, by node id. */
  async nodes(): Promise<NodeRecord[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.prefix}:cluster:node:*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0' && keys.length < MAX_NODES);
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values
      .flatMap((v) => (v === null ? [] : [JSON.parse(v) as NodeRecord]))
      .sort((a, b) => a.node_id.localeCompare(b.node_id));
  }
}
