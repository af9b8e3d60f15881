// The results as a fixed-width table (attack, attempts, detected, blocked, verdict) with each
// attack's notes below it, or as JSON.

import type { AttackResult } from './result.ts';

const COLUMNS = ['#', 'attack', 'attempts', 'detected', 'blocked', 'verdict'] as const;

export function table(results: readonly AttackResult[]): string {
  const rows = results.map((r, i) => [
    String(i + 1),
    r.attack,
    String(r.attempts),
    String(r.detected),
    String(r.blocked),
    r.verdict,
  ]);
  const widths = COLUMNS.map((title, c) =>
    Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)),
  );
  const numeric = new Set([0, 2, 3, 4]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) =>
        numeric.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const notes = results.map((r, i) => `${i + 1}. ${r.attack}: ${r.notes}`);
  return [
    line(COLUMNS),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...notes,
  ].join('\n');
}

export function json(results: readonly AttackResult[]): string {
  return JSON.stringify(results, null, 2);
}
