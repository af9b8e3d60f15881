// Process entry: config -> TLS files -> provision (which takes the database's writer lock) -> app
// -> listen, and the operator's control socket. A problem the operator must fix prints one line
// and exits with code 2; SIGTERM/SIGINT stop accepting, finish in-flight work and close. A writer
// lock lost while running (its PostgreSQL connection closed) stops trading and exits with code 3.

import { once } from 'node:events';
import type { Logger } from 'pino';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { StartupError, loadConfig, readEnvironment } from './config.ts';
import { buildExchange } from './app.ts';
import { runClusterNode } from './cluster/node.ts';
import { controlSocketPath } from './control/protocol.ts';
import { openControlSocket, type ControlSocket } from './control/server.ts';
import { createLogger, createSecurityLogger } from './logging.ts';
import { provision } from './provision.ts';
import { createHttpsRedirect, loadTls } from './tls.ts';

const EXIT_STARTUP = 2;
/** Another process may be the database's writer now: this one must not write again. */
const EXIT_WRITER_LOST = 3;

function listenFailure(
  error: unknown,
  variable: 'PORT' | 'TLS_REDIRECT_PORT',
  host: string,
  port: number,
): StartupError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`${variable}: ${port} is already in use on ${host}`);
  }
  if (code === 'EACCES') {
    return new StartupError(`${variable}: no permission to listen on ${host}:${port}`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(`HOST: ${host} is not an address of this machine`);
  }
  return undefined;
}

/** The plain-HTTP redirect for TLS_REDIRECT_PORT, listening. */
async function listenRedirect(host: string, port: number, httpsPort: number): Promise<Server> {
  const server = createHttpsRedirect(httpsPort, host);
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (error) {
    throw listenFailure(error, 'TLS_REDIRECT_PORT', host, port) ?? error;
  }
  return server;
}

async function start(): Promise<void> {
  const config = loadConfig(readEnvironment());
  // Before anything is written: a bad certificate must not leave a half-provisioned directory.
  const tls = loadTls(config);
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
  const deps = { config, store, keys, keyring, logger, securityLog, https: tls?.serverOptions };
  if (config.cluster !== undefined) {
    await startClusterNode(deps);
    return;
  }

  const exchange = await buildExchange(deps);
  const { app } = exchange;
  void store.writerLost?.then((error) => {
    exchange.venue.exchange.stop(`${error.message}: this process no longer writes the database`);
    logger.fatal({ err: error }, 'the writer lock was lost: trading stopped, exiting');
    logger.flush(() => process.exit(EXIT_WRITER_LOST));
  });
  let redirect: Server | undefined;
  let control: ControlSocket | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw listenFailure(error, 'PORT', config.host, config.port) ?? error;
  }
  if (tls !== undefined) {
    const { subject, subjectAltName, validTo } = tls;
    logger.info({ subject, subjectAltName, validTo }, 'serving HTTPS, TLS 1.3 minimum');
    if (validTo.getTime() <= Date.now()) {
      logger.warn({ validTo }, 'TLS_CERT has expired: clients will refuse the connection');
    }
  }
  try {
    control = await openControlSocket(controlSocketPath(config.dataDir), exchange.blocking, logger);
    logger.info({ path: control.path }, 'control socket listening (npm run security)');
  } catch (error) {
    // Trading goes on; only the operator's way in while HTTP is blocked is missing.
    logger.warn({ err: error }, 'no control socket: npm run security works only while stopped');
  }
  const redirectPort = config.tls?.redirectPort;
  if (redirectPort !== undefined) {
    const address = app.server.address();
    const httpsPort = typeof address === 'object' && address !== null ? address.port : config.port;
    try {
      redirect = await listenRedirect(config.host, redirectPort, httpsPort);
    } catch (error) {
      await control?.close();
      await app.close();
      await store.close();
      throw error;
    }
    const host = isIP(config.host) === 6 ? `[${config.host}]` : config.host;
    logger.info(`redirecting http://${host}:${redirectPort} to HTTPS with 308`);
  }

  onStopSignals(logger, 'no new connections, finishing in-flight requests', async () => {
    redirect?.close();
    redirect?.closeAllConnections();
    await control?.close();
    await app.close();
    await store.close();
  });
}

/**
 * CLUSTER=on: serve as a standby or as the leader, whichever the lease makes this node (see
 * src/cluster/node.ts). No TLS redirect port and no control socket here yet: a cluster sits
 * behind its load balancer, and the operator unblocks through any node's API.
 */
async function startClusterNode(deps: Parameters<typeof runClusterNode>[0]): Promise<void> {
  const { config, store, logger } = deps;
  const node = await runClusterNode(deps, async (app) => {
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      throw listenFailure(error, 'PORT', config.host, config.port) ?? error;
    }
  });
  onStopSignals(logger, 'handing the lease over, finishing in-flight requests', async () => {
    await node.close();
    await store.close();
  });
}

/** SIGTERM/SIGINT run `stop` once and exit; a second signal exits at once. */
function onStopSignals(logger: Logger, doing: string, stop: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, `shutting down: ${doing}`);
    void (async () => {
      try {
        await stop();
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
