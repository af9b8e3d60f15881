// Records security events: a row in the database and a line in the security log. Recording
// never fails the request that caused it; a failure to record is itself logged.

import type { Logger } from 'pino';
import type { SecurityEventsRepo } from '../store/security-events.repo.ts';
import type { Severity } from '../store/schema.ts';

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
  | 'recovery_code_used';

export interface SecurityEvent {
  type: SecurityEventType;
  severity: Severity;
  description: string;
  ip?: string | undefined;
  userId?: number | undefined;
  details?: Record<string, unknown>;
}

export class SecurityEvents {
  constructor(
    private readonly repo: SecurityEventsRepo,
    private readonly now: () => number,
    private readonly log?: Logger,
  ) {}

  async record(event: SecurityEvent): Promise<void> {
    const row = {
      event_type: event.type,
      severity: event.severity,
      source_ip: event.ip ?? null,
      user_id: event.userId ?? null,
      description: event.description,
      details: event.details === undefined ? null : JSON.stringify(event.details),
      created_at: this.now(),
    };
    this.log?.warn({ securityEvent: row }, event.description);
    try {
      await this.repo.insert(row);
    } catch (error) {
      this.log?.error({ err: error, securityEvent: row }, 'could not store a security event');
    }
  }
}
