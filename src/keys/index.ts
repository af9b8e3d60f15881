// Public face of src/keys: data key rotation (the background job and its status) and the
// operator commands behind `npm run keys:rotate` and `npm run keys:backup`.
export {
  KEY_CHECK_INTERVAL_MS,
  KEY_PICKUP_MS,
  KeyRotation,
  type KeyRotationDeps,
  type KeyStatus,
  type ReencryptProgress,
} from './rotation.ts';
export {
  restoreBackup,
  rotateDataKeys,
  verifyBackup,
  writeBackup,
  type CommandIo,
  type KeyContext,
} from './commands.ts';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupError,
  MIN_PASSPHRASE_LENGTH,
  checkBackup,
  checkPassphrase,
  openBackup,
  sealBackup,
  type BackupContents,
} from './backup.ts';
