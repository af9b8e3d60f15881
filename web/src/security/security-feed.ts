// The dashboard's live state: /ws/security (first-message auth, as /ws/orders) gives the newest
// events and the posture, then each event as it is stored; older events are paged in from
// GET /api/security/events. Events are kept by id, newest first, so none shows twice.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type {
  EventPage,
  SecurityEvent,
  SecurityMessage,
  SecurityStatus,
} from '../api/security-types.ts';
import { openPrivateFeed } from '../live/private-feed.ts';

/** Events held in the page; older ones fall off. */
const KEEP = 2000;

function merged(current: readonly SecurityEvent[], incoming: readonly SecurityEvent[]) {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const event of incoming) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, KEEP);
}

export interface SecurityFeed {
  events: SecurityEvent[];
  status: SecurityStatus | undefined;
  /** Bumped on every live event, for views that reload what events change. */
  lastLiveId: number | undefined;
  /** Pages in events older than the oldest held; false when there are none. */
  loadOlder(filter: { severity?: string; type?: string }): Promise<boolean>;
  setStatus(status: SecurityStatus): void;
}

export function useSecurityFeed(): SecurityFeed {
  const [events, setEvents] = useState<SecurityEvent[]>([]);
  const [status, setStatus] = useState<SecurityStatus>();
  const [lastLiveId, setLastLiveId] = useState<number>();

  useEffect(
    () =>
      openPrivateFeed<SecurityMessage>('/ws/security', (message) => {
        if (message.type === 'security_snapshot') {
          setEvents((current) => merged(current, message.events));
          setStatus(message.status);
        } else if (message.type === 'security_event') {
          setEvents((current) => merged(current, [message.event]));
          setLastLiveId(message.event.id);
        }
      }),
    [],
  );

  const loadOlder = useCallback(
    async (filter: { severity?: string; type?: string }) => {
      const oldest = events.at(-1)?.id;
      const query = new URLSearchParams({ limit: '100' });
      if (oldest !== undefined) query.set('before_id', String(oldest));
      if (filter.severity) query.set('severity', filter.severity);
      if (filter.type) query.set('type', filter.type);
      const page = await api.get<EventPage>(`/api/security/events?${query.toString()}`);
      setEvents((current) => merged(current, page.events));
      return page.next_before_id !== null;
    },
    [events],
  );

  return { events, status, lastLiveId, loadOlder, setStatus };
}
