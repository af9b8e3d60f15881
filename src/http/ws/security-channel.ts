// /ws/security: security events as they are stored, for administrators only. After the client
// authenticates (see authenticated-session.ts) it gets the latest events and the posture, then
// every new event its filter admits; an event stored while the snapshot is read is sent once,
// after it, and never lost between the two.

import type { Principal } from '../../auth/principal.ts';
import {
  recordedEvent,
  type RecordedSecurityEvent,
  type SecurityEvents,
} from '../../defense/security-events.ts';
import type { Severity } from '../../store/schema.ts';
import {
  securityStatus,
  type SecurityStatus,
  type SecurityStatusDeps,
} from '../routes/security.ts';
import {
  AuthenticatedSession,
  type Admission,
  type AuthenticatedDeps,
} from './authenticated-session.ts';
import type { Connection } from './connection.ts';
import type { Feed, SecurityWatcher } from './feed.ts';
import {
  CLOSE,
  parseSecurityRequest,
  type FilterRequest,
  type Parsed,
  type SecurityRequest,
} from './protocol.ts';

/** Events in the snapshot, newest first. */
export const SNAPSHOT_EVENTS = 50;
/** Live events held while the snapshot is read; past this, the oldest are dropped. */
const MAX_PENDING = 1000;

export interface SecurityChannelDeps extends AuthenticatedDeps, SecurityStatusDeps {
  feed: Feed;
  events: SecurityEvents;
}

/** An absent set lets every value through. */
interface Filter {
  severities: ReadonlySet<Severity> | undefined;
  types: ReadonlySet<string> | undefined;
}

export class SecuritySession
  extends AuthenticatedSession<FilterRequest>
  implements SecurityWatcher
{
  private filter: Filter = { severities: undefined, types: undefined };
  /** Set from opening until the snapshot is sent: live events wait here. */
  private pending: RecordedSecurityEvent[] | undefined;

  constructor(
    connection: Connection,
    private readonly deps: SecurityChannelDeps,
    /** The client's address, for the event a refused non-administrator leaves. */
    private readonly ip: string,
    offeredToken: string | undefined,
  ) {
    super(connection, deps, offeredToken);
  }

  deliver(event: RecordedSecurityEvent, text: () => string): void {
    if (this.pending !== undefined) {
      if (this.pending.length >= MAX_PENDING) this.pending.shift();
      this.pending.push(event);
      return;
    }
    if (this.admits(event)) this.connection.send(text());
  }

  protected parse(text: string): Parsed<SecurityRequest> {
    return parseSecurityRequest(text);
  }

  protected admit(principal: Principal): Admission {
    return principal.role === 'admin'
      ? { ok: true }
      : { ok: false, code: CLOSE.FORBIDDEN, reason: 'this channel is for administrators' };
  }

  protected override refused(principal: Principal): void {
    void this.deps.events.record({
      type: 'authz_fail',
      severity: 'MEDIUM',
      description: 'a non-admin opened the security event feed',
      ip: this.ip,
      userId: principal.userId,
      details: { route: '/ws/security' },
    });
  }

  /** Watch first, then read the snapshot: what is stored meanwhile waits in `pending`. */
  protected started(): void {
    this.pending = [];
    this.deps.feed.watchSecurity(this);
    void this.sendSnapshot();
  }

  protected stopped(): void {
    this.deps.feed.unwatchSecurity(this);
    this.pending = undefined;
  }

  protected handle(request: FilterRequest): void {
    const severities = request.severities === undefined ? undefined : new Set(request.severities);
    const types = request.types === undefined ? undefined : new Set(request.types);
    this.filter = { severities, types };
    this.reply({
      type: 'filtered',
      severities: severities === undefined ? null : [...severities],
      types: types === undefined ? null : [...types],
    });
  }

  private admits(event: RecordedSecurityEvent): boolean {
    const { severities, types } = this.filter;
    return (
      (severities === undefined || severities.has(event.severity)) &&
      (types === undefined || types.has(event.event_type))
    );
  }

  private async sendSnapshot(): Promise<void> {
    const { repo } = this.deps;
    let snapshot: { events: RecordedSecurityEvent[]; status: SecurityStatus };
    try {
      const [rows, status] = await Promise.all([
        repo.page({ limit: SNAPSHOT_EVENTS }),
        securityStatus(this.deps),
      ]);
      snapshot = { events: rows.map(recordedEvent), status };
    } catch (error) {
      this.deps.log.error({ err: error }, 'security feed snapshot failed');
      return this.connection.close(CLOSE.INTERNAL_ERROR, 'internal error');
    }
    if (this.ended) return;
    this.reply({ type: 'security_snapshot', ...snapshot });
    const newest = snapshot.events[0]?.id ?? 0;
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const event of pending) {
      if (event.id > newest && this.admits(event)) this.reply({ type: 'security_event', event });
    }
  }
}
