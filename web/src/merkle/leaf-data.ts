// Typed Merkle leaves: one item per line, in the encoding the server's /api/crypto/merkle
// routes accept, decoded by the same rules so the browser hashes exactly the bytes they do.

import type { Static } from 'typebox';
import type { Encoding as EncodingSchema } from '../../../src/http/schemas/crypto.ts';
import { fromHex } from './verify.ts';

export type Encoding = Static<typeof EncodingSchema>;

/** The server's MAX_LEAVES; a value import of the schema module would bundle TypeBox. */
const MAX_ITEMS = 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The items of a text box: one per line; a final newline does not add an empty item. */
export function itemsOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

function bytesOfBase64(item: string): Uint8Array | undefined {
  if (!BASE64.test(item)) return undefined;
  const binary = atob(item);
  // Non-zero padding bits would give two texts for one value; the server refuses them too.
  if (btoa(binary) !== item) return undefined;
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The bytes an item stands for, or undefined when it is not valid in `encoding`. */
export function decodeItem(item: string, encoding: Encoding): Uint8Array | undefined {
  if (encoding === 'hex') return fromHex(item);
  if (encoding === 'base64') return bytesOfBase64(item);
  return new TextEncoder().encode(item);
}

/** The first item that does not decode, as a message for the form, or undefined. */
export function itemsProblem(items: readonly string[], encoding: Encoding): string | undefined {
  if (items.length > MAX_ITEMS) return `at most ${MAX_ITEMS} items (one per line)`;
  const bad = items.findIndex((item) => decodeItem(item, encoding) === undefined);
  if (bad === -1) return undefined;
  return `line ${bad + 1} is not ${encoding === 'hex' ? 'hex (pairs of 0-9, a-f)' : 'padded standard base64'}`;
}
