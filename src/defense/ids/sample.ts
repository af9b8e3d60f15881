// Makes attacker-controlled text safe to write to a log line: control characters, line and
// paragraph separators, bidi overrides and lone surrogates are escaped, and the result is short.

/** Characters that could forge a log line, move the cursor, or reorder what a reader sees. */
function needsEscape(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0xfeff ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff)
  );
}

function escapeChar(char: string): string {
  switch (char) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default: {
      const codePoint = char.codePointAt(0) ?? 0;
      return needsEscape(codePoint) ? `\\u${codePoint.toString(16).padStart(4, '0')}` : char;
    }
  }
}

const ELLIPSIS = '…';

/**
 * Escapes and truncates to at most `max` UTF-16 code units. A cut is marked with an ellipsis
 * and never splits an escape sequence or a surrogate pair.
 */
export function escapeForLog(text: string, max = 80): string {
  const pieces: string[] = [];
  let length = 0;
  let truncated = false;
  for (const char of text) {
    const piece = escapeChar(char);
    if (length + piece.length > max) {
      truncated = true;
      break;
    }
    pieces.push(piece);
    length += piece.length;
  }
  if (!truncated) return pieces.join('');
  while (pieces.length > 0 && length + ELLIPSIS.length > max) {
    length -= pieces.pop()?.length ?? 0;
  }
  return pieces.join('') + ELLIPSIS;
}
