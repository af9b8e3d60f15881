// What only the sequencer runs: the venue recovered from the database (which alone writes
// trading state), tree-head signing, data-key rotation, the market simulator and the storing of
// security events that other nodes queued. A single node starts these once; a cluster node starts
// them when it takes the lease and stops them when it steps down. Stopping withdraws the bots'
// quotes first and then waits for the journal, so nothing acknowledged is left unwritten.

import type { Logger } from 'pino';
import type { AuditLog } from '../audit/log.ts';
import type { Config } from '../config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import { openVenue, type Venue } from '../exchange/venue.ts';
import { KeyRotation } from '../keys/rotation.ts';
import { MarketSimulator } from '../market/simulator.ts';
import { DataKeysRepo } from '../store/data-keys.repo.ts';
import type { Store } from '../store/db.ts';
import { SealedFieldsRepo } from '../store/sealed-fields.repo.ts';
import { UsersRepo } from '../store/users.repo.ts';

export interface LeaderDutiesDeps {
  config: Config;
  store: Store;
  audit: AuditLog;
  events: SecurityEvents;
  keyring: Keyring;
  masterKey: Buffer;
  now: () => number;
  log?: Logger | undefined;
}

export interface LeaderDuties {
  venue: Venue;
  keyRotation: KeyRotation;
  /** Stops every duty; the venue last, once its journal has drained. */
  close(): Promise<void>;
}

/** How often the leader stores the security events other nodes queued. */
const INBOX_EVERY_MS = 500;

export async function startLeaderDuties(deps: LeaderDutiesDeps): Promise<LeaderDuties> {
  const { config, store, audit, events, now, log } = deps;
  const venue = await openVenue(config, store, audit, now, log);
  audit.start();
  const simulator =
    config.simulator && venue.problems.length === 0
      ? new MarketSimulator({
          exchange: venue.exchange,
          users: new UsersRepo(store.db),
          now,
          seed: config.simulatorSeed,
          tickMs: config.simulatorIntervalMs,
          priceBandBps: config.priceBandBps,
          log,
        })
      : undefined;
  await simulator?.start();
  // Picks up data keys made by `npm run keys:rotate`, rotates when due, re-encrypts old values.
  const keyRotation = new KeyRotation({
    dataKeys: new DataKeysRepo(store.db),
    sealed: new SealedFieldsRepo(store.db),
    keyring: deps.keyring,
    masterKey: deps.masterKey,
    rotationDays: config.encryptionKeyRotationDays,
    now,
    log,
  });
  keyRotation.start();
  let draining: Promise<unknown> = Promise.resolve();
  const inbox = setInterval(() => {
    draining = draining
      .then(() => events.storeQueued())
      .catch((err: unknown) => log?.warn({ err }, 'could not store queued security events'));
  }, INBOX_EVERY_MS);
  inbox.unref();
  return {
    venue,
    keyRotation,
    async close() {
      clearInterval(inbox);
      await draining;
      await keyRotation.stop();
      await simulator?.stop();
      await venue.close();
      audit.stop();
    },
  };
}
