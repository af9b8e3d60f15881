// The exchange's posture (SECURE / ELEVATED / UNDER_ATTACK) as a word, a shape and a colour,
// with the last hour's counts behind it.

import type { SecurityStatus } from '../../api/security-types.ts';
import { SEVERITIES } from '../../api/security-types.ts';
import { SEVERITY_TEXT } from './severity.ts';

const LOOK = {
  SECURE: { mark: '●', label: 'SECURE', tone: 'border-up/60 bg-up/10 text-up' },
  ELEVATED: {
    mark: '▲',
    label: 'ELEVATED',
    tone: 'border-amber-400/60 bg-amber-400/10 text-amber-300',
  },
  UNDER_ATTACK: { mark: '■', label: 'UNDER ATTACK', tone: 'border-down/70 bg-down/15 text-down' },
} as const;

export function PostureBadge({ status }: { status: SecurityStatus | undefined }) {
  if (status === undefined) {
    return (
      <p className="text-dim" role="status">
        Connecting to the security feed…
      </p>
    );
  }
  const look = LOOK[status.status];
  return (
    <div className="flex flex-wrap items-center gap-4">
      <p
        className={`flex items-center gap-2 rounded border px-3 py-1.5 text-base font-semibold ${look.tone}`}
        role="status"
        aria-live="polite"
        data-testid="posture"
        data-status={status.status}
      >
        <span aria-hidden="true">{look.mark}</span>
        {look.label}
      </p>
      <dl className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        <div className="flex gap-1">
          <dt className="text-dim">Blocked addresses</dt>
          <dd className="num" data-testid="blocked-count">
            {status.blocked_ips}
          </dd>
        </div>
        <div className="flex gap-1">
          <dt className="text-dim">Events, last {status.window_minutes} min</dt>
          <dd className="num">{status.recent_events}</dd>
        </div>
        {SEVERITIES.map((severity) => (
          <div key={severity} className="flex gap-1">
            <dt className={SEVERITY_TEXT[severity]}>{severity}</dt>
            <dd className="num">{status.severity_breakdown[severity]}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
