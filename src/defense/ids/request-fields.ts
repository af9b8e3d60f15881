// Lists the attacker-controlled strings of a request with where each was found and what kind of
// field holds it. The walk is bounded in depth, in strings and in visited values, and what is
// inspected is bounded per part of the request (path and headers, query, body): the shortest
// strings of each part first, so neither padding in one part nor long text in a part can crowd
// out a short field, and opaque strings only after the others, so they cannot crowd out any.
// Secret fields are never collected.

import { escapeForLog } from './sample.ts';
import type { FieldKind, FieldPolicy, InspectedRequest } from './types.ts';

/** The parts of a request, each inspected within its own limits. */
export type Part = 'head' | 'query' | 'body';

export interface Field {
  part: Part;
  location: string;
  text: string;
  kind: Exclude<FieldKind, 'secret'>;
}

export const LIMITS = {
  /** Nesting depth below the root of the body or query that is walked. */
  maxDepth: 20,
  /** Strings (keys and values) collected per part. */
  maxStrings: 2_000,
  /** Values of any kind visited per part, so arrays of numbers cannot spin the walk. */
  maxValues: 20_000,
  /** Strings inspected per part, the shortest first. */
  inspectedStrings: 128,
  /** Characters inspected per part; the string that reaches the limit is inspected up to it. */
  inspectedChars: 8 * 1024,
} as const;

export interface RequestFields {
  /** The strings to inspect: in each part the shortest first, within the limits. */
  fields: Field[];
  /** Per part, the strings left uninspected because the part held more than the limits. */
  skipped: Record<Part, number>;
}

/** Only these headers carry free text an attacker is known to abuse; authorization is a secret. */
export const INSPECTED_HEADERS = ['user-agent', 'referer', 'x-forwarded-for', 'cookie'] as const;

const MAX_LOCATION = 200;
const PLAIN_KEY = /^[A-Za-z_$][\w$-]{0,63}$/;

function childLocation(parent: string, key: string): string {
  const segment = PLAIN_KEY.test(key) ? `.${key}` : `[${JSON.stringify(key.slice(0, 64))}]`;
  return escapeForLog(parent + segment, MAX_LOCATION);
}

class FieldCollector {
  readonly fields: Field[] = [];
  private values = 0;

  constructor(readonly part: Part) {}

  get full(): boolean {
    return this.fields.length >= LIMITS.maxStrings || this.values >= LIMITS.maxValues;
  }

  add(location: string, text: string, kind: Field['kind'] = 'structured'): void {
    if (this.full) return;
    this.values += 1;
    if (text.length > 0) this.fields.push({ part: this.part, location, text, kind });
  }

  walk(value: unknown, location: string, depth: number, kind: Field['kind'] = 'structured'): void {
    if (this.full) return;
    if (typeof value === 'string') {
      this.add(location, value, kind);
      return;
    }
    this.values += 1;
    if (value === null || typeof value !== 'object' || depth >= LIMITS.maxDepth) return;
    if (ArrayBuffer.isView(value)) return;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length && !this.full; index += 1) {
        const child = escapeForLog(`${location}[${index}]`, MAX_LOCATION);
        this.walk(value[index], child, depth + 1, kind);
      }
      return;
    }
    for (const key in value) {
      if (this.full) return;
      if (!Object.hasOwn(value, key)) continue;
      const child = childLocation(location, key);
      this.add(child, key, kind);
      this.walk((value as Record<string, unknown>)[key], child, depth + 1, kind);
    }
  }

  /** The body, each top-level field walked as the kind the policy gives it; secrets not at all. */
  walkBody(body: unknown, policy: FieldPolicy): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.walk(body, 'body', 0);
      return;
    }
    this.values += 1;
    for (const key in body) {
      if (this.full) return;
      if (!Object.hasOwn(body, key)) continue;
      const kind = kindOf(policy, key);
      const child = childLocation('body', key);
      this.add(child, key);
      if (kind !== 'secret') this.walk((body as Record<string, unknown>)[key], child, 1, kind);
    }
  }
}

function kindOf(policy: FieldPolicy, key: string): FieldKind {
  if (policy.secret?.includes(key) === true) return 'secret';
  if (policy.opaque?.includes(key) === true) return 'opaque';
  if (policy.freeText?.includes(key) === true) return 'free-text';
  return 'structured';
}

function decodeQueryName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function walkQueryString(collector: FieldCollector, query: string): void {
  const text = query.startsWith('?') ? query.slice(1) : query;
  let from = 0;
  while (from <= text.length && !collector.full) {
    const amp = text.indexOf('&', from);
    const pair = text.slice(from, amp < 0 ? text.length : amp);
    from = amp < 0 ? text.length + 1 : amp + 1;
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const location = childLocation('query', decodeQueryName(rawName));
    collector.add(location, rawName);
    if (equals >= 0) collector.add(location, pair.slice(equals + 1));
  }
}

/** A repeated parameter (`?q=a&q=b`) is one parameter: its values share the location `query.q`. */
function walkQueryRecord(collector: FieldCollector, query: Record<string, unknown>): void {
  for (const key in query) {
    if (collector.full) return;
    if (!Object.hasOwn(query, key)) continue;
    const location = childLocation('query', key);
    collector.add(location, key);
    const value = query[key];
    for (const item of Array.isArray(value) ? value : [value]) {
      if (collector.full) return;
      collector.walk(item, location, 1);
    }
  }
}

/**
 * A part's strings within the inspection limits: shortest first (ties in request order), every
 * opaque string after every other.
 */
function withinLimits(fields: readonly Field[]): Field[] {
  const last = (field: Field): number => (field.kind === 'opaque' ? 1 : 0);
  const shortestFirst = [...fields].sort(
    (a, b) => last(a) - last(b) || a.text.length - b.text.length,
  );
  const kept: Field[] = [];
  let chars = 0;
  for (const field of shortestFirst) {
    if (kept.length >= LIMITS.inspectedStrings || chars >= LIMITS.inspectedChars) break;
    const text = field.text.slice(0, LIMITS.inspectedChars - chars);
    kept.push(text.length === field.text.length ? field : { ...field, text });
    chars += text.length;
  }
  return kept;
}

export function requestFields(request: InspectedRequest): RequestFields {
  const head = new FieldCollector('head');
  head.add('path', request.path);
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (!(INSPECTED_HEADERS as readonly string[]).includes(lower)) continue;
    const location = `header.${lower}`;
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text === 'string') head.add(location, text);
    }
  }
  const query = new FieldCollector('query');
  if (typeof request.query === 'string') walkQueryString(query, request.query);
  else walkQueryRecord(query, request.query);
  const body = new FieldCollector('body');
  body.walkBody(request.body, request.fields ?? {});

  const fields: Field[] = [];
  const skipped = { head: 0, query: 0, body: 0 };
  for (const collector of [head, query, body]) {
    const kept = withinLimits(collector.fields);
    fields.push(...kept);
    skipped[collector.part] = collector.fields.length - kept.length;
  }
  return { fields, skipped };
}
