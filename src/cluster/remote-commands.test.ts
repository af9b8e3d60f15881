import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AnswerOf, Command, TradingCommands } from './commands.ts';
import { RemoteCommands } from './remote-commands.ts';
import type { ClusterView, LeaderInfo } from './role.ts';
import { sign, verify, type Envelope, type Reply } from './wire.ts';

const key = randomBytes(32);

function gatewayView(leader: () => LeaderInfo | undefined): ClusterView {
  return {
    nodeId: 'b',
    role: () => 'standby',
    leader,
    epoch: () => 0,
    onChange: () => () => undefined,
  };
}

const nowhere: TradingCommands = {
  execute: () => Promise.reject(new Error('a gateway that does not lead runs nothing itself')),
};

const A: LeaderInfo = { nodeId: 'a', address: 'http://127.0.0.1:9', epoch: 1 };
const C: LeaderInfo = { nodeId: 'c', address: 'http://127.0.0.1:10', epoch: 2 };

type Step = 'refused' | 'reset' | 'not-leader' | 'done';

/** A leader that plays `steps` in turn (repeating the last), and records what reached it. */
function leaderPlaying(steps: Step[]) {
  const received: { address: string; envelope: Envelope }[] = [];
  const fake = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body as string;
    const headers = init?.headers as Record<string, string>;
    expect(
      verify(
        key,
        'command',
        body,
        { time: headers['x-cluster-time'], mac: headers['x-cluster-mac'] },
        Date.now(),
      ),
    ).toBe('ok');
    const envelope = JSON.parse(body) as Envelope;
    const step = steps[Math.min(received.length, steps.length - 1)];
    received.push({ address: new URL(url).origin, envelope });
    if (step === 'refused')
      return Promise.reject(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      );
    if (step === 'reset')
      return Promise.reject(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
      );
    const reply: Reply =
      step === 'not-leader'
        ? { status: 'not-leader', requestId: envelope.requestId }
        : {
            status: 'done',
            requestId: envelope.requestId,
            answer: { ok: true, value: { opened: true } },
          };
    const text = JSON.stringify(reply);
    return Promise.resolve(
      new Response(text, { status: 200, headers: sign(key, 'answer', text, Date.now()) }),
    );
  };
  return { received, fetch: fake };
}

function remote(
  leader: () => LeaderInfo | undefined,
  fetch: typeof globalThis.fetch,
  ttlMs = 2_000,
): RemoteCommands {
  return new RemoteCommands({
    cluster: gatewayView(leader),
    local: nowhere,
    key,
    ttlMs,
    now: Date.now,
    fetch,
  });
}

const open: Command = { kind: 'open-account', userId: 4, cash: 100 };
const placeWithId: Command = {
  kind: 'place',
  userId: 4,
  order: {
    symbol: 'TCS',
    side: 'BUY',
    mode: 'LIMIT',
    quantity: 1,
    price: 100,
    clientOrderId: 'k-1',
  },
};

/** A gateway whose first attempt goes unanswered at A, after which the lease names C. */
function failingOver() {
  const failover = leaderPlaying(['reset', 'done']);
  let current = A;
  const forwarded = remote(
    () => current,
    (url, init) => {
      current = C;
      return failover.fetch(url, init);
    },
  );
  return { failover, forwarded };
}

describe('forwarding commands to the leader', () => {
  it('sends again, with the same request id, until a leader takes the command', async () => {
    const leader = leaderPlaying(['refused', 'not-leader', 'done']);
    const answer: AnswerOf<Command> = await remote(() => A, leader.fetch).execute(open);
    expect(answer).toEqual({ ok: true, value: { opened: true } });
    expect(leader.received).toHaveLength(3);
    const ids = new Set(leader.received.map((r) => r.envelope.requestId));
    expect(ids.size).toBe(1);
    const [first] = leader.received;
    expect(first?.envelope).toMatchObject({ origin: 'b', command: open });
    expect(first?.envelope.deadline).toBeGreaterThan(Date.now());
  });

  it('answers 503 TRADING_UNAVAILABLE at the deadline when no leader is reachable', async () => {
    const leader = leaderPlaying(['refused']);
    const started = Date.now();
    const answer = await remote(() => A, leader.fetch, 300).execute(open);
    const waited = Date.now() - started;
    expect(answer).toMatchObject({
      ok: false,
      code: 'TRADING_UNAVAILABLE',
      message: expect.stringMatching(/not carried out/) as unknown,
    });
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(1_000);
  });

  it('answers 503 at the deadline when the lease names no leader, having sent nothing', async () => {
    const leader = leaderPlaying(['done']);
    const answer = await remote(() => undefined, leader.fetch, 200).execute(open);
    expect(answer).toMatchObject({ ok: false, code: 'TRADING_UNAVAILABLE' });
    expect(leader.received).toEqual([]);
  });

  it('sends an unanswered command again only to the same leader in the same epoch', async () => {
    const leader = leaderPlaying(['reset', 'done']);
    expect(await remote(() => A, leader.fetch).execute(open)).toEqual({
      ok: true,
      value: { opened: true },
    });

    // After a failover the new leader does not know the request id: the opening may have
    // happened, so it is not sent there, and the caller hears that the outcome is unknown.
    const { failover, forwarded } = failingOver();
    const answer = await forwarded.execute(open);
    expect(answer).toMatchObject({
      ok: false,
      code: 'TRADING_UNAVAILABLE',
      message: expect.stringMatching(/may or may not/) as unknown,
    });
    expect(failover.received.map((r) => r.address)).toEqual(['http://127.0.0.1:9']);
  });

  it('sends a place with a client_order_id to the new leader after an unanswered attempt', async () => {
    const { failover, forwarded } = failingOver();
    expect(await forwarded.execute(placeWithId)).toMatchObject({ ok: true });
    expect(failover.received.map((r) => r.address)).toEqual([
      'http://127.0.0.1:9',
      'http://127.0.0.1:10',
    ]);
  });

  it('does not trust an answer without the leader MAC', async () => {
    const forged = (() =>
      Promise.resolve(
        new Response(
          JSON.stringify({ status: 'done', requestId: 'x', answer: { ok: true, value: {} } }),
          { status: 200 },
        ),
      )) as typeof fetch;
    const answer = await remote(() => A, forged, 200).execute(open);
    expect(answer).toMatchObject({
      ok: false,
      code: 'TRADING_UNAVAILABLE',
      message: expect.stringMatching(/may or may not/) as unknown,
    });
  });
});
