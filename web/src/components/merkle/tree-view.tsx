// One window of a Merkle tree as SVG: d3-hierarchy's cluster layout gives every leaf and stub
// its own column, React draws them (no markup from strings). Rows are tree levels, so an edge
// past carried-up copies spans levels. Columns narrow to fit the panel (tree-fit.ts); a window
// that still does not fit scrolls sideways inside it, and says so.
// The selected leaf's inclusion path and the siblings its proof hashes in are marked by shape
// and stroke as well as colour, and named in the legend.

import { cluster, hierarchy } from 'd3-hierarchy';
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import {
  HASH_LABEL_COLUMN,
  MARGIN,
  WIDEST_COLUMN,
  columnWidth,
  treeWidth,
} from '../../merkle/tree-fit.ts';
import type { DrawNode } from '../../merkle/tree-shape.ts';
import { useElementSize } from '../element-size.ts';

export interface Highlight {
  path: ReadonlySet<string>;
  siblings: ReadonlySet<string>;
}

const short = (hash: string) => (hash === '' ? '…' : hash.slice(0, 6));

function roleOf(key: string, highlight: Highlight | undefined): 'path' | 'sibling' | 'plain' {
  if (highlight?.path.has(key)) return 'path';
  if (highlight?.siblings.has(key)) return 'sibling';
  return 'plain';
}

const FILL = {
  path: 'fill-accent stroke-accent',
  sibling: 'fill-amber-400 stroke-amber-400',
  plain: 'fill-panel stroke-dim',
};

/** The dashed ring that marks a proof sibling by shape, not by colour alone. */
function SiblingRing({ x, y, r }: { x: number; y: number; r: number }) {
  return (
    <circle
      cx={x}
      cy={y}
      r={r}
      className="fill-none stroke-amber-200"
      strokeWidth={1.5}
      strokeDasharray="3 2"
    />
  );
}

export function TreeView(props: {
  root: DrawNode;
  /** Levels above the leaves in the whole tree (the root's level). */
  height: number;
  highlight?: Highlight;
  selected?: number;
  onSelectLeaf(index: number): void;
  label: string;
}) {
  const { root, height, highlight, selected, onSelectLeaf } = props;
  const row = Math.max(30, Math.min(56, 480 / Math.max(1, height)));
  const box = useRef<HTMLDivElement>(null);
  const { width: available } = useElementSize(box);
  // One unit per column first; the column width comes from the room the panel has.
  const unit = useMemo(() => {
    const laid = cluster<DrawNode>()
      .nodeSize([1, row])
      .separation(() => 1)(hierarchy(root, (n) => (n.children.length > 0 ? n.children : null)));
    const nodes = laid.descendants();
    const xs = nodes.map((n) => n.x);
    const left = Math.min(...xs);
    // Leaf numbers are the labels that sit side by side; a stub's range has a column of its own.
    const widestLeaf = Math.max(
      0,
      ...nodes.filter((n) => n.data.level === 0 && !n.data.stub).map((n) => n.data.start),
    );
    return { laid, nodes, left, span: Math.max(...xs) - left, widestLeaf };
  }, [root, row]);
  const column =
    available === 0 ? WIDEST_COLUMN : columnWidth(available, unit.span, unit.widestLeaf);
  const layout = useMemo(() => {
    const x = (unitX: number) => (unitX - unit.left) * column + MARGIN;
    const y = (level: number) => (height - level) * row + MARGIN;
    return {
      nodes: unit.nodes.map((n) => ({ data: n.data, x: x(n.x), y: y(n.data.level) })),
      links: unit.laid.links().map((l) => ({
        key: `${l.source.data.key}-${l.target.data.key}`,
        onPath:
          highlight?.path.has(l.source.data.key) === true && highlight.path.has(l.target.data.key),
        x1: x(l.source.x),
        y1: y(l.source.data.level),
        x2: x(l.target.x),
        y2: y(l.target.data.level),
      })),
      width: treeWidth(unit.span, column),
      depth: height * row + 2 * MARGIN + 14,
    };
  }, [unit, column, height, row, highlight]);
  const scrolls = available > 0 && layout.width > available;
  // A selected (or jumped-to) leaf out of sight in a scrolled window is brought into the middle.
  const selectedX = layout.nodes.find(
    (n) => n.data.level === 0 && !n.data.stub && n.data.start === selected,
  )?.x;
  useEffect(() => {
    const scroller = box.current;
    if (scroller === null || selectedX === undefined) return;
    const visible =
      selectedX >= scroller.scrollLeft && selectedX <= scroller.scrollLeft + available;
    if (!visible) scroller.scrollLeft = selectedX - available / 2;
  }, [selectedX, available]);

  const choose = (index: number) => (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelectLeaf(index);
    }
  };

  return (
    <div>
      <div ref={box} className="overflow-x-auto" data-testid="merkle-tree-scroller">
        <svg
          width={layout.width}
          height={layout.depth}
          viewBox={`0 0 ${layout.width} ${layout.depth}`}
          role="group"
          aria-label={props.label}
          data-testid="merkle-tree"
          className="text-[9px]"
        >
          {layout.links.map((l) => (
            <line
              key={l.key}
              x1={l.x1}
              y1={l.y1}
              x2={l.x2}
              y2={l.y2}
              className={l.onPath ? 'stroke-accent' : 'stroke-edge'}
              strokeWidth={l.onPath ? 3 : 1.25}
            />
          ))}
          {layout.nodes.map(({ data, x, y }) => {
            const role = roleOf(data.key, highlight);
            const title = `${data.stub ? 'subtree' : data.level === 0 ? 'leaf' : 'node'} ${
              data.level === 0 ? data.start : `leaves ${data.start}–${data.end - 1}`
            }\nlevel ${data.level}\n${data.hash || 'hash not loaded'}`;
            const common = {
              'data-key': data.key,
              'data-role': role,
              strokeWidth: role === 'plain' ? 1.25 : 2,
              className: FILL[role],
            };
            const ring = role === 'sibling' && (
              <SiblingRing x={x} y={y} r={data.level === 0 ? 13 : 12} />
            );
            if (data.stub) {
              return (
                <g key={data.key}>
                  <title>{title}</title>
                  {ring}
                  <rect x={x - 9} y={y - 7} width={18} height={14} rx={3} {...common} />
                  <text x={x} y={y + 20} textAnchor="middle" className="fill-dim num">
                    {data.start}–{data.end - 1}
                  </text>
                </g>
              );
            }
            if (data.level > 0) {
              return (
                <g key={data.key}>
                  <title>{title}</title>
                  {ring}
                  <circle cx={x} cy={y} r={role === 'plain' ? 5 : 7} {...common} />
                  <text x={x} y={y - 11} textAnchor="middle" className="fill-dim num">
                    {short(data.hash)}
                  </text>
                </g>
              );
            }
            const isSelected = selected === data.start;
            return (
              <g
                key={data.key}
                role="button"
                tabIndex={0}
                aria-label={`leaf ${data.start}`}
                aria-pressed={isSelected}
                className="cursor-pointer focus:outline-none [&:focus-visible>circle]:stroke-ink"
                onClick={() => onSelectLeaf(data.start)}
                onKeyDown={choose(data.start)}
              >
                <title>{title}</title>
                {ring}
                <circle cx={x} cy={y} r={isSelected ? 10 : 8} {...common} />
                <text x={x} y={y + 20} textAnchor="middle" className="fill-ink num">
                  {data.start}
                </text>
                {column >= HASH_LABEL_COLUMN && (
                  <text x={x} y={y + 30} textAnchor="middle" className="fill-dim num">
                    {short(data.hash).slice(0, 4)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <p className="mt-1 flex flex-wrap gap-x-4 text-xs text-dim">
        <span>
          <span className="text-accent">●</span> inclusion path (thick)
        </span>
        <span>
          <span className="text-amber-400">◌</span> proof sibling (dashed ring)
        </span>
        <span>▭ subtree outside this window</span>
        {scrolls && <span className="text-ink">Scroll sideways for the rest of this window →</span>}
      </p>
    </div>
  );
}
