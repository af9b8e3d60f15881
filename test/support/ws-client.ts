// A WebSocket test client that records every message and how the socket closed, and a bounded
// poll for conditions on it.

import type { WebSocket } from 'ws';

export type Message = Record<string, unknown> & { type: string };

/** Polls until `condition` holds; fails after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class Client {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // Text frames arrive as one Buffer.
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as Message);
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  async next(type: string, match: (m: Message) => boolean = () => true): Promise<Message> {
    let found: Message | undefined;
    await until(() => (found = this.of(type).find(match)) !== undefined, `a ${type} message`);
    return found as Message;
  }

  async closing(): Promise<{ code: number; reason: string }> {
    await until(() => this.closed !== undefined, 'the socket to close');
    return this.closed as { code: number; reason: string };
  }
}
