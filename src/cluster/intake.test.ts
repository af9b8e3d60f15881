import { describe, expect, it } from 'vitest';
import type { AnswerOf, Command, TradingCommands } from './commands.ts';
import { CommandIntake, type IntakeOptions } from './intake.ts';
import type { ClusterView, NodeRole } from './role.ts';
import type { Envelope } from './wire.ts';

function view(role: () => NodeRole): ClusterView {
  return {
    nodeId: 'a',
    role,
    leader: () => ({ nodeId: 'a', address: 'http://127.0.0.1:1', epoch: 1 }),
    epoch: () => 1,
    onChange: () => () => undefined,
  };
}

/** A sequencer that counts what it runs and answers each place with a new order id. */
function counting(): TradingCommands & { runs: Command[] } {
  const runs: Command[] = [];
  return {
    runs,
    execute<C extends Command>(command: C): Promise<AnswerOf<C>> {
      runs.push(command);
      return Promise.resolve({ ok: true, value: { order_id: runs.length } } as AnswerOf<C>);
    },
  };
}

const cancel: Command = { kind: 'cancel', userId: 7, orderId: 3 };

describe('the leader intake', () => {
  const now = 1_000_000;
  const envelope = (over: Partial<Envelope> = {}): Envelope => ({
    requestId: 'req-0001',
    origin: 'b',
    deadline: now + 5_000,
    command: cancel,
    ...over,
  });

  function intakeAs(role: NodeRole, options: Partial<IntakeOptions> = {}) {
    const local = counting();
    const cluster = view(() => role);
    return {
      local,
      intake: new CommandIntake({ cluster, local, ttlMs: 10_000, now: () => now, ...options }),
    };
  }

  it('runs a command before its deadline and answers with the sequencer answer', async () => {
    const { local, intake } = intakeAs('leader');
    await expect(intake.receive(envelope())).resolves.toEqual({
      status: 'done',
      requestId: 'req-0001',
      answer: { ok: true, value: { order_id: 1 } },
    });
    expect(local.runs).toEqual([cancel]);
  });

  it('refuses a command past its deadline without running it', async () => {
    const { local, intake } = intakeAs('leader');
    const reply = await intake.receive(envelope({ deadline: now - 1 }));
    expect(reply).toMatchObject({
      status: 'done',
      answer: {
        ok: false,
        code: 'TRADING_UNAVAILABLE',
        message: expect.stringMatching(/waited longer/) as unknown,
      },
    });
    expect(local.runs).toEqual([]);
  });

  it('refuses a deadline further ahead than the TTL allows', async () => {
    const { local, intake } = intakeAs('leader', { ttlMs: 1_000 });
    const reply = await intake.receive(envelope({ deadline: now + 60_000 }));
    expect(reply).toMatchObject({ answer: { ok: false, code: 'BAD_REQUEST' } });
    expect(local.runs).toEqual([]);
  });

  it('answers not-leader, running nothing, while this node does not lead', async () => {
    const { local, intake } = intakeAs('standby');
    await expect(intake.receive(envelope())).resolves.toEqual({
      status: 'not-leader',
      requestId: 'req-0001',
    });
    expect(local.runs).toEqual([]);
  });

  it('answers a repeated request id with the first answer, running it once', async () => {
    let clock = now;
    const { local, intake } = intakeAs('leader', { now: () => clock });
    const [first, second] = await Promise.all([
      intake.receive(envelope()),
      intake.receive(envelope()),
    ]);
    expect(second).toEqual(first);
    expect(local.runs).toHaveLength(1);
    // Another gateway's request with the same id is another command.
    await intake.receive(envelope({ origin: 'c' }));
    expect(local.runs).toHaveLength(2);
    // Past the deadline the id is forgotten, and the deadline refuses the repeat.
    clock = now + 6_000;
    await intake.receive(envelope({ requestId: 'req-0002', deadline: clock + 1_000 }));
    expect(intake.remembered).toBe(1);
    expect(await intake.receive(envelope())).toMatchObject({ answer: { ok: false } });
    expect(local.runs).toHaveLength(3);
  });

  it('refuses new commands once it remembers as many ids as it may', async () => {
    const { local, intake } = intakeAs('leader', { capacity: 1 });
    await intake.receive(envelope());
    const reply = await intake.receive(envelope({ requestId: 'req-0002' }));
    expect(reply).toMatchObject({ answer: { ok: false, code: 'TRADING_UNAVAILABLE' } });
    expect(local.runs).toHaveLength(1);
  });
});
