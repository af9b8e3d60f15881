// The audit log's signed tree head checked in the browser: the checkpoint body is rebuilt from
// the head's fields, and its ECDSA P-256 signature verified with WebCrypto under the published
// key. WebCrypto takes raw r‖s (P1363) signatures; the server signs DER, hence derToP1363.

import { fromHex, toHex } from './verify.ts';

const AUDIT_ORIGIN = 'secure-stock-exchange/audit-log';

/** The fields of a head that are signed (GET /api/audit/tree-head). */
export interface HeadFields {
  tree_size: number;
  root_hash: string;
  timestamp: number;
  key_id: string;
  signature: string;
  checkpoint: string;
  public_key: string;
}

export interface HeadCheck {
  /** The signature verifies over the rebuilt body under the published key. */
  signature: boolean;
  /** The key id names the published key (first 8 bytes of SHA-256 of its SPKI). */
  keyId: boolean;
  /** The checkpoint note shown is exactly the rebuilt body plus its signature line. */
  note: boolean;
  body: string;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unbase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** `origin\nsize\nbase64(root)\ntimestamp <ms>\n`, as src/audit/tree-head.ts signs it. */
export function checkpointBody(head: Pick<HeadFields, 'tree_size' | 'root_hash' | 'timestamp'>) {
  const root = fromHex(head.root_hash) ?? new Uint8Array();
  return `${AUDIT_ORIGIN}\n${head.tree_size}\n${base64(root)}\ntimestamp ${head.timestamp}\n`;
}

/** The DER bytes of a PEM block, or undefined. */
function pemToDer(pem: string): Uint8Array<ArrayBuffer> | undefined {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  return body === '' ? undefined : unbase64(body);
}

/**
 * DER `SEQUENCE { INTEGER r, INTEGER s }` to r‖s, each left-padded to `size` bytes. Undefined
 * for anything that is not exactly one such sequence with positive integers that fit.
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array<ArrayBuffer> | undefined {
  let at = 0;
  const byte = () => (at < der.length ? (der[at++] ?? -1) : -1);
  const length = (): number => {
    const first = byte();
    if (first < 0x80) return first;
    if (first !== 0x81) return -1; // a P-256 signature never needs more than one length byte
    const long = byte();
    return long >= 0x80 ? long : -1;
  };
  const integer = (): Uint8Array | undefined => {
    if (byte() !== 0x02) return undefined;
    const n = length();
    if (n <= 0 || at + n > der.length) return undefined;
    let value = der.subarray(at, at + n);
    at += n;
    if ((value[0] ?? 0) >= 0x80) return undefined; // negative
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    return value.length > size ? undefined : value;
  };
  if (byte() !== 0x30 || length() !== der.length - at) return undefined;
  const r = integer();
  const s = integer();
  if (r === undefined || s === undefined || at !== der.length) return undefined;
  const out = new Uint8Array(2 * size);
  out.set(r, size - r.length);
  out.set(s, 2 * size - s.length);
  return out;
}

/** Checks a signed tree head entirely in the browser. Never throws. */
export async function checkTreeHead(head: HeadFields): Promise<HeadCheck> {
  const body = checkpointBody(head);
  const note = head.checkpoint.startsWith(`${body}\n`);
  const spki = pemToDer(head.public_key);
  const der = unbase64(head.signature);
  const raw = der === undefined ? undefined : derToP1363(der);
  if (spki === undefined || raw === undefined)
    return { signature: false, keyId: false, note, body };
  try {
    const key = await crypto.subtle.importKey(
      'spki',
      spki,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const signature = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      raw,
      new TextEncoder().encode(body),
    );
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));
    return { signature, keyId: toHex(digest.subarray(0, 8)) === head.key_id, note, body };
  } catch {
    return { signature: false, keyId: false, note, body };
  }
}
