// What `npm run keys:rotate` and `npm run keys:backup` do, given an open store and the key
// material; the CLI (src/keys-cli.ts) parses arguments and supplies the terminal.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Store } from '../store/db.ts';
import { DataKeysRepo } from '../store/data-keys.repo.ts';
import { readKeyFiles, restoreKeyFiles, type KeyMaterial } from '../store/key-files.ts';
import { SealedFieldsRepo } from '../store/sealed-fields.repo.ts';
import { BackupError, checkBackup, openBackup, sealBackup, type BackupContents } from './backup.ts';
import { KeyRotation, type KeyStatus } from './rotation.ts';
import type { ScryptParams } from '../crypto/passphrase.ts';

export interface CommandIo {
  /** Prints one line for the operator. */
  say: (line: string) => void;
  /** Asks for the backup passphrase; `confirm` asks twice (making a backup). */
  passphrase: (confirm: boolean) => Promise<string>;
  now: () => number;
}

export interface KeyContext {
  config: Config;
  store: Store;
  keys: KeyMaterial;
  keyring: Keyring;
  io: CommandIo;
}

function rotationFor(ctx: KeyContext): KeyRotation {
  return new KeyRotation({
    dataKeys: new DataKeysRepo(ctx.store.db),
    sealed: new SealedFieldsRepo(ctx.store.db),
    keyring: ctx.keyring,
    masterKey: ctx.keys.masterKey,
    rotationDays: ctx.config.encryptionKeyRotationDays,
    now: ctx.io.now,
  });
}

function statusLines(status: KeyStatus): string[] {
  return [
    `current data key: ${status.currentKeyId}; next rotation due ${new Date(status.nextRotationAt).toISOString()}`,
    ...status.keys.map(
      (k) =>
        `  key ${k.id}: created ${new Date(k.createdAt).toISOString()}, ` +
        (k.retiredAt === null ? 'in use' : `retired ${new Date(k.retiredAt).toISOString()}`) +
        `, ${k.references} stored values`,
    ),
    `re-encryption: ${status.sealedValues - status.remaining}/${status.sealedValues} values under key ${status.currentKeyId}, ${status.remaining} to go`,
  ];
}

/**
 * `keys:rotate`: a new data key, then every value under an older key re-encrypted (`resume`:
 * only the re-encryption, after an interruption; `status`: only the report).
 */
export async function rotateDataKeys(
  ctx: KeyContext,
  mode: 'rotate' | 'resume' | 'status',
): Promise<KeyStatus> {
  const rotation = rotationFor(ctx);
  if (mode === 'status') {
    const status = await rotation.status();
    statusLines(status).forEach((line) => ctx.io.say(line));
    return status;
  }
  if (mode === 'rotate') {
    ctx.io.say(`new data key ${await rotation.rotate()}; running servers load it within a minute`);
  } else {
    await rotation.reload();
  }
  const total = (await rotation.status()).remaining;
  const result = await rotation.reencrypt({
    onProgress: (p) => ctx.io.say(`re-encrypted ${p.rewritten}/${total} values`),
  });
  if (result.skipped > 0) {
    ctx.io.say(`${result.skipped} values were changed meanwhile or did not decrypt; run again`);
  }
  const retired = await rotation.retireUnused();
  if (retired.length > 0) ctx.io.say(`retired data keys ${retired.join(', ')}`);
  const status = await rotation.status();
  statusLines(status).forEach((line) => ctx.io.say(line));
  return status;
}

async function backupContents(ctx: KeyContext): Promise<BackupContents> {
  const dataKeys = await new DataKeysRepo(ctx.store.db).list();
  return {
    master_key: ctx.keys.masterKey.toString('base64'),
    data_keys: dataKeys.map((k) => ({
      id: k.id,
      wrapped: k.wrapped,
      created_at: k.createdAt,
      retired_at: k.retiredAt,
    })),
    files: readKeyFiles(ctx.config),
  };
}

/** `keys:backup`: writes the sealed backup to `out` (mode 0600, never over an existing file). */
export async function writeBackup(
  ctx: KeyContext,
  out: string,
  params?: ScryptParams,
): Promise<void> {
  if (existsSync(out)) throw new BackupError(`${out} exists; choose another file with --out`);
  const contents = await backupContents(ctx);
  const passphrase = await ctx.io.passphrase(true);
  const text = sealBackup(contents, passphrase, {
    now: ctx.io.now(),
    ...(params === undefined ? {} : { params }),
  });
  writeFileSync(out, text, { mode: 0o600, flag: 'wx' });
  ctx.io.say(`wrote ${out} (mode 0600): ${checkBackup(contents)}`);
  ctx.io.say('keep it and its passphrase apart from the server; check it with --verify');
}

/** `keys:backup -- --verify FILE`: opens the backup and checks that the keys in it work. */
export async function verifyBackup(io: CommandIo, file: string): Promise<BackupContents> {
  const contents = openBackup(readBackupFile(file), await io.passphrase(false));
  io.say(`${file} is a valid key backup: ${checkBackup(contents)}`);
  return contents;
}

/**
 * `keys:backup -- --restore FILE`: writes the key files that are missing (never over different
 * ones) and puts back the data keys the database lacks. Runs before any key is loaded, so a
 * fresh machine does not make a master key of its own first.
 */
export async function restoreBackup(
  ctx: Pick<KeyContext, 'config' | 'store' | 'io'>,
  file: string,
): Promise<void> {
  const contents = await verifyBackup(ctx.io, file);
  const master = Buffer.from(contents.master_key, 'base64');
  const written = restoreKeyFiles(ctx.config, master, contents.files);
  const repo = new DataKeysRepo(ctx.store.db);
  const present = new Map((await repo.list()).map((k) => [k.id, k.wrapped]));
  let added = 0;
  for (const key of contents.data_keys) {
    const existing = present.get(key.id);
    if (existing === undefined) {
      if (await repo.insert(key.id, key.wrapped, key.created_at)) added += 1;
    } else if (existing !== key.wrapped) {
      throw new BackupError(`the database holds another data key ${key.id} than the backup`);
    }
  }
  ctx.io.say(`restored ${written.length} key files and ${added} data keys`);
}

function readBackupFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new BackupError(`cannot read ${file}`);
  }
}
