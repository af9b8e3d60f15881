// Integers as the client wrote them. Ajv sees values, not text: JSON.parse reads `1.0` and `1e0`
// as 1, and coercion reads the path or query text "1e3", "0x10", "+5" and " 5" as numbers. Here a
// field that only an integer fits must be written in decimal digits; a number field (a price)
// may still carry a fraction.

import type { FastifySchemaValidationError } from 'fastify';

/** The parts of a JSON schema (as TypeBox builds them) that say where an integer goes. */
export interface SchemaNode {
  readonly type?: unknown;
  readonly properties?: { readonly [key: string]: SchemaNode };
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
}

/** Object keys and array indices from the top of a JSON value. */
export type JsonPath = readonly (string | number)[];

function branches(schema: SchemaNode): SchemaNode[] {
  const inner = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return [schema, ...inner.flatMap(branches)];
}

function child(schema: SchemaNode, step: string | number): SchemaNode | undefined {
  if (typeof step === 'number') return schema.items;
  const { properties } = schema;
  return properties !== undefined && Object.hasOwn(properties, step) ? properties[step] : undefined;
}

/** The schema takes an integer at `path`, and no other number. */
export function integerOnlyAt(schema: SchemaNode, path: JsonPath): boolean {
  let nodes = branches(schema);
  for (const step of path) {
    nodes = nodes.flatMap((node) => {
      const next = child(node, step);
      return next === undefined ? [] : branches(next);
    });
  }
  const types = new Set(
    nodes.flatMap((node): unknown[] => (Array.isArray(node.type) ? node.type : [node.type])),
  );
  return types.has('integer') && !types.has('number');
}

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;

interface Frame {
  readonly array: boolean;
  /** The current key (objects) or index (arrays). */
  at: string | number;
  awaitingKey: boolean;
}

/**
 * Where `text`, a JSON text that parsed, writes a number with a fraction or an exponent: the
 * paths as JSON.parse would place the values (escaped keys decoded).
 */
export function writtenDecimals(text: string): JsonPath[] {
  const found: JsonPath[] = [];
  // Every such literal has a digit right before its `.` or exponent.
  if (!/\d[.eE]/.test(text)) return found;
  const frames: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const top = frames.at(-1);
    if (c === '{' || c === '[') {
      frames.push({ array: c === '[', at: 0, awaitingKey: c === '{' });
      i += 1;
    } else if (c === '}' || c === ']') {
      frames.pop();
      i += 1;
    } else if (c === ',') {
      if (top?.array === true) top.at = Number(top.at) + 1;
      else if (top !== undefined) top.awaitingKey = true;
      i += 1;
    } else if (c === '"') {
      STRING.lastIndex = i;
      const token = STRING.exec(text)?.[0];
      if (token === undefined) break;
      if (top?.awaitingKey === true) {
        top.at = JSON.parse(token) as string;
        top.awaitingKey = false;
      }
      i += token.length;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0] ?? c;
      if (/[.eE]/.test(token)) found.push(frames.map((frame) => frame.at));
      i += token.length;
    } else {
      i += 1;
    }
  }
  return found;
}

/** The first path in `body` where a decimal was written for an integer-only field. */
export function decimalForInteger(schema: SchemaNode, text: string): JsonPath | undefined {
  return writtenDecimals(text).find((path) => integerOnlyAt(schema, path));
}

const DECIMAL_DIGITS = /^-?[0-9]+$/;

type Validate = ((data: unknown) => unknown) & {
  errors?: FastifySchemaValidationError[] | null;
};

/**
 * Wraps the validator of path or query parameters (flat objects of text, coerced by Ajv) so that
 * an integer parameter written other than in decimal digits is refused before coercion.
 */
export function decimalDigitsFirst(
  schema: SchemaNode,
  validate: Validate,
): (data: unknown) => true | { error: FastifySchemaValidationError[] } {
  const integers = Object.entries(schema.properties ?? {})
    .filter(([, property]) => integerOnlyAt(property, []))
    .map(([key]) => key);
  return (data) => {
    if (typeof data === 'object' && data !== null) {
      for (const key of integers) {
        const value: unknown = (data as Record<string, unknown>)[key];
        for (const text of Array.isArray(value) ? (value as unknown[]) : [value]) {
          if (typeof text === 'string' && !DECIMAL_DIGITS.test(text)) {
            const message = 'must be an integer in decimal digits (no exponent, hex, + or spaces)';
            return {
              error: [
                { keyword: 'type', instancePath: `/${key}`, schemaPath: '', params: {}, message },
              ],
            };
          }
        }
      }
    }
    return validate(data) === true ? true : { error: validate.errors ?? [] };
  };
}
