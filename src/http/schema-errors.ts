// Schema validation errors (Ajv's, and TypeBox's, which have the same form) in words a person
// reads, naming the field and what it accepts, with the same facts in a list for programs.
// Only the first problem is described: the request is refused either way, and one clear
// sentence helps more than a page of them.

import type { ErrorDetail } from '../errors.ts';

/** One validation error as Ajv and TypeBox report it. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}

export interface Described {
  message: string;
  details: ErrorDetail[];
}

/** `/orders/0/price` under `body` is `body.orders[0].price`. */
export function fieldName(where: string, instancePath: string): string {
  let name = where;
  for (const part of instancePath.split('/').slice(1)) {
    const segment = part.replaceAll('~1', '/').replaceAll('~0', '~');
    name = /^\d+$/.test(segment)
      ? `${name}[${segment}]`
      : name === ''
        ? segment
        : `${name}.${segment}`;
  }
  return name === '' ? 'the message' : name;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const TYPE_WORDS: Record<string, string> = {
  string: 'text (a JSON string)',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list (a JSON array)',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  'date-time': 'a date and time (ISO 8601, such as 2026-01-15T10:30:00Z)',
  date: 'a date (such as 2026-01-15)',
  uri: 'a URL',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  uuid: 'a UUID',
};

/** The characters a simple class such as `[A-Za-z0-9_.-]` admits, in words. */
function classWords(body: string): string | undefined {
  const ranges: string[] = [];
  const singles: string[] = [];
  for (let i = 0; i < body.length; i += 1) {
    let c = body[i] ?? '';
    if (c === '\\') {
      i += 1;
      c = body[i] ?? '';
      if (!/[-.\\\]^/[]/.test(c)) return undefined; // \d, \s and friends: not simple
    }
    if (body[i + 1] === '-' && i + 2 < body.length) {
      ranges.push(`${c}-${body[i + 2] ?? ''}`);
      i += 2;
    } else {
      singles.push(c);
    }
  }
  const has = (r: string) => ranges.includes(r);
  const words: string[] = [];
  const hexOnly = has('0-9') && (has('a-f') || has('A-F')) && !has('a-z') && !has('A-Z');
  if (hexOnly) words.push('hex digits');
  else {
    if (has('A-Z') && has('a-z')) words.push('letters');
    else if (has('A-Z')) words.push('capital letters');
    else if (has('a-z')) words.push('lowercase letters');
    if (has('0-9')) words.push('digits');
  }
  const known = ['A-Z', 'a-z', '0-9', 'a-f', 'A-F'];
  if (ranges.some((r) => !known.includes(r))) return undefined;
  if (singles.length > 0) words.push(singles.join(' '));
  return words.join(', ');
}

/** A pattern of one character class, repeated, in words; undefined for anything richer. */
function patternWords(pattern: string): string | undefined {
  const match = /^\^\[((?:\\.|[^\]\\])+)\](\+|\*|\{(\d+)(?:,(\d*))?\})\$$/.exec(pattern);
  if (match === null) return undefined;
  const chars = classWords(match[1] ?? '');
  if (chars === undefined) return undefined;
  const [, , quantifier, min, max] = match;
  if (quantifier === '+' || quantifier === '*') return `may contain only ${chars}`;
  if (max === undefined) return `must be exactly ${min ?? ''} ${chars}`;
  if (max === '') return `must be at least ${min ?? ''} ${chars}`;
  return `must be ${min ?? ''} to ${max} ${chars}`;
}

const quote = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** The first problem in `errors`, with every alternative of a union at the same place. */
export function describeSchemaErrors(errors: readonly SchemaError[], where: string): Described {
  const first = errors[0];
  if (first === undefined) {
    const field = fieldName(where, '');
    return { message: `${field} is not valid`, details: [{ field, rule: 'invalid' }] };
  }
  const field = fieldName(where, first.instancePath);
  const detail = (rule: string, expected?: unknown): ErrorDetail =>
    expected === undefined ? { field, rule } : { field, rule, expected };
  const said = (sentence: string, d: ErrorDetail): Described => ({
    message: `${field} ${sentence}`,
    details: [d],
  });
  const p = first.params;
  const limit = p.limit as number;
  // The alternatives of a union fail one by one at the same place: gather them.
  const here = errors.filter((e) => e.instancePath === first.instancePath);
  const allowed = here.filter((e) => e.keyword === 'const').map((e) => e.params.allowedValue);
  const types = here.filter((e) => e.keyword === 'type').map((e) => String(e.params.type));
  const union = here.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');

  switch (first.keyword) {
    case 'required': {
      const missing =
        (p.missingProperty as string | undefined) ??
        (p.requiredProperties as string[] | undefined)?.[0] ??
        '';
      const name = fieldName(field === 'the message' ? '' : field, `/${missing}`);
      return {
        message: `${name} is required`,
        details: [{ field: name, rule: 'required' }],
      };
    }
    case 'additionalProperties':
    case 'boolean': {
      const extra =
        (p.additionalProperty as string | undefined) ??
        (p.additionalProperties as string[] | undefined)?.[0] ??
        first.instancePath.split('/').at(-1) ??
        '';
      const owner =
        first.keyword === 'boolean'
          ? fieldName(where, first.instancePath.replace(/\/[^/]*$/, ''))
          : field;
      return {
        message: `${owner} has a field it does not take: ${JSON.stringify(extra.slice(0, 64))}`,
        details: [{ field: owner, rule: 'unknown_field', expected: extra.slice(0, 64) }],
      };
    }
    case 'const':
    case 'enum': {
      const values = first.keyword === 'enum' ? (p.allowedValues as unknown[]) : allowed;
      if (values.length === 1) return said(`must be ${quote(values[0])}`, detail('one_of', values));
      return said(`must be one of: ${values.map(quote).join(', ')}`, detail('one_of', values));
    }
    case 'type': {
      // A check of our own (integer-text.ts) words its message and names no type.
      if (typeof p.type !== 'string')
        return said(first.message ?? 'has the wrong type', detail('type'));
      const wanted = [...new Set(union ? types : [String(p.type)])];
      const words = wanted.map((t) => TYPE_WORDS[t] ?? t);
      return said(`must be ${words.join(' or ')}`, detail('type', wanted));
    }
    case 'pattern': {
      const pattern = String(p.pattern);
      const words = patternWords(pattern);
      return said(words ?? `is not in the accepted form (${pattern})`, detail('pattern', pattern));
    }
    case 'format': {
      const format = String(p.format);
      return said(
        `must be ${FORMAT_WORDS[format] ?? `a valid ${format}`}`,
        detail('format', format),
      );
    }
    case 'minLength':
      return limit === 1
        ? said('must not be empty', detail('min_length', limit))
        : said(`must be at least ${plural(limit, 'character')} long`, detail('min_length', limit));
    case 'maxLength':
      return said(
        `must be at most ${plural(limit, 'character')} long`,
        detail('max_length', limit),
      );
    case 'minimum':
      return said(`must be at least ${limit}`, detail('minimum', limit));
    case 'maximum':
      return said(`must be at most ${limit}`, detail('maximum', limit));
    case 'exclusiveMinimum':
      return said(`must be greater than ${limit}`, detail('exclusive_minimum', limit));
    case 'exclusiveMaximum':
      return said(`must be less than ${limit}`, detail('exclusive_maximum', limit));
    case 'multipleOf':
      return said(
        `must be a multiple of ${String(p.multipleOf)}`,
        detail('multiple_of', p.multipleOf),
      );
    case 'minItems':
      return limit === 1
        ? said('must not be an empty list', detail('min_items', limit))
        : said(`must have at least ${plural(limit, 'item')}`, detail('min_items', limit));
    case 'maxItems':
      return said(`must have at most ${plural(limit, 'item')}`, detail('max_items', limit));
    case 'uniqueItems':
      return said(
        `must not list the same item twice (items ${Math.min(Number(p.i), Number(p.j))} and ${Math.max(Number(p.i), Number(p.j))})`,
        detail('unique_items'),
      );
    case 'minProperties':
      return said(`must have at least ${plural(limit, 'field')}`, detail('min_fields', limit));
    case 'maxProperties':
      return said(`must have at most ${plural(limit, 'field')}`, detail('max_fields', limit));
    default:
      return said(first.message ?? 'is not valid', detail(first.keyword));
  }
}
