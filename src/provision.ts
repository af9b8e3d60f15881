// Brings an exchange's data directory to a runnable state, idempotently: key material, the
// migrated database, the first admin account and the initial listings. Safe to run every start.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { StartupError, redactUrl, type Config } from './config.ts';
import { PasswordHasher } from './auth/password.ts';
import { KeyringError, type Keyring } from './crypto/keyring.ts';
import { openKeyring } from './store/data-keys.repo.ts';
import { ensureKeyMaterial, missingKeyFiles, type KeyMaterial } from './store/key-files.ts';
import { initialListings } from './market/listings.ts';
import { openStore, type Store } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { SymbolsRepo } from './store/symbols.repo.ts';
import { UsersRepo } from './store/users.repo.ts';

export const ADMIN_USERNAME = 'admin';

export interface Provisioned {
  store: Store;
  keys: KeyMaterial;
  keyring: Keyring;
  /** What this run created, for the start-up log. Never contains a secret. */
  report: {
    keyFilesCreated: string[];
    migrationsApplied: string[];
    adminCreated: boolean;
    symbolsListed: number;
  };
}

export interface ProvisionOptions {
  /** Where the one-time admin password is shown; the console, never the log. */
  showOnce: (text: string) => void;
  now: () => number;
  hasher?: PasswordHasher;
}

/** A random password for the first admin: 128 bits, base64url. */
function randomAdminPassword(): string {
  return randomBytes(16).toString('base64url');
}

export async function provision(config: Config, options: ProvisionOptions): Promise<Provisioned> {
  // The data directory holds the database and the keys: nobody but the owner reads it.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Every node of a cluster must sign and verify with the same keys: one made up here would
  // split the cluster, so a cluster node starts only with the keys it was given.
  const missing = config.cluster === undefined ? [] : missingKeyFiles(config);
  if (missing.length > 0) {
    throw new StartupError(
      `CLUSTER=on: no key file ${missing.join(', ')}; run "npm run init" once (without CLUSTER=on), then copy DATA_DIR/keys (and MASTER_KEY_PATH) to every node`,
    );
  }
  const { keys, created } = ensureKeyMaterial(config, {
    now: options.now(),
    verifyForMs: config.accessTokenExpireMinutes * 60_000,
  });
  // A single process takes the writer lock; a cluster node leaves it to whichever node leads.
  const opening =
    config.cluster === undefined
      ? { writer: true }
      : { cluster: true, idleInTransactionMs: config.cluster.leaseMs };
  const store = await openStore(config.databaseUrl, {
    ...opening,
    schema: config.databaseSchema,
  }).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `DATABASE_URL: cannot open ${redactUrl(config.databaseUrl)} (${reason || 'no reason given'})`,
    );
  });
  try {
    const migrationsApplied = await migrateToLatest(store);
    const users = new UsersRepo(store.db);
    const now = options.now();
    let adminCreated = false;
    if ((await users.findByUsername(ADMIN_USERNAME)) === undefined) {
      const password = config.adminPassword ?? randomAdminPassword();
      const hasher = options.hasher ?? new PasswordHasher();
      await users.insert({
        username: ADMIN_USERNAME,
        username_key: ADMIN_USERNAME,
        email_enc: null,
        email_index: null,
        full_name_enc: null,
        password_hash: await hasher.hash(password),
        role: 'admin',
        must_change_password: 1,
        mfa_secret_enc: null,
        mfa_last_step: null,
        created_at: now,
        updated_at: now,
      });
      adminCreated = true;
      if (config.adminPassword === undefined) {
        options.showOnce(
          `Created the admin account. Username: ${ADMIN_USERNAME}  Password: ${password}\n` +
            'This password is shown only this once; it must be changed at the first login.\n',
        );
      }
    }
    const symbolsListed = await new SymbolsRepo(store.db).insertMissing(initialListings(now));
    const keyring = await openKeyring(store.db, keys.masterKey, now).catch((error: unknown) => {
      throw error instanceof KeyringError ? new StartupError(error.message) : error;
    });
    return {
      store,
      keys,
      keyring,
      report: { keyFilesCreated: created, migrationsApplied, adminCreated, symbolsListed },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
