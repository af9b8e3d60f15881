// The administrators' security dashboard: posture, events by severity over the last hour, the
// live event feed with filters, blocked addresses (block and unblock) and report downloads.
// Status and blocks are re-read shortly after live events, which may have changed them.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { BlockedIp, SecurityEvent, SecurityStatus } from '../api/security-types.ts';
import { ErrorLine, Panel } from '../components/form.tsx';
import { BlockedIps } from '../components/security/blocked-ips.tsx';
import { EventFeed } from '../components/security/event-feed.tsx';
import { PostureBadge } from '../components/security/posture-badge.tsx';
import { ReportDownload } from '../components/security/report-download.tsx';
import { SeverityChart } from '../components/security/severity-chart.tsx';
import { useSecurityFeed } from '../security/security-feed.ts';

/**
 * Live events within this long of each other cause one re-read: at most two calls every two
 * seconds even under attack, well inside the administrators' rate limit.
 */
const REREAD_MS = 2000;

export function SecurityPage() {
  const feed = useSecurityFeed();
  const { setStatus } = feed;
  const [blocked, setBlocked] = useState<BlockedIp[]>();
  const [hour, setHour] = useState<SecurityEvent[]>([]);
  const [error, setError] = useState<string>();
  const pending = useRef<number>(undefined);
  const chartEvents = useMemo(() => [...feed.events, ...hour], [feed.events, hour]);

  const reread = useCallback(() => {
    const fail = (failure: unknown) => setError(errorText(failure));
    api
      .get<{ blocked_ips: BlockedIp[] }>('/api/security/blocked-ips')
      .then((reply) => setBlocked(reply.blocked_ips), fail);
    api.get<SecurityStatus>('/api/security/status').then(setStatus, fail);
  }, [setStatus]);

  useEffect(() => {
    reread();
    const now = Date.now();
    const query = new URLSearchParams({
      from: new Date(now - 3_600_000).toISOString(),
      to: new Date(now + 60_000).toISOString(),
      format: 'json',
    });
    api.get<{ events: SecurityEvent[] }>(`/api/security/report?${query.toString()}`).then(
      (report) => setHour(report.events),
      (failure: unknown) => setError(errorText(failure)),
    );
  }, [reread]);

  useEffect(() => {
    if (feed.lastLiveId === undefined || pending.current !== undefined) return;
    pending.current = window.setTimeout(() => {
      pending.current = undefined;
      reread();
    }, REREAD_MS);
  }, [feed.lastLiveId, reread]);
  useEffect(() => () => window.clearTimeout(pending.current), []);

  return (
    <main className="flex flex-col gap-4 p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-lg font-semibold">Security</h1>
        <PostureBadge status={feed.status} />
      </div>
      <ErrorLine message={error} />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_28rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <Panel title="Events by severity, last hour">
            <div className="p-3">
              <SeverityChart events={chartEvents} />
            </div>
          </Panel>
          <Panel title="Live events">
            <EventFeed events={feed.events} loadOlder={feed.loadOlder} />
          </Panel>
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <Panel title="Blocked addresses">
            <BlockedIps blocked={blocked} onChange={reread} />
          </Panel>
          <Panel title="Report">
            <ReportDownload />
          </Panel>
        </div>
      </div>
    </main>
  );
}
