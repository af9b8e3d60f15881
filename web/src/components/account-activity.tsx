// The signed-in user's own security events (GET /api/auth/security-events), newest first: failed
// password checks, password and MFA changes, API keys registered and revoked. A key you did not
// make shows here. Every field may hold text an attacker chose: it is rendered as text only.

import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { OwnSecurityEvents } from '../api/types.ts';
import { useProfile } from '../session/session.tsx';
import { dateTime } from '../time.ts';
import { ErrorLine, useAction } from './form.tsx';

const SHOWN = 20;

export function AccountActivity() {
  const profile = useProfile();
  const [events, setEvents] = useState<OwnSecurityEvents['events']>();
  const { error, run } = useAction();

  // Again whenever the profile is reloaded (a password or MFA change is an event too).
  useEffect(() => {
    void run(async () => {
      const page = await api.get<OwnSecurityEvents>(`/api/auth/security-events?limit=${SHOWN}`);
      setEvents(page.events);
    });
  }, [run, profile]);

  return (
    <div className="flex flex-col gap-2">
      <ErrorLine message={error} />
      {events?.length === 0 && <p className="text-sm text-dim">Nothing yet.</p>}
      <ul className="flex flex-col text-sm" data-testid="account-activity">
        {events?.map((e) => (
          <li key={e.id} className="border-t border-edge/60 py-1" data-type={e.event_type}>
            <span className="num text-dim">{dateTime(e.timestamp)}</span>{' '}
            <span>{e.description}</span>
            {e.source_ip !== null && <span className="num text-dim"> from {e.source_ip}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
