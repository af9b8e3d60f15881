// Undoes the encodings attackers use to slip past pattern matching: URL encoding (bounded
// rounds), HTML entities, JavaScript escapes and block comments. Every function here is a single
// left-to-right pass, so decoding is linear in the input.

/** Double encoding is common and triple is rare; more rounds only buy the attacker CPU time. */
export const URL_DECODE_ROUNDS = 3;

const PERCENT_RUN = /(?:%[0-9a-f]{2})+/gi;
const PERCENT_BYTE = /%([0-9a-f]{2})/gi;
const PERCENT_U = /%u([0-9a-f]{4})/gi;

function fromHex(hex: string): string {
  return String.fromCharCode(Number.parseInt(hex, 16));
}

/** UTF-8 where the bytes are valid; otherwise byte by byte, so overlong forms like %c0%ae survive. */
function decodePercentRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(PERCENT_BYTE, (_match, hex: string) => fromHex(hex));
  }
}

/** One round of form decoding: '+' is a space, %XX is a byte, IIS-style %uXXXX a code unit. */
export function urlDecodeOnce(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  return text
    .replace(/\+/g, ' ')
    .replace(PERCENT_U, (_match, hex: string) => fromHex(hex))
    .replace(PERCENT_RUN, decodePercentRun);
}

/** Decodes until nothing changes, at most `rounds` times. */
export function urlDecode(text: string, rounds = URL_DECODE_ROUNDS): string {
  let current = text;
  for (let round = 0; round < rounds; round += 1) {
    const next = urlDecodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
  ['colon', ':'],
  ['semi', ';'],
  ['comma', ','],
  ['period', '.'],
  ['sol', '/'],
  ['bsol', '\\'],
  ['lpar', '('],
  ['rpar', ')'],
  ['lsqb', '['],
  ['rsqb', ']'],
  ['lcub', '{'],
  ['rcub', '}'],
  ['equals', '='],
  ['excl', '!'],
  ['num', '#'],
  ['grave', '`'],
  ['tab', '\t'],
  ['newline', '\n'],
  ['nbsp', ' '],
]);

// Browsers accept numeric references without the semicolon and with any number of leading zeros.
const ENTITY = /&(?:#0*(\d{1,7})|#x0*([0-9a-f]{1,6})|([a-z]{2,8}));?/gi;

function fromCodePoint(codePoint: number, original: string): string {
  return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : original;
}

export function htmlDecodeOnce(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY,
    (match, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (decimal !== undefined) return fromCodePoint(Number.parseInt(decimal, 10), match);
      if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16), match);
      return NAMED_ENTITIES.get((name ?? '').toLowerCase()) ?? match;
    },
  );
}

/** Alternates URL and HTML decoding, since payloads nest one inside the other. */
export function webDecode(text: string, rounds = URL_DECODE_ROUNDS): string {
  let current = text;
  for (let round = 0; round < rounds; round += 1) {
    const next = htmlDecodeOnce(urlDecodeOnce(current));
    if (next === current) break;
    current = next;
  }
  return current;
}

const JS_ESCAPE = /\\u([0-9a-f]{4})|\\x([0-9a-f]{2})/gi;

/** `\u003c` and `\x3c` as they appear in JSON and script strings. */
export function jsUnescape(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(JS_ESCAPE, (_match, unicode: string | undefined, byte: string | undefined) =>
    fromHex(unicode ?? byte ?? '0'),
  );
}

/**
 * Replaces each closed block comment with `replacement`. A MySQL versioned comment
 * (`/*!50000select*\/`) is code to MySQL, so with `keepVersioned` its body is kept instead.
 * An unclosed comment ends the scan, which keeps the pass linear.
 */
export function stripBlockComments(
  text: string,
  replacement: string,
  keepVersioned = false,
): string {
  let out = '';
  let from = 0;
  for (;;) {
    const start = text.indexOf('/*', from);
    if (start < 0) break;
    const end = text.indexOf('*/', start + 2);
    if (end < 0) break;
    const body = text.slice(start + 2, end);
    out += text.slice(from, start);
    out +=
      keepVersioned && body.startsWith('!')
        ? ` ${body.slice(1).replace(/^\d{0,6}/, '')} `
        : replacement;
    from = end + 2;
  }
  return from === 0 ? text : out + text.slice(from);
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
