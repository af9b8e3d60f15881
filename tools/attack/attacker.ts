// One attacker's connection to the target. Every request counts against a budget of requests and
// wall-clock time, so no loop can run away, and every answer is reduced to an Outcome.

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What came back: an HTTP reply, a connection the server closed, or no answer at all. */
export type Outcome =
  | {
      kind: 'reply';
      status: number;
      /** The error code of a `{error: {code}}` body, if there is one. */
      code: string | undefined;
      body: unknown;
      ms: number;
    }
  /** The server reset or closed the connection: counted as blocked. */
  | { kind: 'closed'; detail: string; ms: number }
  /** Refused connection or timeout: the server is not answering. */
  | { kind: 'silent'; detail: string; ms: number };

export interface Budget {
  requests: number;
  ms: number;
}

export interface SendOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent exactly as given, as application/json (for signed bodies). */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** Thrown when a scenario asks for more than its budget: the scenario stops there. */
export class BudgetSpent extends Error {
  constructor(budget: Budget) {
    super(`budget of ${budget.requests} requests / ${budget.ms} ms spent`);
    this.name = 'BudgetSpent';
  }
}

const REQUEST_TIMEOUT_MS = 5_000;
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}

interface RawReply {
  status: number;
  text: string;
}

/**
 * Sends requests with node:http rather than fetch: the path goes out byte for byte as given (no
 * normalisation), and each attacker can use its own loopback source address, so the limits one
 * scenario trips do not spill into the next.
 */
export class Attacker {
  private sent = 0;
  private readonly deadline: number;
  private readonly url: URL;
  private readonly agent: HttpAgent;

  /** `source`: the local address to send from (a 127.x.y.z), or the system's choice. */
  constructor(
    readonly base: string,
    readonly budget: Budget,
    readonly source?: string,
  ) {
    this.deadline = Date.now() + budget.ms;
    this.url = new URL(base);
    const options = { keepAlive: true, maxSockets: 32 };
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  get requestsSent(): number {
    return this.sent;
  }

  /** True once the request count or the time is used up; loops check this before each send. */
  get spent(): boolean {
    return this.sent >= this.budget.requests || Date.now() >= this.deadline;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<Outcome> {
    if (this.spent) throw new BudgetSpent(this.budget);
    this.sent += 1;
    const text =
      options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    const headers: Record<string, string> = { ...options.headers };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const started = Date.now();
    try {
      const raw = await this.exchange(method, path, headers, text, true);
      let body: unknown = raw.text;
      try {
        body = JSON.parse(raw.text) as unknown;
      } catch {
        // Not JSON (a CSV export, an HTML page): keep the text.
      }
      const ms = Date.now() - started;
      return { kind: 'reply', status: raw.status, code: errorCodeOf(body), body, ms };
    } catch (error) {
      const detail = codeOf(error);
      const ms = Date.now() - started;
      return CLOSED_CODES.has(detail)
        ? { kind: 'closed', detail, ms }
        : { kind: 'silent', detail, ms };
    }
  }

  private exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    text: string | undefined,
    mayRetry: boolean,
  ): Promise<RawReply> {
    const tls = this.url.protocol === 'https:';
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    return new Promise<RawReply>((resolve, reject) => {
      const request = (tls ? httpsRequest : httpRequest)(
        {
          host,
          port: this.url.port === '' ? undefined : Number(this.url.port),
          method,
          path,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            ...headers,
            ...(text === undefined ? {} : { 'content-length': Buffer.byteLength(text) }),
          },
          ...(this.source === undefined ? {} : { localAddress: this.source }),
          // Loopback only (see target.ts): a local server's self-signed certificate is accepted.
          ...(tls ? { rejectUnauthorized: false } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })),
      );
      request.on('error', (error) => {
        // A kept-alive socket the server closed while idle is not a block: retry once, fresh.
        if (mayRetry && request.reusedSocket && codeOf(error) === 'ECONNRESET') {
          this.exchange(method, path, headers, text, false).then(resolve, reject);
        } else reject(error);
      });
      request.end(text);
    });
  }
}

/** The defense stopped this request: 403, 429, or a connection the server closed. */
export function isBlocked(outcome: Outcome): boolean {
  return (
    outcome.kind === 'closed' ||
    (outcome.kind === 'reply' && (outcome.status === 403 || outcome.status === 429))
  );
}

/** A 2xx answer. */
export function isAccepted(outcome: Outcome): outcome is Extract<Outcome, { kind: 'reply' }> {
  return outcome.kind === 'reply' && outcome.status >= 200 && outcome.status < 300;
}

/** Refused with an ordinary client error (400, 401, 404, 409, 422 ...), not blocked. */
export function isRefused(outcome: Outcome): boolean {
  return (
    outcome.kind === 'reply' && outcome.status >= 400 && outcome.status < 500 && !isBlocked(outcome)
  );
}

export function isServerError(outcome: Outcome): boolean {
  return outcome.kind === 'reply' && outcome.status >= 500;
}

/** "401 INVALID_CREDENTIALS", "closed ECONNRESET", "silent TIMEOUT". */
export function outcomeLabel(outcome: Outcome): string {
  if (outcome.kind !== 'reply') return `${outcome.kind} ${outcome.detail}`;
  return outcome.code === undefined ? String(outcome.status) : `${outcome.status} ${outcome.code}`;
}

/**
 * The request got past authentication: any HTTP answer but 401 or a block. Routes check
 * credentials before validating input, so even a 400 or 422 means the credentials were taken.
 */
export function passedAuthentication(outcome: Outcome): boolean {
  return outcome.kind === 'reply' && outcome.status !== 401 && !isBlocked(outcome);
}
