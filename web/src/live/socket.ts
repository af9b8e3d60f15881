// A WebSocket that reconnects by itself: exponential backoff with jitter (0.5 s doubling to
// 10 s) after a network drop or a server restart. `onOpen` runs on every (re)connection, so the
// owner resubscribes or re-authenticates there. Measures round-trip latency with `ping`.

export type SocketState = 'connecting' | 'open' | 'closed';

export interface SocketEvents {
  onOpen(socket: LiveSocket): void;
  onMessage(message: Record<string, unknown> & { type: string }): void;
  onState?(state: SocketState): void;
  /** A close code after which reconnecting cannot help (4401, 4403). */
  onFatal?(code: number): void;
}

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const PING_EVERY_MS = 5_000;
/** No message for this long (heartbeats come every 30 s) means the link is dead. */
const SILENCE_MS = 45_000;

export class LiveSocket {
  private ws: WebSocket | undefined;
  private attempts = 0;
  private retry: number | undefined;
  private pinger: number | undefined;
  private pingSentAt: number | undefined;
  private lastHeard = 0;
  private stopped = false;
  state: SocketState = 'connecting';
  latencyMs: number | undefined;

  /** Back online: try at once instead of waiting out the backoff. */
  private readonly online = () => {
    if (this.state !== 'open') this.reconnect();
  };

  constructor(
    private readonly path: string,
    private readonly events: SocketEvents,
  ) {
    window.addEventListener('online', this.online);
    this.connect();
  }

  private url(): string {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${window.location.host}${this.path}`;
  }

  private setState(state: SocketState): void {
    this.state = state;
    this.events.onState?.(state);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.lastHeard = Date.now();
      this.setState('open');
      this.events.onOpen(this);
      this.ping();
    };
    ws.onmessage = (event: MessageEvent) => {
      this.lastHeard = Date.now();
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof message !== 'object' || message === null || !('type' in message)) return;
      const typed = message as Record<string, unknown> & { type: string };
      if (typed.type === 'pong' && this.pingSentAt !== undefined) {
        this.latencyMs = performance.now() - this.pingSentAt;
        this.pingSentAt = undefined;
        this.events.onState?.(this.state);
        return;
      }
      this.events.onMessage(typed);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      window.clearInterval(this.pinger);
      this.setState('closed');
      if (event.code === 4401 || event.code === 4403) {
        this.events.onFatal?.(event.code);
        return;
      }
      this.schedule();
    };
    window.clearInterval(this.pinger);
    this.pinger = window.setInterval(() => this.ping(), PING_EVERY_MS);
  }

  private schedule(): void {
    if (this.stopped) return;
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempts);
    this.attempts += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retry = window.setTimeout(() => this.connect(), delay);
  }

  private ping(): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      this.ws.close();
      return;
    }
    this.pingSentAt = performance.now();
    this.send({ op: 'ping' });
  }

  send(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Reconnect now (after coming back online, or a fatal close fixed by a new token). */
  reconnect(): void {
    window.clearTimeout(this.retry);
    this.attempts = 0;
    if (this.ws === undefined) this.connect();
    else this.ws.close();
  }

  close(): void {
    this.stopped = true;
    window.removeEventListener('online', this.online);
    window.clearTimeout(this.retry);
    window.clearInterval(this.pinger);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
  }
}
