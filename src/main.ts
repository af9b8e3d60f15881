// Process entry: config -> provision -> app -> listen. A problem the operator must fix prints one
// line and exits with code 2; SIGTERM/SIGINT stop accepting, finish in-flight work and close.

import { StartupError, loadConfig, readEnvironment, type Config } from './config.ts';
import { buildApp } from './app.ts';
import { createLogger, createSecurityLogger } from './logging.ts';
import { provision } from './provision.ts';

const EXIT_STARTUP = 2;

function listenFailure(error: unknown, config: Config): StartupError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`PORT: ${config.port} is already in use on ${config.host}`);
  }
  if (code === 'EACCES') {
    return new StartupError(`PORT: no permission to listen on ${config.host}:${config.port}`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(`HOST: ${config.host} is not an address of this machine`);
  }
  return undefined;
}

async function start(): Promise<void> {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config);
  const securityLog = createSecurityLogger(config);
  const { store, keys, keyring, report } = await provision(config, {
    showOnce: (text) => process.stdout.write(text),
    now: Date.now,
  });
  logger.info(
    {
      dataDir: config.dataDir,
      database: store.dialect,
      keyFilesCreated: report.keyFilesCreated.length,
      migrationsApplied: report.migrationsApplied,
      adminCreated: report.adminCreated,
      symbolsListed: report.symbolsListed,
    },
    'exchange provisioned',
  );

  const app = await buildApp({ config, store, keys, keyring, logger, securityLog });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw listenFailure(error, config) ?? error;
  }

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    void (async () => {
      try {
        await app.close();
        await store.close();
        logger.info('shut down cleanly');
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      }
      logger.flush(() => process.exit());
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

start().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(EXIT_STARTUP);
  }
  process.stderr.write(
    `fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
