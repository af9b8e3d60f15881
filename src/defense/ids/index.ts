// Intrusion detection: inspects the attacker-controlled text of a request for SQL injection, XSS,
// path traversal and command injection. Pure and bounded: no I/O, no clock, bounded walks, at most
// LIMITS.inspectedStrings strings and LIMITS.inspectedChars characters per part of the request,
// and regular expressions without catastrophic backtracking. It reports; it never blocks.

import { commandInjection } from './command-injection.ts';
import type { Detector } from './detector.ts';
import { pathTraversal } from './path-traversal.ts';
import { requestFields, type Part } from './request-fields.ts';
import { escapeForLog } from './sample.ts';
import { sqli } from './sqli.ts';
import type { Finding, InspectedRequest, Severity } from './types.ts';
import { xss } from './xss.ts';

export type {
  Confidence,
  DetectorName,
  FieldKind,
  FieldPolicy,
  Finding,
  InspectedRequest,
  Severity,
} from './types.ts';
export { INSPECTED_HEADERS, LIMITS, type Part } from './request-fields.ts';
export { escapeForLog } from './sample.ts';

export const DETECTORS: readonly Detector[] = [sqli, xss, pathTraversal, commandInjection];

export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  LOW: 1,
  MEDIUM: 2,
  HIGH: 4,
  CRITICAL: 8,
};

export const SAMPLE_LENGTH = 80;

export interface Inspection {
  findings: Finding[];
  /** Per part of the request, the strings the limits left uninspected. */
  skipped: Record<Part, number>;
}

/**
 * Whether a finding is grounds to refuse its request: anywhere but in an opaque field, where a
 * user's own bytes look like anything, and in free text only on a high-confidence rule.
 */
export function refusable(finding: Finding): boolean {
  if (finding.field === 'free-text') return finding.confidence === 'high';
  return finding.field === 'structured';
}

export function inspect(request: InspectedRequest): Finding[] {
  return inspectRequest(request).findings;
}

export function inspectRequest(request: InspectedRequest): Inspection {
  const findings = new Map<string, Finding>();
  const { fields, skipped } = requestFields(request);
  for (const { location, text, kind } of fields) {
    for (const detector of DETECTORS) {
      for (const hit of detector.scan(text)) {
        const key = `${detector.name}\u0000${location}`;
        const weight = SEVERITY_WEIGHT[hit.severity];
        const existing = findings.get(key);
        if (existing === undefined) {
          findings.set(key, {
            detector: detector.name,
            severity: hit.severity,
            score: weight,
            location,
            rule: hit.rule,
            sample: escapeForLog(hit.fragment, SAMPLE_LENGTH),
            field: kind,
            confidence: hit.confidence,
          });
          continue;
        }
        existing.score += weight;
        if (hit.confidence === 'high') existing.confidence = 'high';
        if (weight > SEVERITY_WEIGHT[existing.severity]) {
          existing.severity = hit.severity;
          existing.rule = hit.rule;
          existing.sample = escapeForLog(hit.fragment, SAMPLE_LENGTH);
        }
      }
    }
  }
  return { findings: [...findings.values()], skipped };
}
