// Operator key commands: the key backup round trip on every test database (write, verify, restore
// into an empty directory and database), and `keys:rotate` / `keys:backup` run as processes.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { SCRYPT_MINIMUM } from '../src/crypto/passphrase.ts';
import {
  restoreBackup,
  verifyBackup,
  writeBackup,
  type CommandIo,
  type KeyContext,
} from '../src/keys/commands.ts';
import { provision } from '../src/provision.ts';
import { DataKeysRepo, openKeyring } from '../src/store/data-keys.repo.ts';
import { ensureKeyMaterial, readKeyFiles } from '../src/store/key-files.ts';
import { userFieldContext } from '../src/store/sealed-fields.repo.ts';
import { UsersRepo } from '../src/store/users.repo.ts';
import { FAST_HASHER, openTestApp, type TestApp } from './support/app.ts';
import { ROOT } from './support/process.ts';
import { storeFactories, type TestStore } from './support/stores.ts';

const PASS = 'a backup passphrase of several words';

function recordingIo(passphrase = PASS): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    say: (line) => lines.push(line),
    passphrase: () => Promise.resolve(passphrase),
    now: () => Date.UTC(2026, 10, 22, 19, 0, 0),
  };
}

describe.each(storeFactories())('key backup on $name', (factory) => {
  let t: TestApp;
  let elsewhere: TestStore | undefined;
  let dir: string;

  beforeEach(async () => {
    t = await openTestApp(factory);
    dir = mkdtempSync(join(tmpdir(), 'sse-backup-'));
  });
  afterEach(async () => {
    await t.close();
    await elsewhere?.dispose();
    elsewhere = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function context(io: CommandIo): Promise<KeyContext> {
    const { keys } = ensureKeyMaterial(t.config);
    const keyring = await openKeyring(t.store.db, keys.masterKey, io.now());
    return { config: t.config, store: t.store, keys, keyring, io };
  }

  it('writes a 0600 backup that verifies and restores every key on an empty machine', async () => {
    await t.exchange.keyRotation.rotate();
    const io = recordingIo();
    const file = join(dir, 'keys.backup.json');
    await writeBackup(await context(io), file, SCRYPT_MINIMUM);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(io.lines[0]).toMatch(
      /^wrote .*keys\.backup\.json \(mode 0600\): master key opens data keys 1, 2; key files: ecdsa-p256\.pem, rsa-2048\.pem/,
    );
    await expect(writeBackup(await context(io), file, SCRYPT_MINIMUM)).rejects.toThrow(/exists/);

    const verified = await verifyBackup(io, file);
    expect(verified.data_keys.map((k) => k.id)).toEqual([1, 2]);

    // An empty machine: no key files, a fresh database.
    const config = loadConfig({ DATA_DIR: join(dir, 'restored') }, dir);
    elsewhere = await factory.open();
    await restoreBackup({ config, store: elsewhere.store, io }, file);
    expect(io.lines.at(-1)).toMatch(/^restored \d+ key files and 2 data keys$/);
    expect(readKeyFiles(config)).toEqual(readKeyFiles(t.config));
    expect(statSync(config.masterKeyPath).mode & 0o777).toBe(0o600);
    const restored = ensureKeyMaterial(config).keys;
    expect(restored.masterKey.equals(ensureKeyMaterial(t.config).keys.masterKey)).toBe(true);
    // The restored keys open what the original database sealed.
    const ring = await openKeyring(elsewhere.store.db, restored.masterKey, 0);
    expect(ring.currentKeyId).toBe(2);
    const original = await openKeyring(t.store.db, restored.masterKey, 0);
    const sealed = original.seal(userFieldContext('email_enc', 1), 'a@example.com');
    expect(ring.openOwn(userFieldContext('email_enc', 1), sealed)).toBe('a@example.com');
    expect((await new DataKeysRepo(elsewhere.store.db).list()).map((k) => k.wrapped)).toEqual(
      (await new DataKeysRepo(t.store.db).list()).map((k) => k.wrapped),
    );
    // Restoring again changes nothing; a different master key on disk is never overwritten.
    await restoreBackup({ config, store: elsewhere.store, io }, file);
    expect(io.lines.at(-1)).toBe('restored 0 key files and 0 data keys');
    writeFileSync(config.masterKeyPath, Buffer.alloc(32, 1).toString('base64') + '\n');
    await expect(restoreBackup({ config, store: elsewhere.store, io }, file)).rejects.toThrow(
      /exists with other contents/,
    );
  });

  it('refuses a wrong passphrase and a modified file with a clear message', async () => {
    const file = join(dir, 'keys.backup.json');
    await writeBackup(await context(recordingIo()), file, SCRYPT_MINIMUM);
    await expect(verifyBackup(recordingIo('not the passphrase at all'), file)).rejects.toThrow(
      'the backup does not open: wrong passphrase, or the file was modified',
    );
    const text = readFileSync(file, 'utf8');
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, text.replace(/"created_at": "2026/, '"created_at": "2025'));
    await expect(verifyBackup(recordingIo(), tampered)).rejects.toThrow(
      /wrong passphrase, or the file was modified/,
    );
  });
});

describe('keys:rotate and keys:backup as processes', () => {
  const run = promisify(execFile);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sse-keys-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', 'src/keys-cli.ts', ...args],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data') } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('rotates with progress, backs up and verifies, and refuses bad passphrases', async () => {
    const config = loadConfig({ DATA_DIR: join(dir, 'data') }, dir);
    const { store, keyring } = await provision(config, {
      showOnce: () => undefined,
      now: Date.now,
      hasher: FAST_HASHER,
    });
    const users = new UsersRepo(store.db);
    for (const name of ['ann', 'bob']) {
      const user = await users.insert({
        username: name,
        username_key: name,
        password_hash: '!',
        role: 'user',
        created_at: 1,
        updated_at: 1,
      });
      await users.update(user.id, {
        email_enc: keyring.seal(userFieldContext('email_enc', user.id), `${name}@example.com`),
        full_name_enc: keyring.seal(userFieldContext('full_name_enc', user.id), name),
      });
    }
    await store.close();

    const rotated = await cli(['rotate']);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('new data key 2; running servers load it within a minute');
    expect(rotated.stdout).toContain('re-encrypted 4/4 values');
    expect(rotated.stdout).toMatch(/key 1: created .*, in use, 0 stored values/);
    expect(rotated.stdout).toContain('re-encryption: 4/4 values under key 2, 0 to go');

    const passFile = join(dir, 'pass');
    writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
    const out = join(dir, 'backup.json');
    const backup = await cli(['backup', '--out', out, '--passphrase-file', passFile]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`wrote ${out} (mode 0600)`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const verify = await cli(['backup', '--verify', out, '--passphrase-file', passFile]);
    expect(verify.stdout).toContain(
      `${out} is a valid key backup: master key opens data keys 1, 2`,
    );

    writeFileSync(passFile, 'wrong passphrase, long enough\n');
    const wrong = await cli(['backup', '--verify', out, '--passphrase-file', passFile]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'error: the backup does not open: wrong passphrase, or the file was modified\n',
    );
    writeFileSync(passFile, 'short\n');
    const short = await cli([
      'backup',
      '--out',
      join(dir, 'b2.json'),
      '--passphrase-file',
      passFile,
    ]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^error: the passphrase must have at least 12 characters/);
  }, 60_000);
});
