// `npm run attack` against a real server with the default defenses: every attack must be
// blocked or detected, and the command must exit 0.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../tools/attack/index.ts';
import { ROOT, freePort, runServer, waitForHealth, type Running } from './support/process.ts';

describe('npm run attack', () => {
  let server: Running | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.stop('SIGTERM');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every attack blocked or detected against the default configuration', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sse-attack-'));
    const port = await freePort();
    server = runServer({ DATA_DIR: join(dir, 'data'), LOG_FILE: 'off', PORT: String(port) });
    expect((await waitForHealth(port, server)).status).toBe(200);
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/attack/index.ts',
        '--target',
        `http://127.0.0.1:${port}`,
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 150_000 },
    );
    const results = JSON.parse(run.stdout) as { attack: string; verdict: string }[];
    expect(results.map((r) => r.attack)).toEqual(SCENARIOS.map((s) => s.name));
    for (const r of results)
      expect(['BLOCKED', 'DETECTED'], `${r.attack}: ${r.verdict}`).toContain(r.verdict);
    // With the default limits, the guessing attacks and the flood are stopped, not only seen.
    const verdicts = Object.fromEntries(results.map((r) => [r.attack, r.verdict]));
    expect(verdicts['brute-force']).toBe('BLOCKED');
    expect(verdicts['credential-stuffing']).toBe('BLOCKED');
    expect(verdicts['x-forwarded-for']).toBe('BLOCKED');
    expect(verdicts.flood).toBe('BLOCKED');
    expect(verdicts['nonce-exhaustion']).toBe('BLOCKED');
    expect(verdicts['ws-exhaustion']).toBe('BLOCKED');
    expect(verdicts['stolen-token-api-key']).toBe('BLOCKED');
    expect(run.status).toBe(0);
  }, 180_000);
});
