// `npm run keys -- <command>`: key management for operators.
//   rotate-signing                 new ECDSA signing key; the old one verifies until its tokens expire
//   rotate [--resume | --status]   (`npm run keys:rotate`) new data key, re-encrypt, retire unused
//   backup [--out FILE]            (`npm run keys:backup`) every key, sealed under a passphrase
//   backup --verify FILE | --restore FILE
// A backup passphrase is asked for on the terminal without echo, or read from --passphrase-file.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { StartupError, loadConfig, readEnvironment, redactUrl, type Config } from './config.ts';
import { KeyringError } from './crypto/keyring.ts';
import {
  BackupError,
  checkPassphrase,
  restoreBackup,
  rotateDataKeys,
  verifyBackup,
  writeBackup,
  type CommandIo,
  type KeyContext,
} from './keys/index.ts';
import { openKeyring } from './store/data-keys.repo.ts';
import { openStore, type Store } from './store/db.ts';
import { ensureKeyMaterial, rotateSigningKey } from './store/key-files.ts';
import { migrateToLatest } from './store/migrate.ts';

const USAGE = `usage:
  npm run keys -- rotate-signing
  npm run keys:rotate [-- --resume | --status]
  npm run keys:backup [-- --out FILE] [--passphrase-file FILE]
  npm run keys:backup -- --verify FILE | --restore FILE [--passphrase-file FILE]
`;

/** Reads a line from the terminal with echo off. */
function askHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) {
    throw new BackupError('no terminal to ask for the passphrase on: use --passphrase-file FILE');
  }
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(text);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          reject(new BackupError('cancelled'));
          return;
        }
        text = ch === '\u007f' || ch === '\b' ? [...text].slice(0, -1).join('') : text + ch;
      }
    };
    stdin.on('data', onData);
  });
}

function passphraseSource(file: string | undefined): CommandIo['passphrase'] {
  return async (confirm) => {
    if (file !== undefined) {
      const passphrase = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      checkPassphrase(passphrase);
      return passphrase;
    }
    const passphrase = await askHidden('backup passphrase: ');
    checkPassphrase(passphrase);
    if (confirm && (await askHidden('the same passphrase again: ')) !== passphrase) {
      throw new BackupError('the two passphrases differ');
    }
    return passphrase;
  };
}

async function withStore<T>(config: Config, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.databaseUrl, { schema: config.databaseSchema }).catch(
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StartupError(
        `DATABASE_URL: cannot open ${redactUrl(config.databaseUrl)} (${reason})`,
      );
    },
  );
  try {
    await migrateToLatest(store);
    return await run(store);
  } finally {
    await store.close();
  }
}

async function withKeys<T>(
  config: Config,
  io: CommandIo,
  run: (ctx: KeyContext) => Promise<T>,
): Promise<T> {
  const { keys } = ensureKeyMaterial(config);
  return withStore(config, async (store) => {
    const keyring = await openKeyring(store.db, keys.masterKey, io.now()).catch(
      (error: unknown) => {
        throw error instanceof KeyringError ? new StartupError(error.message) : error;
      },
    );
    return run({ config, store, keys, keyring, io });
  });
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig(readEnvironment());
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      resume: { type: 'boolean' },
      status: { type: 'boolean' },
      out: { type: 'string' },
      verify: { type: 'string' },
      restore: { type: 'string' },
      'passphrase-file': { type: 'string' },
    },
  });
  const io: CommandIo = {
    say: (line) => process.stdout.write(line + '\n'),
    passphrase: passphraseSource(values['passphrase-file']),
    now: Date.now,
  };
  if (command === 'rotate-signing') {
    // Load first: refuses a key directory with loose modes before touching anything.
    ensureKeyMaterial(config);
    rotateSigningKey(config, Date.now());
    io.say(
      'signing key rotated; restart the exchange to sign with it. ' +
        `The old key verifies for ${config.accessTokenExpireMinutes} more minutes.`,
    );
    return;
  }
  if (command === 'rotate') {
    const mode = values.status === true ? 'status' : values.resume === true ? 'resume' : 'rotate';
    await withKeys(config, io, (ctx) => rotateDataKeys(ctx, mode));
    return;
  }
  if (command === 'backup') {
    if (values.verify !== undefined) {
      await verifyBackup(io, values.verify);
      return;
    }
    if (values.restore !== undefined) {
      const file = values.restore;
      await withStore(config, (store) => restoreBackup({ config, store, io }, file));
      return;
    }
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
    const out = values.out ?? `sse-key-backup-${stamp}.json`;
    await withKeys(config, io, (ctx) => writeBackup(ctx, out));
    return;
  }
  process.stderr.write(USAGE);
  process.exit(2);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  if (
    error instanceof TypeError &&
    'code' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`error: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  throw error;
});
