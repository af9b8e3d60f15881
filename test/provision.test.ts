import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/auth/password.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { KeyFileError } from '../src/store/key-files.ts';
import { provision } from '../src/provision.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { SymbolsRepo } from '../src/store/symbols.repo.ts';

// Cheap parameters keep the test fast; the production parameters are tested in password.test.ts.
const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

describe('provision', () => {
  let dir: string;
  let config: Config;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-provision-'));
    config = loadConfig({ DATA_DIR: join(dir, 'data') }, dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates keys (0600), database, admin and listings once, and reuses them after', async () => {
    const shown: string[] = [];
    const first = await provision(config, { showOnce: (t) => shown.push(t), now: () => 1, hasher });
    expect(first.report.adminCreated).toBe(true);
    expect(first.report.keyFilesCreated).toHaveLength(5);
    expect(first.report.symbolsListed).toBe(10);
    for (const file of [
      'master.key',
      'ecdsa-p256.pem',
      'rsa-2048.pem',
      'audit-p256.pem',
      'crypto-api-p256.pem',
    ]) {
      expect(statSync(join(config.keysDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(config.dataDir).mode & 0o777).toBe(0o700);
    expect(first.keys.masterKey).toHaveLength(32);
    expect(first.keys.signing.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(first.keys.rsa.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    expect(shown).toHaveLength(1);
    const password = /Password: (\S+)/.exec(shown[0] ?? '')?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const admin = await new UsersRepo(first.store.db).findByUsername('admin');
    expect(admin).toMatchObject({ role: 'admin', must_change_password: 1 });
    expect(await hasher.verify(admin?.password_hash, password ?? '')).toBe(true);
    const masterKey = readFileSync(config.masterKeyPath, 'utf8');
    await first.store.close();

    const second = await provision(config, {
      showOnce: (t) => shown.push(t),
      now: () => 2,
      hasher,
    });
    expect(second.report).toEqual({
      keyFilesCreated: [],
      migrationsApplied: [],
      adminCreated: false,
      symbolsListed: 0,
    });
    expect(shown).toHaveLength(1);
    expect(readFileSync(config.masterKeyPath, 'utf8')).toBe(masterKey);
    expect(second.keys.masterKey.equals(first.keys.masterKey)).toBe(true);
    expect(await new UsersRepo(second.store.db).count()).toBe(1);
    expect(await new SymbolsRepo(second.store.db).list()).toHaveLength(10);
    await second.store.close();
  });

  it('uses ADMIN_PASSWORD when set and shows nothing', async () => {
    config = { ...config, adminPassword: 'operator chosen passphrase' };
    const shown: string[] = [];
    const { store } = await provision(config, {
      showOnce: (t) => shown.push(t),
      now: () => 1,
      hasher,
    });
    const admin = await new UsersRepo(store.db).findByUsername('admin');
    expect(await hasher.verify(admin?.password_hash, 'operator chosen passphrase')).toBe(true);
    expect(admin?.must_change_password).toBe(1);
    expect(shown).toEqual([]);
    await store.close();
  });

  it('refuses a master key file that others can read', async () => {
    const { store } = await provision(config, { showOnce: () => undefined, now: () => 1, hasher });
    await store.close();
    chmodSync(config.masterKeyPath, 0o644);
    await expect(
      provision(config, { showOnce: () => undefined, now: () => 1, hasher }),
    ).rejects.toThrow(KeyFileError);
    await expect(
      provision(config, { showOnce: () => undefined, now: () => 1, hasher }),
    ).rejects.toThrow(/mode 0644; key files must be 0600/);
  });

  it('takes the master key from MASTER_KEY and then makes and reads no master key file', async () => {
    const masterKey = Buffer.alloc(32, 5);
    config = loadConfig(
      { DATA_DIR: join(dir, 'data'), MASTER_KEY: masterKey.toString('base64') },
      dir,
    );
    const first = await provision(config, { showOnce: () => undefined, now: () => 1, hasher });
    expect(first.keys.masterKey.equals(masterKey)).toBe(true);
    expect(first.report.keyFilesCreated.map((f) => basename(f))).toContain('ecdsa-p256.pem');
    expect(first.report.keyFilesCreated).not.toContain(config.masterKeyPath);
    expect(existsSync(config.masterKeyPath)).toBe(false);
    await first.store.close();
    // The data keys are wrapped by that key: another one does not open them.
    const other = { ...config, masterKey: Buffer.alloc(32, 6) };
    await expect(
      provision(other, { showOnce: () => undefined, now: () => 2, hasher }),
    ).rejects.toThrow(/data key 1 does not open with this master key/);
  });

  it('names DATABASE_URL when the database cannot be reached', async () => {
    config = { ...config, databaseUrl: 'postgres://nobody:pw@127.0.0.1:1/none' };
    await expect(
      provision(config, { showOnce: () => undefined, now: () => 1, hasher }),
    ).rejects.toThrow(/^DATABASE_URL: cannot open postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
  });
});
