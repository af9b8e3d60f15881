// Path traversal rules. The `raw` view (lower-cased, not decoded) sees encodings that only an
// attacker would use (`%2e%2e`, `%252e`, overlong `%c0%ae`); the `decoded` view sees the path the
// file system would, after bounded URL decoding and folding of overlong and look-alike characters.

import { urlDecode } from './decode.ts';
import { defineDetector, type Rule } from './detector.ts';

type View = 'raw' | 'decoded';

// Overlong UTF-8 (decoded byte by byte) and Unicode look-alikes that some servers fold to ASCII.
const LOOKALIKES: ReadonlyMap<string, string> = new Map([
  ['\xc0\xae', '.'],
  ['\xe0\x80\xae', '.'],
  ['\xc0\xaf', '/'],
  ['\xc1\x9c', '\\'],
  ['\uff0e', '.'],
  ['\u2024', '.'],
  ['\u2215', '/'],
  ['\u2044', '/'],
  ['\uff0f', '/'],
  ['\u2216', '\\'],
  ['\uff3c', '\\'],
]);
const LOOKALIKE =
  /\xc0[\xae\xaf]|\xe0\x80\xae|\xc1\x9c|[\uff0e\u2024\u2215\u2044\uff0f\u2216\uff3c]/g;

function views(text: string): Record<View, string> {
  const decoded = urlDecode(text).replace(LOOKALIKE, (char) => LOOKALIKES.get(char) ?? char);
  return { raw: text.toLowerCase(), decoded: decoded.toLowerCase() };
}

// An encoded dot, possibly encoded again (%252e, %25252e).
const DOT = String.raw`%(?:25){0,3}2e`;
const SLASH = String.raw`%(?:25){0,3}(?:2f|5c)`;

const rules: readonly Rule<View>[] = [
  {
    id: 'traversal.dot-dot-slash',
    severity: 'HIGH',
    confidence: 'low',
    view: 'decoded',
    patterns: [/\.\.;?[/\\]/, /[/\\]\.\.(?:$|[;?#])/],
  },
  {
    id: 'traversal.encoded-dot-dot',
    severity: 'HIGH',
    confidence: 'high',
    view: 'raw',
    patterns: [
      new RegExp(String.raw`(?:${DOT}){2}|\.${DOT}|${DOT}\.|\.\.${SLASH}`),
      /%c0%a[ef]|%e0%80%ae|%c1%9c|%u002e|%uff0e|%u2215|%u2216/,
    ],
  },
  {
    id: 'traversal.sensitive-file',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'decoded',
    patterns: [
      /\/etc\/(?:passwd|shadow|group|hosts|issue|sudoers|crontab)\b|\/proc\/(?:self|\d{1,7})\//,
      /\b[a-z]:[/\\]{1,2}(?:windows|winnt|boot\.ini|inetpub)\b|[/\\](?:win\.ini|boot\.ini|system32)\b/,
      /[/\\]\.ssh[/\\]|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.ht(?:access|passwd)\b|\bweb\.config\b|\bwp-config\.php\b/,
    ],
  },
  {
    id: 'traversal.null-byte',
    severity: 'HIGH',
    confidence: 'high',
    view: 'decoded',
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    patterns: [/\x00/],
  },
  {
    id: 'traversal.file-scheme',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'decoded',
    patterns: [/\b(?:file|php|phar|zip|expect|glob|jar):\/\//],
  },
];

export const pathTraversal = defineDetector('path_traversal', views, rules);
