// The exchange's key files on disk: a 256-bit master key, an ECDSA P-256 signing pair and an
// RSA-2048 pair. Created once with mode 0600 (never overwritten); refused if readable by others.

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StartupError } from '../config.ts';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface KeyMaterial {
  readonly masterKey: Buffer;
  readonly signing: KeyPair;
  readonly rsa: KeyPair;
}

export interface KeyPaths {
  readonly keysDir: string;
  readonly masterKeyPath: string;
}

export class KeyFileError extends StartupError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

const MASTER_KEY_BYTES = 32;

/** Writes `contents` to a new file with mode 0600; fails if the file already exists. */
function writeSecretFile(path: string, contents: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, contents, { mode: 0o600, flag: 'wx' });
}

function readSecretFile(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError(
      `${path} has mode ${mode.toString(8).padStart(4, '0')}; key files must be 0600 (run: chmod 600 ${path})`,
    );
  }
  return readFileSync(path);
}

function loadMasterKey(path: string): Buffer {
  const text = readSecretFile(path).toString('utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== text) {
    throw new KeyFileError(`${path} must hold a base64-encoded 256-bit key`);
  }
  return key;
}

function loadKeyPair(path: string): KeyPair {
  const privateKey = createPrivateKey(readSecretFile(path));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function generatePair(kind: 'ec' | 'rsa'): string {
  const { privateKey } =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Loads the key material, creating whatever is missing. Returns which files were created so
 * the caller can report a first start.
 */
export function ensureKeyMaterial(paths: KeyPaths): { keys: KeyMaterial; created: string[] } {
  mkdirSync(paths.keysDir, { recursive: true, mode: 0o700 });
  const files = {
    master: paths.masterKeyPath,
    signing: join(paths.keysDir, 'ecdsa-p256.pem'),
    rsa: join(paths.keysDir, 'rsa-2048.pem'),
  };
  const created: string[] = [];
  if (!existsSync(files.master)) {
    writeSecretFile(files.master, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n');
    created.push(files.master);
  }
  if (!existsSync(files.signing)) {
    writeSecretFile(files.signing, generatePair('ec'));
    created.push(files.signing);
  }
  if (!existsSync(files.rsa)) {
    writeSecretFile(files.rsa, generatePair('rsa'));
    created.push(files.rsa);
  }
  const keys: KeyMaterial = {
    masterKey: loadMasterKey(files.master),
    signing: loadKeyPair(files.signing),
    rsa: loadKeyPair(files.rsa),
  };
  if (keys.signing.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyFileError(`${files.signing} must hold an ECDSA P-256 private key`);
  }
  if (keys.rsa.publicKey.asymmetricKeyDetails?.modulusLength !== 2048) {
    throw new KeyFileError(`${files.rsa} must hold an RSA-2048 private key`);
  }
  return { keys, created };
}
