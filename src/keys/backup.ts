// The key backup file: the master key, the wrapped data keys and the key pair files, as JSON
// sealed under a passphrase (scrypt + AES-256-GCM, see crypto/passphrase.ts). Format, cost and
// creation time are in the clear and authenticated; everything secret is inside the box.

import { createPrivateKey } from 'node:crypto';
import { Keyring, KeyringError } from '../crypto/keyring.ts';
import {
  openWithPassphrase,
  sealWithPassphrase,
  type PassphraseBox,
  type ScryptParams,
} from '../crypto/passphrase.ts';
import { StartupError } from '../config.ts';
import type { KeyFile } from '../store/key-files.ts';

export const BACKUP_FORMAT = 'sse-key-backup';
export const BACKUP_VERSION = 1;
/** Shortest passphrase accepted for a backup: it is all that protects every key. */
export const MIN_PASSPHRASE_LENGTH = 12;

export interface BackupDataKey {
  readonly id: number;
  readonly wrapped: string;
  readonly created_at: number;
  readonly retired_at: number | null;
}

/** What the box holds (the plaintext JSON). */
export interface BackupContents {
  /** base64 of the 32-byte master key. */
  readonly master_key: string;
  readonly data_keys: readonly BackupDataKey[];
  /** PEM files by their name in the keys directory. */
  readonly files: readonly KeyFile[];
}

export type BackupFile = {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly created_at: string;
} & PassphraseBox;

export class BackupError extends StartupError {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** The authenticated label: a box cannot be passed off as another format, version or date. */
const label = (createdAt: string): string => `${BACKUP_FORMAT}/${BACKUP_VERSION}/${createdAt}`;

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new BackupError(
      `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters (a few random words)`,
    );
  }
}

/** The backup file's text. */
export function sealBackup(
  contents: BackupContents,
  passphrase: string,
  options: { now: number; params?: ScryptParams },
): string {
  checkPassphrase(passphrase);
  const createdAt = new Date(options.now).toISOString();
  const box = sealWithPassphrase(
    passphrase,
    Buffer.from(JSON.stringify(contents), 'utf8'),
    label(createdAt),
    options.params === undefined ? {} : { params: options.params },
  );
  const file: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created_at: createdAt,
    ...box,
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Opens a backup file's text; every failure is a BackupError saying what is wrong. */
export function openBackup(text: string, passphrase: string): BackupContents {
  let file: BackupFile;
  try {
    file = JSON.parse(text) as BackupFile;
  } catch {
    throw new BackupError('this is not a key backup file (not JSON)');
  }
  if (
    typeof file !== 'object' ||
    file === null ||
    file.format !== BACKUP_FORMAT ||
    typeof file.created_at !== 'string' ||
    typeof file.kdf !== 'object' ||
    typeof file.cipher !== 'object'
  ) {
    throw new BackupError(`this is not a ${BACKUP_FORMAT} file`);
  }
  if (file.version !== BACKUP_VERSION) {
    throw new BackupError(`backup version ${String(file.version)} is not supported`);
  }
  const opened = openWithPassphrase(passphrase, file, label(file.created_at));
  if (!opened.ok) {
    throw new BackupError(
      opened.code === 'auth-failed'
        ? 'the backup does not open: wrong passphrase, or the file was modified'
        : opened.code === 'weak-parameters'
          ? 'the backup names scrypt parameters weaker than allowed: the file was modified'
          : 'the backup file is damaged (a field is not valid base64)',
    );
  }
  return JSON.parse(opened.plaintext.toString('utf8')) as BackupContents;
}

/**
 * Checks that the contents are usable: the master key opens every data key and every file is a
 * private key. Returns a one-line summary.
 */
export function checkBackup(contents: BackupContents): string {
  const master = Buffer.from(contents.master_key, 'base64');
  if (master.length !== 32) throw new BackupError('the backup holds no 256-bit master key');
  try {
    new Keyring(master, contents.data_keys);
  } catch (error) {
    throw error instanceof KeyringError ? new BackupError(error.message) : error;
  }
  for (const file of contents.files) {
    try {
      createPrivateKey(file.contents);
    } catch {
      throw new BackupError(`${file.name} in the backup is not a private key`);
    }
  }
  return (
    `master key opens data keys ${contents.data_keys.map((k) => k.id).join(', ')}; ` +
    `key files: ${contents.files.map((f) => f.name).join(', ')}`
  );
}
