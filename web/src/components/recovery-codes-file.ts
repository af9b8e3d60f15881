// The text file of a user's MFA recovery codes, as "Download .txt" saves it: which account and
// exchange they belong to, when they were made, how to use them, then one code per line.

export interface RecoveryCodesFile {
  name: string;
  text: string;
}

export function recoveryCodesFile(
  codes: readonly string[],
  account: { username: string; host: string; created: Date },
): RecoveryCodesFile {
  const lines = [
    `Two-factor recovery codes for ${account.username} at ${account.host}`,
    `Made ${account.created.toISOString()}`,
    '',
    'Each code works once, in place of a code from your authenticator app.',
    'Keep this file somewhere safe, away from your password. Setting up two-factor',
    'authentication again makes new codes and these stop working.',
    '',
    ...codes,
    '',
  ];
  const safeName = account.username.replace(/[^A-Za-z0-9_-]/g, '_');
  return { name: `recovery-codes-${safeName}.txt`, text: lines.join('\n') };
}
