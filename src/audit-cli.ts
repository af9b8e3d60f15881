// `npm run audit:verify -- --db <copy> --public-key <pem>`: verifies an audit log offline, with
// nothing but a copy of the database and the audit public key (GET /api/audit/tree-head serves
// it as `public_key`). The same check as GET /api/crypto/merkle/integrity. Exits 0 if the log
// holds, 1 if it does not, 2 on a usage or input error.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkIntegrity, OFFLINE_PACE } from './audit/integrity.ts';
import { AuditRepo } from './store/audit.repo.ts';
import { openStore } from './store/db.ts';

const USAGE =
  'usage: npm run audit:verify -- --db <sqlite file | sqlite:path | postgres://…> --public-key <audit public key PEM>\n';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function databaseUrl(db: string): string {
  if (/^(sqlite|postgres|postgresql):/.test(db)) return db;
  const path = resolve(db);
  if (!existsSync(path)) fail(`no database file at ${path}`);
  return `sqlite:${path}`;
}

function publicKey(path: string): KeyObject {
  try {
    const key = createPublicKey(readFileSync(path));
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') fail(`${path} is not a P-256 key`);
    return key;
  } catch (error) {
    fail(`cannot read a public key from ${path}: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  let values: { db?: string | undefined; 'public-key'?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { db: { type: 'string' }, 'public-key': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.db === undefined || values['public-key'] === undefined)
    fail('both options are required');
  const key = publicKey(values['public-key']);
  const store = await openStore(databaseUrl(values.db), { readonly: true });
  try {
    const started = performance.now();
    // Alone in this process: nothing to share the event loop with.
    const report = await checkIntegrity(new AuditRepo(store.db), key, OFFLINE_PACE);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const out = process.stdout;
    out.write(`leaves:         ${report.treeSize}\n`);
    out.write(`root:           ${report.rootHash.toString('hex')}\n`);
    out.write(`signed heads:   ${report.headsChecked} checked`);
    out.write(
      report.latestHead === undefined
        ? ' (none)\n'
        : `, latest at size ${report.latestHead.treeSize}\n`,
    );
    out.write(`time:           ${seconds} s\n`);
    if (report.failure === undefined) {
      out.write('result:         OK — every leaf, signed head and recorded row matches\n');
      return 0;
    }
    const { index, record, reason } = report.failure;
    out.write(
      `result:         FAILED at leaf ${index ?? '-'}${record === undefined ? '' : ` (${record})`}\n`,
    );
    out.write(`reason:         ${reason}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
