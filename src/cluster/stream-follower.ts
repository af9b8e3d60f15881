// Reads one Redis stream in order from a given entry on, on a connection of its own (XREAD
// blocks it), handing each entry to a handler that may await: the next read waits for it, so
// entries are handled one at a time and none is skipped. A failed read is retried after a pause
// from the same entry; `close` ends the loop within one blocking read.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface StreamEntry {
  id: string;
  /** The entry's fields by name. */
  fields: ReadonlyMap<string, string>;
}

export interface FollowOptions {
  /** A connection to duplicate: the follower's own blocks in XREAD. */
  redis: Redis;
  key: string;
  /** The id after which to start (see lastEntryId; '0-0' for all). */
  after: string;
  handle: (entry: StreamEntry) => void | Promise<void>;
  log?: Logger | undefined;
  /** How long one read waits for new entries (default 1 s): the longest `close` waits. */
  blockMs?: number | undefined;
  /** The pause after a failed read (default 500 ms). */
  retryMs?: number | undefined;
}

export interface StreamFollower {
  close(): Promise<void>;
}

const BATCH = 500;

/** The id of the stream's newest entry, or '0-0' if it has none. */
export async function lastEntryId(redis: Redis, key: string): Promise<string> {
  const [newest] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

export function followStream(options: FollowOptions): StreamFollower {
  const { key, handle, log } = options;
  const blockMs = options.blockMs ?? 1000;
  const retryMs = options.retryMs ?? 500;
  const reader = options.redis.duplicate({ maxRetriesPerRequest: null });
  let position = options.after;
  let closed = false;
  let pause: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};

  const loop = (async () => {
    while (!closed) {
      try {
        const reply = await reader.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          blockMs,
          'STREAMS',
          key,
          position,
        );
        for (const [, entries] of reply ?? []) {
          for (const [id, flat] of entries) {
            if (closed) return;
            const fields = new Map<string, string>();
            for (let i = 0; i + 1 < flat.length; i += 2)
              fields.set(flat[i] ?? '', flat[i + 1] ?? '');
            await handle({ id, fields });
            position = id;
          }
        }
      } catch (error) {
        if (closed) return;
        log?.warn({ err: error, stream: key }, 'reading the stream failed; retrying');
        await new Promise<void>((resolve) => {
          wake = resolve;
          pause = setTimeout(resolve, retryMs);
        });
      }
    }
  })();

  return {
    async close() {
      closed = true;
      clearTimeout(pause);
      wake();
      reader.disconnect();
      await loop;
    },
  };
}
