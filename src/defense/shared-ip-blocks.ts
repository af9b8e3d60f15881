// IP blocks shared by every node of a cluster. Redis holds the truth: one hash per blocked key,
// expiring with the block (PX), so an expired block vanishes everywhere. Every change is made and
// announced in one script; a block reaches every node within the pub/sub delivery, and a node that
// (re)connects reloads every block. Requests are checked against this node's copy, without I/O.
// Redis down: the copy goes on being enforced as it stands (an outage neither lifts nor adds
// blocks elsewhere); changes made meanwhile hold here, are logged, and are sent on reconnect.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BlockTable, LocalIpBlocks, type Block, type IpBlocks } from './ip-blocks.ts';

/**
 * Merges a block into the one stored on its key (the earlier start, the later end), stores it to
 * expire at its end, and announces the key. KEYS[1] the hash; ARGV: channel, address key, now,
 * reason, manual (0/1), since, until. Returns the stored {since, until}, or nothing if it is over.
 */
const MERGE_SCRIPT = `
local now = tonumber(ARGV[3])
local since = tonumber(ARGV[6])
local ends = tonumber(ARGV[7])
local old = redis.call('HMGET', KEYS[1], 'since', 'until')
if old[1] and old[2] then
  since = math.min(since, tonumber(old[1]))
  ends = math.max(ends, tonumber(old[2]))
end
if ends <= now then return nil end
redis.call('HSET', KEYS[1], 'reason', ARGV[4], 'manual', ARGV[5],
  'since', string.format('%.0f', since), 'until', string.format('%.0f', ends))
redis.call('PEXPIRE', KEYS[1], ends - now)
redis.call('PUBLISH', ARGV[1], ARGV[2])
return {since, ends}
`;

/** Deletes a block and announces its key; KEYS[1] the hash, ARGV channel and address key. */
const LIFT_SCRIPT = `
local had = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return had
`;

/** Blocks changed here while Redis was unreachable, sent when it comes back; bounded. */
const PENDING_LIMIT = 10_000;
/** SCAN page size and the most pages a reload reads (10^6 blocks), so the loop is bounded. */
const SCAN_COUNT = 1000;
const SCAN_PAGES = 1000;

type Pending = { kind: 'block'; block: Block } | { kind: 'lift' };

export interface SharedIpBlocksOptions {
  redis: Redis;
  /** Namespaces keys and the channel in Redis; distinct per deployment (and per test). */
  prefix: string;
  now: () => number;
  log?: Pick<Logger, 'warn' | 'error'> | undefined;
}

/** Escapes the glob characters SCAN MATCH would read in the prefix. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function parseBlock(key: string, hash: Record<string, string>): Block | undefined {
  const { reason, manual, since, until } = hash;
  if (reason === undefined || since === undefined || until === undefined) return undefined;
  return { key, reason, manual: manual === '1', since: Number(since), until: Number(until) };
}

export class SharedIpBlocks implements IpBlocks {
  private readonly table: BlockTable;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly pending = new Map<string, Pending>();
  /** Keys announced while a reload runs: the reload's older view of them is not applied. */
  private announced: Set<string> | undefined;
  private restoreStored: () => Promise<void> = () => Promise.resolve();
  private opened = false;

  constructor(private readonly options: SharedIpBlocksOptions) {
    this.table = new BlockTable(options.now);
    this.channel = `${options.prefix}:blocks`;
    // A connection in subscriber mode can do nothing else, so announcements get their own.
    this.subscriber = options.redis.duplicate();
    this.subscriber.on('message', (_channel: string, key: string) => void this.refresh(key));
    // On every reconnection but the first (which open() handles), catch up on what was missed.
    this.subscriber.on('ready', () => {
      if (this.opened) void this.resync();
    });
    this.subscriber.on('error', (err: unknown) => {
      this.options.log?.warn({ err }, 'IP blocks: Redis subscription failed');
    });
  }

  private hashKey(key: string): string {
    return `${this.options.prefix}:block:${key}`;
  }

  active(key: string): Block | undefined {
    return this.table.active(key);
  }

  list(): Block[] {
    return this.table.list();
  }

  async block(key: string, durationMs: number, reason: string, manual = false): Promise<Block> {
    const now = this.options.now();
    const block = this.table.merge({ key, reason, manual, since: now, until: now + durationMs });
    return (await this.send(block)) ?? block;
  }

  async put(block: Block): Promise<void> {
    const merged = this.table.merge(block);
    await this.send(merged);
  }

  async unblock(key: string): Promise<boolean> {
    const had = this.table.delete(key);
    try {
      const lifted = await this.lift(key);
      this.pending.delete(key);
      return lifted || had;
    } catch (err) {
      this.hold(key, { kind: 'lift' }, err);
      return had;
    }
  }

  async open(restoreStored: () => Promise<void>): Promise<void> {
    this.restoreStored = restoreStored;
    try {
      await this.subscriber.subscribe(this.channel);
      await this.reload();
    } catch (err) {
      // A node that cannot see the cluster's blocks would serve addresses blocked elsewhere.
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`IP blocks: cannot read the cluster's blocks from Redis (${reason})`, {
        cause: err,
      });
    }
    await restoreStored();
    this.opened = true;
  }

  close(): Promise<void> {
    this.opened = false;
    this.subscriber.disconnect();
    return Promise.resolve();
  }

  /** Stores `block` in Redis, giving the block there (merged); on failure holds it for later. */
  private async send(block: Block): Promise<Block | undefined> {
    try {
      const stored = await this.store(block);
      this.pending.delete(block.key);
      if (stored !== undefined) this.table.set(stored);
      return stored;
    } catch (err) {
      this.hold(block.key, { kind: 'block', block }, err);
      return undefined;
    }
  }

  private async store(block: Block): Promise<Block | undefined> {
    const reply = (await this.options.redis.eval(
      MERGE_SCRIPT,
      1,
      this.hashKey(block.key),
      this.channel,
      block.key,
      this.options.now(),
      block.reason,
      block.manual ? '1' : '0',
      block.since,
      block.until,
    )) as [number, number] | null;
    if (reply === null) return undefined;
    return { ...block, since: reply[0], until: reply[1] };
  }

  private async lift(key: string): Promise<boolean> {
    const had = (await this.options.redis.eval(
      LIFT_SCRIPT,
      1,
      this.hashKey(key),
      this.channel,
      key,
    )) as number;
    return had > 0;
  }

  private hold(key: string, change: Pending, err: unknown): void {
    this.pending.delete(key);
    for (const oldest of this.pending.keys()) {
      if (this.pending.size < PENDING_LIMIT) break;
      this.pending.delete(oldest);
    }
    this.pending.set(key, change);
    this.options.log?.error(
      { err, key, change: change.kind },
      'IP blocks: Redis unreachable; the change holds on this node only until it is back',
    );
  }

  /** Re-reads one announced key: the announcement says only that it changed. */
  private async refresh(key: string): Promise<void> {
    this.announced?.add(key);
    // A change held here is sent on reconnection, and then announced again.
    if (this.pending.has(key)) return;
    try {
      const block = parseBlock(key, await this.options.redis.hgetall(this.hashKey(key)));
      if (block === undefined) this.table.delete(key);
      else this.table.set(block);
    } catch (err) {
      this.options.log?.warn({ err, key }, 'IP blocks: could not read an announced block');
    }
  }

  /** After a reconnection: sends what was held, reloads, and puts the stored blocks back. */
  private async resync(): Promise<void> {
    try {
      for (const [key, change] of [...this.pending]) {
        if (change.kind === 'block') await this.store(change.block);
        else await this.lift(key);
        this.pending.delete(key);
      }
      await this.reload();
      await this.restoreStored();
    } catch (err) {
      this.options.log?.warn({ err }, 'IP blocks: could not reload from Redis; keeping the copy');
    }
  }

  /**
   * Replaces the copy with what Redis holds, except keys announced meanwhile (their own re-read
   * is newer) and keys whose changes are still held here.
   */
  private async reload(): Promise<void> {
    const announced = new Set<string>();
    this.announced = announced;
    try {
      const prefix = this.hashKey('');
      const found = new Map<string, Block>();
      let cursor = '0';
      for (let page = 0; page < SCAN_PAGES; page++) {
        const [next, names] = await this.options.redis.scan(
          cursor,
          'MATCH',
          `${globEscape(prefix)}*`,
          'COUNT',
          SCAN_COUNT,
        );
        const pipeline = this.options.redis.pipeline();
        for (const name of names) pipeline.hgetall(name);
        const hashes = names.length === 0 ? [] : ((await pipeline.exec()) ?? []);
        names.forEach((name, i) => {
          const key = name.slice(prefix.length);
          const hash = hashes[i]?.[1] as Record<string, string> | undefined;
          const block = hash === undefined ? undefined : parseBlock(key, hash);
          if (block !== undefined) found.set(key, block);
        });
        cursor = next;
        if (cursor === '0') break;
      }
      for (const key of this.table.keys()) {
        if (!found.has(key) && !announced.has(key) && !this.pending.has(key))
          this.table.delete(key);
      }
      for (const [key, block] of found) {
        if (!announced.has(key) && !this.pending.has(key)) this.table.set(block);
      }
    } finally {
      if (this.announced === announced) this.announced = undefined;
    }
  }
}

/** The blocks for this deployment: shared through Redis when there is one. */
export function openIpBlocks(
  options: Omit<SharedIpBlocksOptions, 'redis'> & { redis: Redis | undefined },
): IpBlocks {
  const { redis, ...rest } = options;
  return redis === undefined ? new LocalIpBlocks(rest.now) : new SharedIpBlocks({ ...rest, redis });
}
