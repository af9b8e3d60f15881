// Who is calling: established by an access token or a signed API-key request.

import type { Role } from '../store/schema.ts';

export type ApiKeyScope = 'read' | 'trade';

export type Principal =
  | {
      via: 'token';
      userId: number;
      role: Role;
      sessionId: string;
      passwordChangeRequired: boolean;
    }
  | {
      via: 'api-key';
      userId: number;
      role: Role;
      keyId: string;
      scopes: readonly ApiKeyScope[];
    };

/** Where a request came from, for security events and session records. */
export interface RequestOrigin {
  ip: string;
  userAgent?: string | undefined;
}
