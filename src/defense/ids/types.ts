// The public shapes of the intrusion detectors: what a request looks like to them and what they
// report. Findings are reports, never verdicts: the real protection is parameterized SQL and
// output encoding.

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export type DetectorName = 'sqli' | 'xss' | 'path_traversal' | 'command_injection';

export interface InspectedRequest {
  path: string;
  query: Record<string, unknown> | string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface Finding {
  detector: DetectorName;
  /** The highest severity among the rules that matched at this location. */
  severity: Severity;
  /** The sum of the weights of every rule that matched, over every string at this location. */
  score: number;
  /** Where the text was found: 'path', 'query.q', 'body.orders[0].symbol', 'header.user-agent'. */
  location: string;
  /** The id of the highest-severity rule that matched, e.g. 'sqli.union-select'. */
  rule: string;
  /** The matched fragment of the normalized text, at most 80 characters, safe to log. */
  sample: string;
}
