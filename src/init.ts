// `npm run init`: provisions the data directory explicitly (keys, database, admin, listings)
// and exits; `-- --self-signed` also makes a development TLS certificate in DATA_DIR/tls.
// Idempotent: a second run changes nothing and says so.

import { join } from 'node:path';
import { StartupError, loadConfig, readEnvironment } from './config.ts';
import { provision } from './provision.ts';
import { SELF_SIGNED_DAYS, SELF_SIGNED_NAMES, makeSelfSignedCertificate } from './tls.ts';

const USAGE = 'usage: npm run init [-- --self-signed]';

function parseOptions(args: readonly string[]): { selfSigned: boolean } {
  let selfSigned = false;
  for (const arg of args) {
    if (arg === '--self-signed') selfSigned = true;
    else throw new StartupError(`unknown option ${JSON.stringify(arg)}; ${USAGE}`);
  }
  return { selfSigned };
}

/** A path as a `.env` value: quoted when dotenv would otherwise cut it at a space or `#`. */
function envValue(path: string): string {
  return /[\s#'"]/.test(path) ? `'${path}'` : path;
}

function selfSignedLines(dataDir: string): string[] {
  const made = makeSelfSignedCertificate(join(dataDir, 'tls'), Date.now());
  return [
    made.created
      ? `TLS certificate: created, self-signed for ${SELF_SIGNED_NAMES.join(', ')}, ` +
        `valid ${SELF_SIGNED_DAYS} days (for development only)`
      : `TLS certificate: ${made.certPath} and ${made.keyPath} already exist, not overwritten`,
    'to serve HTTPS, put these lines in .env:',
    `TLS_CERT=${envValue(made.certPath)}`,
    `TLS_KEY=${envValue(made.keyPath)}`,
  ];
}

async function init(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const config = loadConfig(readEnvironment());
  const { store, report } = await provision(config, {
    showOnce: (text) => process.stdout.write(text),
    now: Date.now,
  });
  await store.close();
  const lines = [
    `data directory: ${config.dataDir}`,
    `database: ${store.dialect}, ${report.migrationsApplied.length} migration(s) applied`,
    `key files created: ${report.keyFilesCreated.length === 0 ? 'none (all present)' : report.keyFilesCreated.join(', ')}`,
    `admin account: ${report.adminCreated ? 'created' : 'already present'}`,
    `symbols newly listed: ${report.symbolsListed}`,
    ...(options.selfSigned ? selfSignedLines(config.dataDir) : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

init().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
