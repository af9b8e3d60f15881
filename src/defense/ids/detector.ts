// A detector is a named list of rules run over views of one string. Rules are plain regular
// expressions without nested unbounded quantifiers, and every gap between tokens is bounded, so a
// scan is linear in the length of the string.

import type { Confidence, DetectorName, Severity } from './types.ts';

export interface Rule<View extends string> {
  id: string;
  severity: Severity;
  confidence: Confidence;
  /** Which normalized view of the string the patterns run over. */
  view: View;
  /** The rule matches when any pattern matches. Patterns must not use the g or y flags. */
  patterns: readonly RegExp[];
}

export interface RuleHit {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  /** The matched text with a little trailing context, before escaping for logs. */
  fragment: string;
}

export interface Detector {
  name: DetectorName;
  rules: readonly { id: string; severity: Severity; confidence: Confidence }[];
  scan(text: string): RuleHit[];
}

/** Matched text is widened to this many characters so a log reader sees what followed it. */
const FRAGMENT_CONTEXT = 40;

export function defineDetector<View extends string>(
  name: DetectorName,
  views: (text: string) => Record<View, string>,
  rules: readonly Rule<View>[],
): Detector {
  return {
    name,
    rules: rules.map(({ id, severity, confidence }) => ({ id, severity, confidence })),
    scan(text) {
      const prepared = views(text);
      const hits: RuleHit[] = [];
      for (const rule of rules) {
        const subject = prepared[rule.view];
        for (const pattern of rule.patterns) {
          const match = pattern.exec(subject);
          if (match === null) continue;
          const end = match.index + Math.max(match[0].length, FRAGMENT_CONTEXT);
          hits.push({
            rule: rule.id,
            severity: rule.severity,
            confidence: rule.confidence,
            fragment: subject.slice(match.index, end),
          });
          break;
        }
      }
      return hits;
    },
  };
}
