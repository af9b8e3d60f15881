// Records security events: a row in the database with its audit leaf, a line in the security log,
// then a call to every live listener. Recording never fails the request that caused it: a failure
// to store, or a listener's fault, is logged. Text that came from a request is stored with its
// control characters escaped, so an event can neither forge a log line nor drive a terminal.
// In a cluster only the leader appends to the audit log: another node queues its events in the
// database, and the leader stores them with their leaves (storeQueued) and passes them on.

import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log.ts';
import { securityEventEntry } from '../audit/records.ts';
import type { SecurityEventsRepo } from '../store/security-events.repo.ts';
import type { SecurityEventRow, Severity } from '../store/schema.ts';
import { escapeForLog } from './ids/index.ts';

/** OWASP logging vocabulary. */
export type SecurityEventType =
  | 'authn_login_fail'
  | 'authn_login_fail_max'
  | 'excess_rate_limit_exceeded'
  | 'ip_blocked'
  | 'malicious_sqli'
  | 'malicious_xss'
  | 'malicious_path_traversal'
  | 'malicious_command_injection'
  | 'ip_unblocked'
  | 'authn_token_reuse'
  | 'authn_mfa_failure'
  | 'authz_fail'
  | 'replay_detected'
  | 'signature_invalid'
  | 'stale_request'
  | 'password_changed'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_code_used'
  | 'api_key_created'
  | 'api_key_revoked';

export interface SecurityEvent {
  type: SecurityEventType;
  severity: Severity;
  description: string;
  ip?: string | undefined;
  userId?: number | undefined;
  details?: Record<string, unknown>;
}

/** A stored event as the API and the live feed show it. */
export interface RecordedSecurityEvent {
  id: number;
  event_type: string;
  severity: Severity;
  source_ip: string | null;
  user_id: number | null;
  description: string;
  details: unknown;
  /** ISO 8601. */
  timestamp: string;
}

export type SecurityEventListener = (event: RecordedSecurityEvent) => void;

export function recordedEvent(row: SecurityEventRow): RecordedSecurityEvent {
  return {
    id: row.id,
    event_type: row.event_type,
    severity: row.severity,
    source_ip: row.source_ip,
    user_id: row.user_id,
    description: row.description,
    details: row.details === null ? null : (JSON.parse(row.details) as unknown),
    timestamp: new Date(row.created_at).toISOString(),
  };
}

/** Longest text kept in one field; longer text is cut, and the cut is marked. */
const MAX_TEXT = 1024;
/** Nesting kept in `details`; deeper values are replaced by a marker. */
const MAX_DEPTH = 4;

/**
 * Text with control characters, line separators and bidi overrides escaped (see escapeForLog).
 * Text that holds none of them is kept as it is, backslashes included, so text that was escaped
 * once already (IDS samples and locations) is not escaped a second time.
 */
export function neutralizeText(text: string): string {
  const safe = text.length <= MAX_TEXT && escapeForLog(text, Infinity) === escapeBackslashes(text);
  return safe ? text : escapeForLog(text, MAX_TEXT);
}

function escapeBackslashes(text: string): string {
  return text.replaceAll('\\', '\\\\');
}

/** `details` with every string in it, keys included, neutralized; other JSON values kept. */
export function neutralizeDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return neutralizeText(value);
  if (value === null || typeof value !== 'object') return value;
  if ('toJSON' in value && typeof value.toJSON === 'function')
    return neutralizeDetails((value.toJSON as () => unknown).call(value), depth + 1);
  if (depth >= MAX_DEPTH) return '[nested too deeply]';
  if (Array.isArray(value)) return value.map((item) => neutralizeDetails(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    out[neutralizeText(key)] = neutralizeDetails(item, depth + 1);
  return out;
}

/** Queued events the leader stores per call. */
const QUEUE_BATCH = 200;

export class SecurityEvents {
  private readonly listeners = new Set<SecurityEventListener>();

  constructor(
    private readonly repo: SecurityEventsRepo,
    private readonly audit: AuditLog,
    private readonly now: () => number,
    private readonly log?: Logger,
    /** Whether this node appends to the audit log itself; a single node always does. */
    private readonly leads: () => boolean = () => true,
  ) {}

  /**
   * Calls `listener` with every event stored from now on, synchronously, in the order stored.
   * Events that could not be stored are not passed on. Returns the unsubscribe function.
   */
  subscribe(listener: SecurityEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async record(event: SecurityEvent): Promise<void> {
    const row = {
      event_type: event.type,
      severity: event.severity,
      source_ip: event.ip === undefined ? null : neutralizeText(event.ip),
      user_id: event.userId ?? null,
      description: neutralizeText(event.description),
      details:
        event.details === undefined ? null : JSON.stringify(neutralizeDetails(event.details)),
      created_at: this.now(),
    };
    this.log?.warn({ securityEvent: row }, row.description);
    let id: number;
    try {
      if (!this.leads()) {
        await this.repo.queue(row);
        return;
      }
      id = await this.audit.record((seal) =>
        this.repo.insert(row, (stored) => seal([securityEventEntry({ id: stored, ...row })])),
      );
    } catch (error) {
      this.log?.error({ err: error, securityEvent: row }, 'could not store a security event');
      return;
    }
    this.publish(recordedEvent({ id, ...row }));
  }

  /**
   * The leader's part: stores the events other nodes queued, oldest first, each with its audit
   * leaf, and passes them on. Returns how many it stored; the rest wait for the next call.
   */
  async storeQueued(limit = QUEUE_BATCH): Promise<number> {
    let stored = 0;
    for (const queued of await this.repo.queued(limit)) {
      const id = await this.audit.record((seal) =>
        this.repo.storeQueued(queued, (storedId) =>
          seal([securityEventEntry({ ...queued, id: storedId })]),
        ),
      );
      if (id === undefined) continue;
      stored += 1;
      this.publish(recordedEvent({ ...queued, id }));
    }
    return stored;
  }

  private publish(event: RecordedSecurityEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log?.error(
          { err: error, securityEventId: event.id },
          'a security event listener failed',
        );
      }
    }
  }
}
