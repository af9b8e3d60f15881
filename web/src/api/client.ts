// The one way the page talks HTTP to the exchange. The access token lives in this object's
// memory only; the refresh token is an HttpOnly cookie the page never sees, spent with the
// CSRF double-submit header. A 401 is retried once after a silent refresh.

import type { ErrorBody, TokenPair } from './types.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const CSRF_COOKIE = 'sse_csrf';

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return value.join('=');
  }
  return undefined;
}

/** What a person is told when the request never reached the exchange (offline, server down). */
export const UNREACHABLE = "Can't reach the exchange";

/**
 * fetch, with a network failure (a TypeError worded by the browser, "Failed to fetch") turned
 * into an ApiFailure a person can read; status 0 because no response came.
 */
async function reach(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (error) {
    if (error instanceof TypeError) throw new ApiFailure(0, 'UNREACHABLE', UNREACHABLE);
    throw error;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && 'error' in body;
}

async function failure(response: Response): Promise<ApiFailure> {
  const body: unknown = await response.json().catch(() => undefined);
  if (isErrorBody(body))
    return new ApiFailure(response.status, body.error.code, body.error.message);
  // No error body: a proxy in front of the exchange answered that the exchange is down.
  const down = response.status === 502 || response.status === 503 || response.status === 504;
  return new ApiFailure(
    response.status,
    'HTTP_' + response.status,
    down ? UNREACHABLE : response.statusText || `the exchange answered ${response.status}`,
  );
}

export interface RequestOptions {
  body?: unknown;
  /** Send without the access token (sign-in, registration). */
  anonymous?: boolean;
}

export class ApiClient {
  private accessToken: string | undefined;
  private refreshing: Promise<TokenPair | undefined> | undefined;
  private readonly tokenWatchers = new Set<(token: string | undefined) => void>();

  get token(): string | undefined {
    return this.accessToken;
  }

  setToken(token: string | undefined): void {
    this.accessToken = token;
    for (const watcher of this.tokenWatchers) watcher(token);
  }

  /** Told about every new token (the private WebSockets re-authenticate with it). */
  watchToken(watcher: (token: string | undefined) => void): () => void {
    this.tokenWatchers.add(watcher);
    return () => this.tokenWatchers.delete(watcher);
  }

  /** Spends the refresh cookie once (one tab at a time), or answers undefined. */
  refresh(): Promise<TokenPair | undefined> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<TokenPair | undefined> {
    const spend = async (): Promise<TokenPair | undefined> => {
      const csrf = csrfToken();
      if (csrf === undefined) return undefined;
      const response = await reach('/api/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: '{}',
      });
      if (!response.ok) return undefined;
      return (await response.json()) as TokenPair;
    };
    // Tabs share the cookie; a refresh token spent twice ends the session, so take turns.
    const pair = navigator.locks
      ? await navigator.locks.request('sse-refresh', spend)
      : await spend();
    this.setToken(pair?.access_token);
    return pair;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** The raw response (CSV downloads); errors are thrown as ApiFailure. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const attempt = () => {
      const headers: Record<string, string> = {};
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.anonymous !== true && this.accessToken !== undefined)
        headers.authorization = `Bearer ${this.accessToken}`;
      if (path.startsWith('/api/auth/')) {
        const csrf = csrfToken();
        if (csrf !== undefined) headers['x-csrf-token'] = csrf;
      }
      return reach(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    };
    let response = await attempt();
    if (response.status === 401 && options.anonymous !== true && this.accessToken !== undefined) {
      if ((await this.refresh()) !== undefined) response = await attempt();
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown, anonymous = false): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {}, anonymous });
  }
}

export const api = new ApiClient();

/** The message to show for a failed call: the API's own words when it gave them. */
export function errorText(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
