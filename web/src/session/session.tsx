// Who is signed in. On load the page spends the refresh cookie once and shows a neutral
// loading state until it knows, so it never flashes the sign-in form or someone else's data.

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../api/client.ts';
import type { Profile, TokenPair } from '../api/types.ts';

export type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; profile: Profile };

interface SessionApi {
  state: SessionState;
  /** After a login or MFA step that returned tokens. */
  signedIn: (pair: Pick<TokenPair, 'access_token' | 'expires_in'>) => Promise<void>;
  reloadProfile: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in profile; only for pages rendered behind the sign-in gate. */
export function useProfile(): Profile {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useProfile while signed out');
  return state.profile;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [expiresIn, setExpiresIn] = useState<number | undefined>(undefined);

  const loadProfile = useCallback(async () => {
    const profile = await api.get<Profile>('/api/auth/me');
    setState({ status: 'signed-in', profile });
  }, []);

  const signedIn = useCallback(
    async (pair: Pick<TokenPair, 'access_token' | 'expires_in'>) => {
      api.setToken(pair.access_token);
      setExpiresIn(pair.expires_in);
      await loadProfile();
    },
    [loadProfile],
  );

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const pair = await api.refresh().catch(() => undefined);
      if (cancelled) return;
      if (pair === undefined) {
        setState({ status: 'signed-out' });
        return;
      }
      setExpiresIn(pair.expires_in);
      await loadProfile().catch(() => setState({ status: 'signed-out' }));
    })();
    return () => {
      cancelled = true;
    };
  }, [loadProfile]);

  // Renew the access token a minute before it expires; a failed renewal signs out.
  useEffect(() => {
    if (expiresIn === undefined || state.status !== 'signed-in') return;
    const delay = Math.max(5, expiresIn - 60) * 1000;
    const timer = window.setTimeout(() => {
      void api.refresh().then((pair) => {
        if (pair === undefined) setState({ status: 'signed-out' });
        else setExpiresIn(pair.expires_in + Math.random() / 1000);
      });
    }, delay);
    return () => window.clearTimeout(timer);
  }, [expiresIn, state.status]);

  const signOut = useCallback(async () => {
    await api.post('/api/auth/logout').catch(() => undefined);
    api.setToken(undefined);
    setState({ status: 'signed-out' });
  }, []);

  const value = useMemo(
    () => ({ state, signedIn, reloadProfile: loadProfile, signOut }),
    [state, signedIn, loadProfile, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
