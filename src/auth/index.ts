// Public face of identity and access: accounts, sessions, MFA, API keys and access tokens.

import type { Accounts } from './accounts.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { ApiKeys } from './api-keys.ts';
import type { Mfa } from './mfa.ts';
import type { Sessions } from './sessions.ts';

export interface Identity {
  accounts: Accounts;
  sessions: Sessions;
  mfa: Mfa;
  apiKeys: ApiKeys;
  tokens: AccessTokens;
}

export type { Principal, RequestOrigin, ApiKeyScope } from './principal.ts';
