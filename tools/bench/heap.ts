// Heap figures for the benchmarks. They need global.gc, which the npm scripts cannot switch on:
// a script started without --expose-gc runs itself again with it.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `heapUsed` after two full collections. */
export function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `main` in this process if it has global.gc, else the script at `scriptUrl` again with it. */
export function withGc(scriptUrl: string, main: () => unknown): void {
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
    void main();
    return;
  }
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(scriptUrl), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}
