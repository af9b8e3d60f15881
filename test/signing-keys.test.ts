import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessTokens } from '../src/auth/access-tokens.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { ensureKeyMaterial, rotateSigningKey } from '../src/store/key-files.ts';

const TTL_MS = 15 * 60_000;

describe('signing key rotation', () => {
  let dir: string;
  let config: Config;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-keys-'));
    config = loadConfig({ DATA_DIR: dir }, dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tokensAt(now: number): Promise<AccessTokens> {
    const { keys } = ensureKeyMaterial(config, { now, verifyForMs: TTL_MS });
    return AccessTokens.create([keys.signing, ...keys.retiredSigning], TTL_MS / 1000, () => now);
  }

  it('signs with the new kid, verifies old tokens until they expire, then forgets the old key', async () => {
    const t0 = 1_800_000_000_000;
    const before = await tokensAt(t0);
    const old = await before.issue({
      userId: 7,
      role: 'user',
      sessionId: 's',
      passwordChangeRequired: false,
    });

    rotateSigningKey(config, t0 + 1000);
    const after = await tokensAt(t0 + 2000);
    expect(after.currentKid).not.toBe(before.currentKid);
    expect(after.jwks().keys.map((k) => k.kid)).toEqual([after.currentKid, before.currentKid]);
    expect((await after.verify(old.token))?.userId).toBe(7);
    const fresh = await after.issue({
      userId: 8,
      role: 'user',
      sessionId: 's',
      passwordChangeRequired: false,
    });
    expect(decodeProtectedHeader(fresh.token).kid).toBe(after.currentKid);

    const later = await tokensAt(t0 + 1000 + TTL_MS);
    expect(later.jwks().keys.map((k) => k.kid)).toEqual([after.currentKid]);
    expect(await later.verify(old.token)).toBeUndefined();
    expect(readdirSync(join(config.keysDir, 'retired'))).toEqual([]);
  });
});
