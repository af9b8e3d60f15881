// Shapes of the security APIs (/api/security, /ws/security), from the server's own types.

import type { BlockedAddress, BlockRequest } from '../../../src/defense/address-blocks.ts';
import type { RecordedSecurityEvent } from '../../../src/defense/security-events.ts';
import type { SecurityStatus } from '../../../src/http/routes/security.ts';
import type { Severity } from '../../../src/store/schema.ts';

export type SecurityEvent = RecordedSecurityEvent;
export type { SecurityStatus, Severity };

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** GET /api/security/events. */
export interface EventPage {
  events: SecurityEvent[];
  next_before_id: number | null;
}

/** GET /api/security/blocked-ips. */
export type BlockedIp = BlockedAddress;
/** POST /api/security/block-ip. */
export type { BlockRequest };

/** /ws/security server messages. */
export type SecurityMessage =
  | { type: 'security_snapshot'; events: SecurityEvent[]; status: SecurityStatus }
  | { type: 'security_event'; event: SecurityEvent }
  | { type: 'authenticated'; user_id: number }
  | { type: 'error'; code: string; message: string };
