// The authentication every signed-in channel shares. Nothing is sent before the client proves who
// it is with an access token (in the first message, or as the `bearer.` subprotocol; never in the
// URL, where logs keep it), and the session is checked again on every heartbeat, so a logout,
// password change, expired token or lost role ends the stream.

import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import type { Sessions } from '../../auth/sessions.ts';
import { ApiError } from '../../errors.ts';
import type { Connection } from './connection.ts';
import type { Session } from './feed.ts';
import { encode, errorMessage, type ServerMessage } from './messages.ts';
import { AUTH_TIMEOUT_MS, CLOSE, type Parsed, type PrivateRequest } from './protocol.ts';
import { USER_FULL } from './slots.ts';

export interface AuthenticatedDeps {
  sessions: Sessions;
  log: FastifyBaseLogger;
  now: () => number;
  /** Takes one of the user's WS_MAX_CONNECTIONS_PER_USER seats for this socket; false if none is left. */
  signIn: (userId: number) => boolean;
}

/** Whether a channel admits a principal; if not, the close code and reason. */
export type Admission = { ok: true } | { ok: false; code: number; reason: string };

type State =
  | { name: 'waiting' }
  | { name: 'authenticating' }
  | { name: 'open'; userId: number; token: string }
  | { name: 'ended' };

type Outcome = { ok: true; principal: Principal } | { ok: false; code: number; reason: string };

/**
 * A session that starts once its client has authenticated. Subclasses say who they admit, what
 * they send on opening (`started`) and what other messages they answer (`handle`).
 */
export abstract class AuthenticatedSession<Request extends { op: string }> implements Session {
  private state: State = { name: 'waiting' };
  private readonly deadline: NodeJS.Timeout;
  /** A heartbeat's session check is in flight; the next heartbeat does not start another. */
  private checking = false;

  /**
   * A token offered as a subprotocol is checked at once. The subclass is fully built before any
   * hook runs: the check always awaits before it calls one.
   */
  constructor(
    readonly connection: Connection,
    protected readonly auth: AuthenticatedDeps,
    offeredToken: string | undefined,
  ) {
    this.deadline = setTimeout(() => {
      if (this.state.name !== 'open')
        this.connection.close(CLOSE.UNAUTHENTICATED, 'authentication timed out');
    }, AUTH_TIMEOUT_MS);
    this.deadline.unref();
    if (offeredToken !== undefined) void this.open(offeredToken);
  }

  /** Parses a client message: `auth` and `ping` are answered here, anything else by `handle`. */
  protected abstract parse(text: string): Parsed<PrivateRequest | Request>;
  /** Whether this principal may use the channel; checked on opening and on every heartbeat. */
  protected abstract admit(principal: Principal): Admission;
  /** The client is in: start the stream (subscribe, then snapshot). */
  protected abstract started(userId: number): void;
  /** The socket closed after the stream started: let go of what `started` took. */
  protected abstract stopped(userId: number): void;
  /** A message other than `auth` or `ping`, once open. */
  protected abstract handle(request: Request): void;
  /** The first authentication was refused by `admit` (for example, to record it). */
  protected refused(_principal: Principal): void {}

  receive(text: string): void {
    const parsed = this.parse(text);
    switch (this.state.name) {
      case 'waiting':
        if (!parsed.ok || !isAuth(parsed.request)) {
          return this.connection.close(
            CLOSE.UNAUTHENTICATED,
            'the first message must be {"op":"auth","token":...}',
          );
        }
        return void this.open(parsed.request.token);
      case 'authenticating':
      case 'ended':
        return; // nothing is answered before the outcome is known
      case 'open': {
        if (!parsed.ok) return this.reply(errorMessage(parsed.message));
        const request = parsed.request;
        if (isPing(request))
          return this.reply({ type: 'pong', time: new Date(this.auth.now()).toISOString() });
        if (isAuth(request)) return void this.renew(request.token);
        return this.handle(request);
      }
    }
  }

  tick(time: string): void {
    if (!this.connection.checkAlive() || this.state.name !== 'open') return;
    this.reply({ type: 'heartbeat', time, sequences: {} });
    void this.recheck(this.state.token);
  }

  end(): void {
    clearTimeout(this.deadline);
    if (this.state.name === 'open') this.stopped(this.state.userId);
    this.state = { name: 'ended' };
  }

  /** Read through a getter: TypeScript would keep the narrowing from before an await. */
  protected get ended(): boolean {
    return this.state.name === 'ended';
  }

  protected reply(message: ServerMessage): void {
    this.connection.send(encode(message));
  }

  /** The first authentication: on success, the stream starts. */
  private async open(token: string): Promise<void> {
    this.state = { name: 'authenticating' };
    const outcome = await this.authenticate(token);
    if (this.ended) return;
    if (!outcome.ok) return this.connection.close(outcome.code, outcome.reason);
    const admission = this.admit(outcome.principal);
    if (!admission.ok) {
      this.refused(outcome.principal);
      return this.connection.close(admission.code, admission.reason);
    }
    const { userId } = outcome.principal;
    if (!this.auth.signIn(userId)) return this.connection.close(USER_FULL.code, USER_FULL.reason);
    clearTimeout(this.deadline);
    this.state = { name: 'open', userId, token };
    this.reply({ type: 'authenticated', user_id: userId });
    this.started(userId);
  }

  /** A fresh token for the same user, sent before the old one expires. */
  private async renew(token: string): Promise<void> {
    const outcome = await this.authenticate(token);
    if (this.state.name !== 'open') return;
    if (!outcome.ok) return this.connection.close(outcome.code, outcome.reason);
    if (outcome.principal.userId !== this.state.userId)
      return this.connection.close(CLOSE.UNAUTHENTICATED, 'the token is for another user');
    const admission = this.admit(outcome.principal);
    if (!admission.ok) return this.connection.close(admission.code, admission.reason);
    this.state = { ...this.state, token };
  }

  private async recheck(token: string): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const outcome = await this.authenticate(token);
      if (this.state.name !== 'open' || this.state.token !== token) return;
      if (!outcome.ok) return this.connection.close(outcome.code, outcome.reason);
      const admission = this.admit(outcome.principal);
      if (!admission.ok) this.connection.close(admission.code, admission.reason);
    } finally {
      this.checking = false;
    }
  }

  private async authenticate(token: string): Promise<Outcome> {
    try {
      const principal = await this.auth.sessions.authenticate(token);
      if (principal.via === 'token' && principal.passwordChangeRequired)
        return { ok: false, code: CLOSE.FORBIDDEN, reason: 'change your password first' };
      return { ok: true, principal };
    } catch (error) {
      if (error instanceof ApiError)
        return { ok: false, code: CLOSE.UNAUTHENTICATED, reason: error.message };
      this.auth.log.error({ err: error }, 'websocket authentication failed');
      return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'authentication is unavailable' };
    }
  }
}

function isPing(request: { op: string }): request is { op: 'ping' } {
  return request.op === 'ping';
}

function isAuth(request: { op: string }): request is { op: 'auth'; token: string } {
  return request.op === 'auth';
}
