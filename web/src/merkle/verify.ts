// RFC 9162 proof checks in the browser on WebCrypto SHA-256, so the page re-derives every root
// itself instead of taking the server's word. Verifiers never throw: bad input answers false.

/** SHA-256 output size: every leaf hash, node hash and root is this long. */
const HASH_BYTES = 32;

async function sha256(prefix: number, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const input = new Uint8Array(1 + parts.reduce((n, part) => n + part.length, 0));
  input[0] = prefix;
  let at = 1;
  for (const part of parts) {
    input.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(0x00, data);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(0x01, left, right);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of an even-length hex string, or undefined. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The hash with its lowest bit flipped: a one-bit tamper that must break any proof. */
export function flipBit(hex: string): string {
  const last = parseInt(hex.slice(-1), 16);
  return hex.slice(0, -1) + (last ^ 1).toString(16);
}

function hashes(hexes: readonly string[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const hex of hexes) {
    const bytes = fromHex(hex);
    if (bytes?.length !== HASH_BYTES) return undefined;
    out.push(bytes);
  }
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const isSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const half = (n: number) => Math.floor(n / 2);

/**
 * RFC 9162's walk up a proof from node `fn` of a level whose last node is `sn`: for each of
 * `count` hashes, whether it joins from the left. Undefined when the proof is too long or too
 * short to reach the root (sn must end at 0).
 */
function sides(fn: number, sn: number, count: number): boolean[] | undefined {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) {
    if (sn === 0) return undefined;
    const left = fn % 2 === 1 || fn === sn;
    out.push(left);
    if (left) {
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? out : undefined;
}

/** RFC 9162 §2.1.3.2: does `proof` lead from `leaf` at `index` to `root` in a tree of `size`? */
export async function verifyInclusion(
  leaf: string,
  index: number,
  size: number,
  proof: readonly string[],
  root: string,
): Promise<boolean> {
  const parsed = hashes([leaf, root, ...proof]);
  if (parsed === undefined || !isSize(index) || !isSize(size) || index >= size) return false;
  const [leafBytes, rootBytes, ...path] = parsed as [Uint8Array, Uint8Array, ...Uint8Array[]];
  const joins = sides(index, size - 1, path.length);
  if (joins === undefined) return false;
  let r = leafBytes;
  for (const [i, p] of path.entries()) r = await (joins[i] ? nodeHash(p, r) : nodeHash(r, p));
  return same(r, rootBytes);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `first` leaves with `firstRoot` is a prefix
 * of the tree of `second` leaves with `secondRoot`? Equal sizes need an empty proof and equal
 * roots; a proof from the empty tree proves nothing and is refused, as on the server.
 */
export async function verifyConsistency(
  first: number,
  second: number,
  proof: readonly string[],
  firstRoot: string,
  secondRoot: string,
): Promise<boolean> {
  const parsed = hashes([firstRoot, secondRoot, ...proof]);
  if (parsed === undefined || !isSize(first) || !isSize(second) || first > second) return false;
  const [root1, root2, ...path] = parsed as [Uint8Array, Uint8Array, ...Uint8Array[]];
  if (first === second) return path.length === 0 && first > 0 && same(root1, root2);
  if (first === 0 || path.length === 0) return false;

  const [seed, ...rest] = Number.isInteger(Math.log2(first)) ? [root1, ...path] : path;
  if (seed === undefined) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  const joins = sides(fn, sn, rest.length);
  if (joins === undefined) return false;
  let fr = seed;
  let sr = seed;
  for (const [i, c] of rest.entries()) {
    if (joins[i]) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
    } else {
      sr = await nodeHash(sr, c);
    }
  }
  return same(fr, root1) && same(sr, root2);
}
