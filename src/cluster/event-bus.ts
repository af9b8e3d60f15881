// Committed market events between the nodes of a cluster, over one Redis stream: the leader
// appends one entry per durable command, numbered from 1 in its run (XADD, the stream trimmed to
// about MAX_ENTRIES), and every other node reads the entries in order into its read model, from
// a database snapshot on. A node that finds a gap, or an entry it cannot read, reloads from the
// database and reads on. Entries are versioned JSON with integers only.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Exchange } from '../exchange/exchange.ts';
import { marketEvents } from '../market/local-market-view.ts';
import type { MarketEvent } from '../market/market-view.ts';
import type { Store } from '../store/db.ts';
import { MarketSnapshotRepo } from '../store/market-snapshot.repo.ts';
import { ReplicaMarketView, type BatchOrigin, type CommittedBatch } from './read-model.ts';
import { followStream, lastEntryId, type StreamFollower } from './stream-follower.ts';

export const WIRE_VERSION = 1;
/** About a few minutes of a busy exchange: a node further behind than this reloads. */
export const MAX_ENTRIES = 10_000;
const FIELD = 'batch';

export const committedStream = (prefix: string): string => `${prefix}:market:committed`;

export function encodeBatch(batch: CommittedBatch): string {
  const { epoch, source, events } = batch;
  return JSON.stringify({ v: WIRE_VERSION, epoch, source, batch: batch.batch, events });
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** The batch an entry carries; undefined if it is not one this version reads. */
export function decodeBatch(text: string | undefined): CommittedBatch | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, epoch, source, batch, events } = parsed as Record<string, unknown>;
  if (v !== WIRE_VERSION || !isCount(epoch) || !isCount(batch) || typeof source !== 'string')
    return undefined;
  if (!Array.isArray(events)) return undefined;
  // Written by this program's own leader: the events' shape is trusted past the envelope.
  return { epoch, source, batch, events: events as MarketEvent[] };
}

export interface PublishOptions {
  exchange: Pick<Exchange, 'subscribe'>;
  redis: Redis;
  prefix: string;
  /** The leader's term: followers take a new term's batches from 1 on. */
  epoch: number;
  log?: Logger | undefined;
  maxEntries?: number;
}

/**
 * Appends every durable command's events to the stream, in commit order (one connection keeps
 * the order). A failed append is logged and its number stays used, so followers see the gap and
 * reload. Returns the function that stops publishing.
 */
export function publishCommitted(options: PublishOptions): () => void {
  const { redis, epoch, log } = options;
  const key = committedStream(options.prefix);
  const maxEntries = String(options.maxEntries ?? MAX_ENTRIES);
  const source = randomUUID();
  let batch = 0;
  return options.exchange.subscribe((published) => {
    batch += 1;
    const text = encodeBatch({ epoch, source, batch, events: marketEvents(published) });
    redis.xadd(key, 'MAXLEN', '~', maxEntries, '*', FIELD, text).catch((error: unknown) => {
      log?.warn({ err: error, epoch, batch }, 'could not publish committed events');
    });
  });
}

export interface ReplicaOptions {
  redis: Redis;
  prefix: string;
  /** The database the leader commits to: snapshots are read from it. */
  store: Pick<Store, 'db' | 'dialect'>;
  now: () => number;
  log?: Logger | undefined;
  /** How long one stream read blocks (default 1 s). */
  blockMs?: number | undefined;
  /** The pause between failed attempts to reload (default 500 ms). */
  retryMs?: number | undefined;
}

export interface Replica {
  view: ReplicaMarketView;
  /** How many times the view reloaded from the database after a gap. */
  resyncs(): number;
  close(): Promise<void>;
}

/**
 * A read model fed by the leader's stream: the stream's newest entry is noted before the
 * database snapshot is read, and reading starts after it, so every commit is in the snapshot or
 * in an entry read after it (commits are published after they are durable).
 */
export async function openReplicaMarketView(options: ReplicaOptions): Promise<Replica> {
  const { redis, store, now, log } = options;
  const snapshots = new MarketSnapshotRepo(store.db, store.dialect);
  const retryMs = options.retryMs ?? 500;
  const key = committedStream(options.prefix);
  const view = new ReplicaMarketView(log);
  const after = await lastEntryId(redis, key);
  view.load(await snapshots.read(ReplicaMarketView.tradesSince(now())));
  let closed = false;
  let resyncs = 0;

  const reload = async (origin: (BatchOrigin & { batch: number }) | undefined): Promise<void> => {
    resyncs += 1;
    // Bounded by close: until then the view serves what it has, and keeps trying.
    while (!closed) {
      try {
        view.load(await snapshots.read(ReplicaMarketView.tradesSince(now())), origin);
        view.announceResync();
        return;
      } catch (error) {
        log?.warn({ err: error }, 'could not reload the market from the database; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  };

  const follower: StreamFollower = followStream({
    ...options,
    key,
    after,
    async handle(entry) {
      const batch = decodeBatch(entry.fields.get(FIELD));
      if (batch === undefined) {
        log?.warn({ entry: entry.id }, 'a committed-events entry this version cannot read');
        return reload(undefined);
      }
      if (view.apply(batch) === 'gap') {
        log?.info({ epoch: batch.epoch, batch: batch.batch }, 'missed committed events; reloading');
        await reload(batch);
      }
    },
  });
  return {
    view,
    resyncs: () => resyncs,
    async close() {
      closed = true;
      await follower.close();
    },
  };
}
