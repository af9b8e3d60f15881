// The shape of an RFC 9162 tree of `size` leaves, by level and index: level 0 holds the leaves,
// node j of level l covers leaves [j·2^l, min((j+1)·2^l, size)), and a node without a right
// sibling is carried up unchanged. The explorer draws one window of leaves at a time: the nodes
// inside it, the path above it to the root, and each sibling of that path as a closed stub.

export interface NodeRef {
  level: number;
  index: number;
}

export interface NodeData {
  hash: string;
  start: number;
  end: number;
}

export interface DrawNode extends NodeRef, NodeData {
  key: string;
  /** A subtree outside the window, drawn closed. */
  stub: boolean;
  children: DrawNode[];
}

export const keyOf = (level: number, index: number): string => `${level}:${index}`;

/** Levels above the leaves; the root is at this level. */
export function heightOf(size: number): number {
  return size <= 1 ? 0 : Math.ceil(Math.log2(size));
}

export function widthAt(size: number, level: number): number {
  return Math.ceil(size / 2 ** level);
}

export function rangeOf(size: number, level: number, index: number): [number, number] {
  return [index * 2 ** level, Math.min((index + 1) * 2 ** level, size)];
}

/** The node itself, or the lowest node it is a carried-up copy of (same hash, same leaves). */
export function canonical(size: number, level: number, index: number): NodeRef {
  while (level > 0 && 2 * index + 1 >= widthAt(size, level - 1)) {
    level -= 1;
    index *= 2;
  }
  return { level, index };
}

/** The nodes an inclusion proof of `leaf` walks through and the siblings it hashes in. */
export function inclusionNodes(size: number, leaf: number): { path: string[]; siblings: string[] } {
  const path: string[] = [];
  const siblings: string[] = [];
  const height = heightOf(size);
  for (let level = 0; level <= height; level++) {
    const p = Math.floor(leaf / 2 ** level);
    const own = canonical(size, level, p);
    const key = keyOf(own.level, own.index);
    if (path.at(-1) !== key) path.push(key);
    const s = p ^ 1;
    if (level < height && s < widthAt(size, level)) {
      const sibling = canonical(size, level, s);
      siblings.push(keyOf(sibling.level, sibling.index));
    }
  }
  return { path, siblings };
}

/** A window of `span` leaves (a power of two) starting at a multiple of it. */
export interface LeafWindow {
  start: number;
  span: number;
}

export function windowOf(leaf: number, span: number): LeafWindow {
  return { start: Math.floor(leaf / span) * span, span };
}

/** The level whose nodes each cover one whole window: log2(span), at most the height. */
export function windowLevel(size: number, window: LeafWindow): number {
  return Math.min(Math.log2(window.span), heightOf(size));
}

/**
 * The drawing of one window: from the root, the nodes holding the window open, every other
 * node closed as a stub; carried-up copies are skipped, so an edge may span several levels.
 * `lookup` gives each node's hash (an unknown hash is drawn as '').
 */
export function windowTree(
  size: number,
  window: LeafWindow,
  lookup: (level: number, index: number) => NodeData | undefined,
): DrawNode {
  const end = Math.min(window.start + window.span, size);
  const build = (level: number, index: number): DrawNode => {
    const own = canonical(size, level, index);
    const [start, stop] = rangeOf(size, own.level, own.index);
    const data = lookup(own.level, own.index);
    const open =
      own.level > 0 &&
      ((start >= window.start && stop <= end) || (start <= window.start && stop >= end));
    return {
      key: keyOf(own.level, own.index),
      level: own.level,
      index: own.index,
      hash: data?.hash ?? '',
      start,
      end: stop,
      stub: !open && own.level > 0,
      children: open
        ? [build(own.level - 1, 2 * own.index), build(own.level - 1, 2 * own.index + 1)]
        : [],
    };
  };
  return build(heightOf(size), 0);
}
