// Lists the attacker-controlled strings of a request with where each was found. The walk is
// bounded in depth, in strings and in visited values, so a hostile body cannot make inspection
// slow; what lies beyond the bounds is not inspected.

import { escapeForLog } from './sample.ts';
import type { InspectedRequest } from './types.ts';

export interface Field {
  location: string;
  text: string;
}

export const LIMITS = {
  /** Nesting depth below the root of the body or query that is walked. */
  maxDepth: 20,
  /** Strings (keys and values) inspected per request. */
  maxStrings: 2_000,
  /** Values of any kind visited per request, so arrays of numbers cannot spin the walk. */
  maxValues: 20_000,
} as const;

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

  get full(): boolean {
    return this.fields.length >= LIMITS.maxStrings || this.values >= LIMITS.maxValues;
  }

  add(location: string, text: string): void {
    if (this.full) return;
    this.values += 1;
    if (text.length > 0) this.fields.push({ location, text });
  }

  walk(value: unknown, location: string, depth: number): void {
    if (this.full) return;
    if (typeof value === 'string') {
      this.add(location, value);
      return;
    }
    this.values += 1;
    if (value === null || typeof value !== 'object' || depth >= LIMITS.maxDepth) return;
    if (ArrayBuffer.isView(value)) return;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length && !this.full; index += 1) {
        this.walk(value[index], escapeForLog(`${location}[${index}]`, MAX_LOCATION), depth + 1);
      }
      return;
    }
    for (const key in value) {
      if (this.full) return;
      if (!Object.hasOwn(value, key)) continue;
      const child = childLocation(location, key);
      this.add(child, key);
      this.walk((value as Record<string, unknown>)[key], child, depth + 1);
    }
  }
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

export function requestFields(request: InspectedRequest): Field[] {
  const collector = new FieldCollector();
  collector.add('path', request.path);
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (!(INSPECTED_HEADERS as readonly string[]).includes(lower)) continue;
    const location = `header.${lower}`;
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text === 'string') collector.add(location, text);
    }
  }
  if (typeof request.query === 'string') walkQueryString(collector, request.query);
  else walkQueryRecord(collector, request.query);
  collector.walk(request.body, 'body', 0);
  return collector.fields;
}
