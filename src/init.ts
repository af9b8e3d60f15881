// `npm run init`: provisions the data directory explicitly (keys, database, admin, listings)
// and exits. Idempotent: a second run changes nothing and says so.

import { StartupError, loadConfig, readEnvironment } from './config.ts';
import { provision } from './provision.ts';

async function init(): Promise<void> {
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
