// The exchange's key files on disk: a 256-bit master key (unless MASTER_KEY gives it) and one
// key pair per purpose: access tokens, tree heads, and the crypto API (ECDSA P-256 and RSA-2048).
// No pair serves two purposes. Created once with mode 0600 (never overwritten); refused if
// readable by others.

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { StartupError } from '../config.ts';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface KeyMaterial {
  readonly masterKey: Buffer;
  /** Signs access tokens, and nothing else. */
  readonly signing: KeyPair;
  /** Signing keys replaced by a rotation, still verifying what they signed until it expires. */
  readonly retiredSigning: readonly KeyPair[];
  /**
   * Signs whatever a user sends to /api/crypto/sign. Any user can make it sign anything, so the
   * exchange trusts it for nothing: never tokens, tree heads or requests.
   */
  readonly cryptoApi: KeyPair;
  /** The crypto API's RSA-2048 pair, published for OAEP; trusted for nothing else either. */
  readonly rsa: KeyPair;
  /** Signs the audit log's tree heads; never rotated, so every head stays verifiable. */
  readonly audit: KeyPair;
}

export interface KeyPaths {
  readonly keysDir: string;
  readonly masterKeyPath: string;
  /** The master key from the environment (MASTER_KEY); then no master key file is made or read. */
  readonly masterKey?: Buffer | undefined;
}

/** A key file's name inside the keys directory and its text, as a backup holds it. */
export interface KeyFile {
  readonly name: string;
  readonly contents: string;
}

/** How long a retired signing key keeps verifying: the longest-lived token it may have signed. */
export interface RetiredKeyPolicy {
  readonly now: number;
  readonly verifyForMs: number;
}

export class KeyFileError extends StartupError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

const MASTER_KEY_BYTES = 32;
const AUDIT_KEY_FILE = 'audit-p256.pem';
const CRYPTO_API_KEY_FILE = 'crypto-api-p256.pem';

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
function signingKeyFiles(keysDir: string): { current: string; retiredDir: string } {
  return { current: join(keysDir, 'ecdsa-p256.pem'), retiredDir: join(keysDir, 'retired') };
}

/** Retired signing keys still inside their verification period; older ones are deleted. */
function loadRetiredSigningKeys(retiredDir: string, policy: RetiredKeyPolicy): KeyPair[] {
  if (!existsSync(retiredDir)) return [];
  const keys: { retiredAt: number; pair: KeyPair }[] = [];
  for (const name of readdirSync(retiredDir)) {
    const m = /^ecdsa-p256-(\d+)\.pem$/.exec(name);
    if (!m) continue;
    const retiredAt = Number(m[1]);
    const path = join(retiredDir, name);
    if (retiredAt + policy.verifyForMs <= policy.now) rmSync(path);
    else keys.push({ retiredAt, pair: loadKeyPair(path) });
  }
  return keys.sort((a, b) => b.retiredAt - a.retiredAt).map((k) => k.pair);
}

/**
 * Replaces the signing key with a new one. The old key moves to `retired/` and keeps verifying
 * for the retired-key period; new tokens use the new key.
 */
export function rotateSigningKey(paths: KeyPaths, now: number): void {
  const { current, retiredDir } = signingKeyFiles(paths.keysDir);
  mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  renameSync(current, join(retiredDir, `ecdsa-p256-${now}.pem`));
  writeSecretFile(current, generatePair('ec'));
}

/** The key files `ensureKeyMaterial` would create, because they are not there. */
export function missingKeyFiles(paths: KeyPaths): string[] {
  const signing = signingKeyFiles(paths.keysDir).current;
  const files = [
    ...(paths.masterKey === undefined ? [paths.masterKeyPath] : []),
    signing,
    join(paths.keysDir, 'rsa-2048.pem'),
    join(paths.keysDir, AUDIT_KEY_FILE),
    join(paths.keysDir, CRYPTO_API_KEY_FILE),
  ];
  return files.filter((file) => !existsSync(file));
}

export function ensureKeyMaterial(
  paths: KeyPaths,
  retired: RetiredKeyPolicy = { now: Date.now(), verifyForMs: 24 * 3_600_000 },
): { keys: KeyMaterial; created: string[] } {
  mkdirSync(paths.keysDir, { recursive: true, mode: 0o700 });
  const signingFiles = signingKeyFiles(paths.keysDir);
  const files = {
    master: paths.masterKeyPath,
    signing: signingFiles.current,
    rsa: join(paths.keysDir, 'rsa-2048.pem'),
    audit: join(paths.keysDir, AUDIT_KEY_FILE),
    cryptoApi: join(paths.keysDir, CRYPTO_API_KEY_FILE),
  };
  const created: string[] = [];
  if (paths.masterKey === undefined && !existsSync(files.master)) {
    writeSecretFile(files.master, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n');
    created.push(files.master);
  }
  for (const [path, kind] of [
    [files.signing, 'ec'],
    [files.rsa, 'rsa'],
    [files.audit, 'ec'],
    [files.cryptoApi, 'ec'],
  ] as const) {
    if (existsSync(path)) continue;
    writeSecretFile(path, generatePair(kind));
    created.push(path);
  }
  const keys: KeyMaterial = {
    masterKey: paths.masterKey ?? loadMasterKey(files.master),
    signing: loadKeyPair(files.signing),
    retiredSigning: loadRetiredSigningKeys(signingFiles.retiredDir, retired),
    cryptoApi: loadKeyPair(files.cryptoApi),
    rsa: loadKeyPair(files.rsa),
    audit: loadKeyPair(files.audit),
  };
  for (const [path, pair] of [
    [files.signing, keys.signing],
    [files.audit, keys.audit],
    [files.cryptoApi, keys.cryptoApi],
  ] as const) {
    if (pair.publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new KeyFileError(`${path} must hold an ECDSA P-256 private key`);
    }
  }
  if (keys.rsa.publicKey.asymmetricKeyDetails?.modulusLength !== 2048) {
    throw new KeyFileError(`${files.rsa} must hold an RSA-2048 private key`);
  }
  return { keys, created };
}

/** Names a backup may hold: the current key pairs, and retired signing keys. */
const KEY_FILE_NAME =
  /^(ecdsa-p256\.pem|rsa-2048\.pem|audit-p256\.pem|crypto-api-p256\.pem|retired\/ecdsa-p256-\d+\.pem)$/;

/** The key pair files as they are on disk (mode-checked), for a backup. */
export function readKeyFiles(paths: KeyPaths): KeyFile[] {
  const { current, retiredDir } = signingKeyFiles(paths.keysDir);
  const names = [
    current,
    join(paths.keysDir, 'rsa-2048.pem'),
    join(paths.keysDir, AUDIT_KEY_FILE),
    join(paths.keysDir, CRYPTO_API_KEY_FILE),
  ].map((p) => p.slice(paths.keysDir.length + 1));
  if (existsSync(retiredDir)) {
    for (const name of readdirSync(retiredDir).sort()) {
      if (KEY_FILE_NAME.test(`retired/${name}`)) names.push(`retired/${name}`);
    }
  }
  return names.map((name) => ({
    name,
    contents: readSecretFile(join(paths.keysDir, name)).toString('utf8'),
  }));
}

/**
 * Writes restored key files (mode 0600) and the master key file (unless MASTER_KEY is set).
 * A file already there with the same contents is left alone; one with other contents is never
 * overwritten: that is an error. Returns the paths written.
 */
export function restoreKeyFiles(
  paths: KeyPaths,
  masterKey: Buffer,
  files: readonly KeyFile[],
): string[] {
  const wanted: { path: string; contents: string }[] = files.map((file) => {
    if (!KEY_FILE_NAME.test(file.name)) {
      throw new KeyFileError(
        `the backup names an unexpected key file ${JSON.stringify(file.name)}`,
      );
    }
    return { path: join(paths.keysDir, file.name), contents: file.contents };
  });
  if (paths.masterKey !== undefined) {
    if (!paths.masterKey.equals(masterKey)) {
      throw new KeyFileError('MASTER_KEY differs from the master key in the backup');
    }
  } else {
    wanted.unshift({ path: paths.masterKeyPath, contents: masterKey.toString('base64') + '\n' });
  }
  for (const { path, contents } of wanted) {
    if (existsSync(path) && readSecretFile(path).toString('utf8') !== contents) {
      throw new KeyFileError(`${path} exists with other contents; move it away to restore`);
    }
  }
  const written: string[] = [];
  for (const { path, contents } of wanted) {
    if (existsSync(path)) continue;
    writeSecretFile(path, contents);
    written.push(path);
  }
  return written;
}
