// Security events between the nodes of a cluster: every node stores the events its own requests
// cause, and appends each one, once stored, to a Redis stream; every node reads the others'
// entries from the stream, so an administrator watching /ws/security on any node sees them all.
// A node's own events never come back to it from the stream: it delivered them already.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type {
  RecordedSecurityEvent,
  SecurityEventListener,
  SecurityEvents,
} from '../defense/security-events.ts';
import { followStream, lastEntryId, type StreamFollower } from './stream-follower.ts';

/** Security events are rare: this keeps hours of them for a node that reconnects. */
const MAX_ENTRIES = 1_000;

export const securityStream = (prefix: string): string => `${prefix}:security:events`;

export interface SecurityBusOptions {
  events: Pick<SecurityEvents, 'subscribe'>;
  redis: Redis;
  prefix: string;
  /** This node's id: entries carry it, and the node skips its own. */
  nodeId: string;
  log?: Logger | undefined;
  blockMs?: number | undefined;
}

export interface SecurityBus {
  /** The events the other nodes stored, from the bus's start on. */
  subscribe(listener: SecurityEventListener): () => void;
  close(): Promise<void>;
}

function parseEvent(text: string | undefined): RecordedSecurityEvent | undefined {
  if (text === undefined) return undefined;
  try {
    const event = JSON.parse(text) as Partial<RecordedSecurityEvent> | null;
    return typeof event?.id === 'number' && typeof event.event_type === 'string'
      ? (event as RecordedSecurityEvent)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function openSecurityBus(options: SecurityBusOptions): Promise<SecurityBus> {
  const { redis, nodeId, log } = options;
  const key = securityStream(options.prefix);
  const listeners = new Set<SecurityEventListener>();
  const unsubscribe = options.events.subscribe((event) => {
    redis
      .xadd(
        key,
        'MAXLEN',
        '~',
        String(MAX_ENTRIES),
        '*',
        'node',
        nodeId,
        'event',
        JSON.stringify(event),
      )
      .catch((error: unknown) => log?.warn({ err: error }, 'could not share a security event'));
  });
  const after = await lastEntryId(redis, key);
  const follower: StreamFollower = followStream({
    ...options,
    key,
    after,
    handle(entry) {
      if (entry.fields.get('node') === nodeId) return;
      const event = parseEvent(entry.fields.get('event'));
      if (event === undefined)
        return log?.warn({ entry: entry.id }, 'an unreadable security event');
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          log?.error({ err: error }, 'a security event listener failed');
        }
      }
    },
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      unsubscribe();
      await follower.close();
    },
  };
}
