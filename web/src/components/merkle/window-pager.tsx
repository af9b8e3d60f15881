// Paging through a tree's leaves one window at a time: previous, next, and jump to a leaf.

import { useState, type FormEvent } from 'react';
import type { LeafWindow } from '../../merkle/tree-shape.ts';
import { Button } from '../form.tsx';

/** Leaves drawn at once: a power of two, so each window is one subtree. */
export const WINDOW_LEAVES = 32;

export function WindowPager(props: {
  size: number;
  window: LeafWindow;
  onStart(start: number): void;
  onJump(leaf: number): void;
}) {
  const { size, window } = props;
  const [jump, setJump] = useState('');
  const last = Math.min(window.start + window.span, size) - 1;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const leaf = Number(jump);
    if (Number.isInteger(leaf) && leaf >= 0 && leaf < size) props.onJump(leaf);
  };
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <Button
        disabled={window.start === 0}
        onClick={() => props.onStart(window.start - window.span)}
      >
        ‹ Previous
      </Button>
      <span className="num text-dim" data-testid="window-range">
        leaves {window.start}–{last} of {size}
      </span>
      <Button disabled={last >= size - 1} onClick={() => props.onStart(window.start + window.span)}>
        Next ›
      </Button>
      <form className="ml-auto flex items-center gap-2" onSubmit={submit}>
        <label className="flex items-center gap-2 text-dim">
          Jump to leaf
          <input
            type="number"
            min={0}
            max={size - 1}
            value={jump}
            onChange={(event) => setJump(event.target.value)}
            className="num w-28 rounded border border-edge bg-page px-2 py-1 text-ink"
          />
        </label>
        <Button type="submit">Go</Button>
      </form>
    </div>
  );
}
