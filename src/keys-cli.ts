// `npm run keys -- <command>`: key management for operators.
//   rotate-signing   new ECDSA signing key; the old one keeps verifying until its tokens expire

import { StartupError, loadConfig, readEnvironment } from './config.ts';
import { ensureKeyMaterial, rotateSigningKey } from './store/key-files.ts';

function main(argv: string[]): void {
  const config = loadConfig(readEnvironment());
  const [command] = argv;
  if (command === 'rotate-signing') {
    // Load first: refuses a key directory with loose modes before touching anything.
    ensureKeyMaterial(config);
    rotateSigningKey(config, Date.now());
    process.stdout.write(
      'signing key rotated; restart the exchange to sign with it. ' +
        `The old key verifies for ${config.accessTokenExpireMinutes} more minutes.\n`,
    );
    return;
  }
  process.stderr.write('usage: npm run keys -- rotate-signing\n');
  process.exit(2);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (error instanceof StartupError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
