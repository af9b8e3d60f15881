// One client socket, with the limits that keep a client from costing the server memory or time:
// a client that reads too slowly is dropped rather than queued for, one that sends too much is
// dropped, and one that misses a ping between two heartbeats is cut off.

import { CLOSE } from './protocol.ts';

/** Past this many bytes waiting in its send buffer, a client is too slow and is dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Client messages: a burst of this many, then this many per second. */
export const MESSAGE_BURST = 20;
export const MESSAGES_PER_SECOND = 10;

const OPEN = 1;

/** The part of a `ws` socket a connection uses. */
export interface ClientSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
}

export interface ConnectionLimits {
  maxBufferedBytes: number;
  burst: number;
  perSecond: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxBufferedBytes: MAX_BUFFERED_BYTES,
  burst: MESSAGE_BURST,
  perSecond: MESSAGES_PER_SECOND,
};

export class Connection {
  private answeredPing = true;
  private allowance: number;
  private lastRefill: number;

  constructor(
    private readonly socket: ClientSocket,
    private readonly now: () => number,
    private readonly limits: ConnectionLimits = DEFAULT_LIMITS,
  ) {
    this.allowance = limits.burst;
    this.lastRefill = now();
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * Sends one encoded message, or drops the client (1008 "too slow") if what it has not read
   * yet is already past the limit. False when the message was not sent.
   */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CLOSE.POLICY, 'too slow');
      return false;
    }
    try {
      this.socket.send(text);
      return true;
    } catch {
      this.socket.terminate();
      return false;
    }
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }

  /** Spends one message of the client's allowance; false once the allowance is gone. */
  admit(): boolean {
    const now = this.now();
    const refill = ((now - this.lastRefill) / 1000) * this.limits.perSecond;
    this.allowance = Math.min(this.limits.burst, this.allowance + refill);
    this.lastRefill = now;
    if (this.allowance < 1) return false;
    this.allowance -= 1;
    return true;
  }

  /**
   * Called on every heartbeat: cuts off a client that has not answered the previous ping (its
   * network is gone) and pings it again. False when the client was cut off.
   */
  checkAlive(): boolean {
    if (!this.answeredPing) {
      this.socket.terminate();
      return false;
    }
    this.answeredPing = false;
    try {
      this.socket.ping();
    } catch {
      // The socket is closing; its close event ends the connection.
    }
    return true;
  }

  pong(): void {
    this.answeredPing = true;
  }
}
