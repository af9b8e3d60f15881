// The exchange's security posture from recent events, by documented thresholds:
//   UNDER_ATTACK  any CRITICAL, or 10+ HIGH, in the last 15 minutes
//   ELEVATED      any HIGH, or 20+ MEDIUM, in the last hour, or any address blocked now
//   SECURE        otherwise

import type { Severity } from '../store/schema.ts';

export type Posture = 'SECURE' | 'ELEVATED' | 'UNDER_ATTACK';

export function posture(
  lastQuarterHour: Record<Severity, number>,
  lastHour: Record<Severity, number>,
  blockedAddresses: number,
): Posture {
  if (lastQuarterHour.CRITICAL > 0 || lastQuarterHour.HIGH >= 10) return 'UNDER_ATTACK';
  if (lastHour.HIGH > 0 || lastHour.MEDIUM >= 20 || blockedAddresses > 0) return 'ELEVATED';
  return 'SECURE';
}
