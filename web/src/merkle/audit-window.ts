// Loads one window of the audit log's tree without ever reading the whole log: one structure
// call per level inside the window (at most log2(span) + 1 small calls), and above it the
// proof of the window's first leaf, whose upper hashes are the siblings of the path to the root.
// The path itself is hashed here, so the window is checked against the signed root it shows.

import { api } from '../api/client.ts';
import type { AuditLeaf, Structure } from '../api/audit-types.ts';
import {
  canonical,
  heightOf,
  keyOf,
  rangeOf,
  widthAt,
  windowLevel,
  type LeafWindow,
  type NodeData,
} from './tree-shape.ts';
import { fromHex, nodeHash, toHex } from './verify.ts';

export interface LoadedWindow {
  nodes: Map<string, NodeData>;
  /** The root hashed up from the window and its path siblings equals the signed root. */
  rootMatches: boolean;
}

/** A GET of the API answering parsed JSON (api.get; a fake in tests). */
export type Get = <T>(path: string) => Promise<T>;

export async function loadAuditWindow(
  size: number,
  root: string,
  window: LeafWindow,
  get: Get = (path) => api.get(path),
): Promise<LoadedWindow> {
  const nodes = new Map<string, NodeData>();
  const top = windowLevel(size, window);
  const end = Math.min(window.start + window.span, size);
  const levels = Array.from({ length: top + 1 }, (_, level) => {
    const first = Math.floor(window.start / 2 ** level);
    const count = Math.ceil(end / 2 ** level) - first;
    return get<Structure>(
      `/api/crypto/merkle/structure?level=${level}&start=${first}&count=${count}&tree_size=${size}`,
    );
  });
  const height = heightOf(size);
  const [replies, leaf] = await Promise.all([
    Promise.all(levels),
    top < height ? get<AuditLeaf>(`/api/audit/leaf/${window.start}?tree_size=${size}`) : undefined,
  ]);
  for (const level of replies) {
    for (const node of level.nodes) nodes.set(keyOf(level.level, node.index), node);
  }

  const windowTop = Math.floor(window.start / 2 ** top);
  let current: string | undefined = nodes.get(keyOf(top, windowTop))?.hash;
  if (leaf !== undefined && current !== undefined) {
    let hash: string = current;
    const path = leaf.proof;
    // Proof hashes below the window's top level are the window's own; skip them.
    let at = 0;
    for (let level = 0; level < top; level++) {
      if ((Math.floor(window.start / 2 ** level) ^ 1) < widthAt(size, level)) at += 1;
    }
    for (let level = top; level < height; level++) {
      const p = Math.floor(window.start / 2 ** level);
      const s = p ^ 1;
      let parent = hash;
      if (s < widthAt(size, level)) {
        const sibling = path[at++] ?? '';
        // Drawn under the node it is a carried-up copy of, if it is one.
        const own = canonical(size, level, s);
        const [start, stop] = rangeOf(size, own.level, own.index);
        nodes.set(keyOf(own.level, own.index), { hash: sibling, start, end: stop });
        const a = fromHex(hash) ?? new Uint8Array();
        const b = fromHex(sibling) ?? new Uint8Array();
        parent = toHex(await (p % 2 === 1 ? nodeHash(b, a) : nodeHash(a, b)));
      }
      const [start, stop] = rangeOf(size, level + 1, Math.floor(p / 2));
      nodes.set(keyOf(level + 1, Math.floor(p / 2)), { hash: parent, start, end: stop });
      hash = parent;
    }
    current = hash;
  }
  return { nodes, rootMatches: current === root };
}
