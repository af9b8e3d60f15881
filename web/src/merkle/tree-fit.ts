// How wide a Merkle tree window's columns are drawn: as wide as reads best, narrower to fit the
// panel, but never so narrow that leaf numbers run into each other; past that the view scrolls.
// Pure; widths are CSS pixels.

export const MARGIN = 28;
export const WIDEST_COLUMN = 38;
/** A leaf's circle (and its selected ring) needs this much. */
const NARROWEST_COLUMN = 22;
/** Width of one digit of the 9px monospace labels, and a gap between neighbours. */
const DIGIT = 5.6;
const GAP = 4;

/** Columns narrower than this leave out the short leaf hash under each leaf number. */
export const HASH_LABEL_COLUMN = 30;

/** `span` is the distance from the first column to the last, in columns. */
export function columnWidth(available: number, span: number, widestLeaf: number): number {
  const label = String(widestLeaf).length * DIGIT + GAP;
  const narrowest = Math.max(NARROWEST_COLUMN, Math.ceil(label));
  const fitting = Math.floor((available - 2 * MARGIN) / Math.max(1, span));
  return Math.max(narrowest, Math.min(WIDEST_COLUMN, fitting));
}

/** The drawing's width for columns `column` apart over `span` columns. */
export const treeWidth = (span: number, column: number) => span * column + 2 * MARGIN;
