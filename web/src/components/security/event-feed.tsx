// The live event list with filters by type, severity and text. Every field of an event
// (description, details, addresses) may come from an attacker: it is rendered as text only.

import { useMemo, useState } from 'react';
import type { SecurityEvent, Severity } from '../../api/security-types.ts';
import { SEVERITIES } from '../../api/security-types.ts';
import { eventMatches } from '../../security/timeline.ts';
import { Button, ErrorLine, Field, Select, useAction } from '../form.tsx';
import { SEVERITY_TEXT } from './severity.ts';

const SHOWN = 200;

function details(value: unknown): string {
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

export function EventFeed(props: {
  events: readonly SecurityEvent[];
  loadOlder(filter: { severity?: string; type?: string }): Promise<boolean>;
}) {
  const [type, setType] = useState('');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [text, setText] = useState('');
  const [more, setMore] = useState(true);
  const { error, run } = useAction();

  const types = useMemo(
    () => [...new Set(props.events.map((e) => e.event_type))].sort(),
    [props.events],
  );
  const shown = props.events.filter(
    (e) =>
      (type === '' || e.event_type === type) &&
      (severity === '' || e.severity === severity) &&
      eventMatches(e, text),
  );

  const older = () =>
    run(async () =>
      setMore(await props.loadOlder({ type: type || undefined, severity: severity || undefined })),
    );

  return (
    <div className="flex min-h-0 flex-col gap-2">
      <div className="flex flex-wrap items-end gap-3 px-3 pt-2" role="search">
        <Select label="Type" value={type} onChange={(event) => setType(event.target.value)}>
          <option value="">all types</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Select
          label="Severity"
          value={severity}
          onChange={(event) => setSeverity(event.target.value as Severity | '')}
        >
          <option value="">all severities</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </Select>
        <Field
          label="Text"
          type="search"
          value={text}
          placeholder="address, user, words…"
          onChange={(event) => setText(event.target.value)}
        />
        <span className="num pb-2 text-xs text-dim" data-testid="event-count">
          {shown.length} of {props.events.length}
        </span>
      </div>
      <ErrorLine message={error} />
      <div className="max-h-[28rem] overflow-auto">
        <table className="w-full text-left text-xs" data-testid="event-feed">
          <thead className="sticky top-0 bg-panel text-dim">
            <tr>
              <th className="px-3 py-1 font-normal">Time (UTC)</th>
              <th className="px-2 py-1 font-normal">Severity</th>
              <th className="px-2 py-1 font-normal">Type</th>
              <th className="px-2 py-1 font-normal">Address</th>
              <th className="px-2 py-1 font-normal">User</th>
              <th className="px-2 py-1 font-normal">Description and details</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, SHOWN).map((e) => (
              <tr
                key={e.id}
                className="border-t border-edge align-top"
                data-event-id={e.id}
                data-type={e.event_type}
              >
                <td className="num whitespace-nowrap px-3 py-1">{e.timestamp.slice(11, 19)}</td>
                <td className={`px-2 py-1 ${SEVERITY_TEXT[e.severity]}`}>{e.severity}</td>
                <td className="num px-2 py-1">{e.event_type}</td>
                <td className="num px-2 py-1">{e.source_ip ?? '—'}</td>
                <td className="num px-2 py-1">{e.user_id ?? '—'}</td>
                <td className="px-2 py-1">
                  <span>{e.description}</span>
                  {e.details !== null && (
                    <span className="num block break-all text-dim">{details(e.details)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p className="px-3 py-2 text-dim">No events match.</p>}
      </div>
      <div className="px-3 pb-2">
        <Button onClick={() => void older()} disabled={!more}>
          {more ? 'Load older events' : 'No older events'}
        </Button>
      </div>
    </div>
  );
}
