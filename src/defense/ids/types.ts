// The public shapes of the intrusion detectors: what a request looks like to them and what they
// report. Findings are reports, never verdicts: the real protection is parameterized SQL and
// output encoding.

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export type DetectorName = 'sqli' | 'xss' | 'path_traversal' | 'command_injection';

/**
 * How sure a rule is that a match is an attack. `high`: honest text of any kind (names, notes,
 * addresses, code in prose) does not match it; `low`: it also matches some honest text.
 */
export type Confidence = 'high' | 'low';

/**
 * What a body field holds, which decides what a finding in it may do (see Guard.screen):
 * - `secret`: passwords, MFA codes, the plaintext a user encrypts; never inspected, never logged;
 * - `opaque`: bytes a user hashes, signs or has encrypted (Merkle items, ciphertexts, signatures,
 *   keys); inspected and logged at most, never refused: they reach neither SQL nor a page;
 * - `free-text`: names, notes, reasons, labels; refused only on a high-confidence rule;
 * - `structured`: everything else (ids, symbols, usernames, the path, query and headers).
 */
export type FieldKind = 'secret' | 'opaque' | 'free-text' | 'structured';

/**
 * A route's top-level body fields by kind; a field's kind covers everything nested in it (the
 * items of an array, the keys and values of an object). Fields not named are `structured`.
 */
export interface FieldPolicy {
  secret?: readonly string[];
  opaque?: readonly string[];
  freeText?: readonly string[];
}

export interface InspectedRequest {
  path: string;
  query: Record<string, unknown> | string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The kinds of the body's fields; without it every field is `structured`. */
  fields?: FieldPolicy;
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
  /** The kind of field the text was found in; never `secret`, which is not inspected. */
  field: Exclude<FieldKind, 'secret'>;
  /** `high` when any rule that matched here is high-confidence. */
  confidence: Confidence;
}
