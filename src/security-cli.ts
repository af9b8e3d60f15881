// `npm run security -- <command>`: the operator's IP-block commands, which work when HTTP cannot
// (with loopback itself blocked).
//   unblock IP   lifts the block on IP (an address, or an IPv6 /64)
//   list         the blocks in force
//   clear        lifts every block
// With the exchange running they go through its control socket (DATA_DIR/control.sock) and take
// effect at once. With none running, the database is opened as its writer, under the lock the
// exchange takes, and the stored (manual) blocks are changed there. Either way the change is an
// audited security event. Exits 0 on success, 1 when refused (not blocked), 2 on a usage error.

import { StartupError, loadConfig, readEnvironment, redactUrl, type Config } from './config.ts';
import { AuditLog } from './audit/log.ts';
import { askControlSocket } from './control/client.ts';
import { controlSocketPath, type ControlAnswer, type ControlCommand } from './control/protocol.ts';
import { runCommand } from './control/server.ts';
import { AddressBlocks } from './defense/address-blocks.ts';
import { LocalIpBlocks } from './defense/ip-blocks.ts';
import { SecurityEvents } from './defense/security-events.ts';
import { AuditRepo } from './store/audit.repo.ts';
import { openStore } from './store/db.ts';
import { IpBlocksRepo } from './store/ip-blocks.repo.ts';
import { ensureKeyMaterial } from './store/key-files.ts';
import { migrateToLatest } from './store/migrate.ts';
import { SecurityEventsRepo } from './store/security-events.repo.ts';
import { WriterLockHeld } from './store/writer-lock.ts';

const USAGE = `usage:
  npm run security -- unblock IP
  npm run security -- list
  npm run security -- clear
`;

function commandOf(argv: readonly string[]): ControlCommand | undefined {
  const [name, ...rest] = argv;
  if (name === 'unblock' && rest.length === 1 && rest[0] !== undefined)
    return { command: 'unblock', ip: rest[0] };
  if ((name === 'list' || name === 'clear') && rest.length === 0) return { command: name };
  return undefined;
}

/** Runs the command on the database itself, as its one writer: no exchange is running. */
async function runOnDatabase(config: Config, command: ControlCommand): Promise<ControlAnswer> {
  const store = await openStore(config.databaseUrl, {
    writer: true,
    schema: config.databaseSchema,
  }).catch((error: unknown) => {
    if (error instanceof WriterLockHeld) {
      throw new StartupError(
        `the exchange holds ${redactUrl(config.databaseUrl)} but does not answer on ` +
          `${controlSocketPath(config.dataDir)}: is its DATA_DIR the same as this one's?`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `DATABASE_URL: cannot open ${redactUrl(config.databaseUrl)} (${reason})`,
    );
  });
  try {
    await migrateToLatest(store);
    const { keys } = ensureKeyMaterial(config);
    const audit = await AuditLog.open({
      repo: new AuditRepo(store.db, store.fence),
      key: keys.audit,
      now: Date.now,
      headIntervalMs: config.auditHeadIntervalMs,
      headEveryLeaves: config.auditHeadEveryLeaves,
    });
    const blocks = new LocalIpBlocks(Date.now);
    // Nothing else is in force without a running exchange: no failed logins, no IDS hits.
    const forget = { unblock: (key: string) => blocks.unblock(key) };
    const events = new SecurityEvents(new SecurityEventsRepo(store.db), audit, Date.now);
    const blocking = new AddressBlocks(
      blocks,
      forget,
      new IpBlocksRepo(store.db),
      events,
      Date.now,
    );
    await blocking.restore();
    try {
      return await runCommand(blocking, command, { kind: 'operator', channel: 'database' });
    } finally {
      await audit.close();
    }
  } finally {
    await store.close();
  }
}

function show(answer: ControlAnswer): number {
  const out = process.stdout;
  if (!answer.ok) {
    process.stderr.write(`error: ${answer.error.message}\n`);
    return 1;
  }
  if ('blocked_ips' in answer) {
    if (answer.blocked_ips.length === 0) out.write('no address is blocked\n');
    for (const b of answer.blocked_ips) {
      const kind = b.manual ? 'manual' : 'automatic';
      out.write(`${b.ip}\tuntil ${b.until}\t${kind}\t${b.reason}\n`);
    }
    return 0;
  }
  out.write(`${answer.message}\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = commandOf(argv);
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(readEnvironment());
  const path = controlSocketPath(config.dataDir);
  const live = await askControlSocket(path, command);
  if (live !== undefined) return show(live);
  process.stderr.write(`no exchange answers on ${path}; changing the database directly\n`);
  return show(await runOnDatabase(config, command));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StartupError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  },
);
