// WebSocket exhaustion: one client opens 50 /ws/market sockets at once from its own address and
// holds them; meanwhile a client at another address opens /ws/market and, signed in, /ws/orders.
// A control first checks that the other client connects at all. SUCCEEDED when, during the flood,
// the other client is refused; BLOCKED when the server refused part of the flood (a per-address
// cap or upgrade limit) and let the other client in; DETECTED when it took the whole flood and
// still let the other client in.

import { isBlocked, outcomeLabel, type Outcome } from '../attacker.ts';
import { SetupRefused, newAccount } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';
import { openSocket, type OpenedSocket } from '../sockets.ts';

const FLOOD = 50;
const TIMEOUT_MS = 3_000;

const opened = (outcome: Outcome): boolean => outcome.kind === 'reply' && outcome.status === 101;

export const wsExhaustion: Scenario = {
  name: 'ws-exhaustion',
  async run({ attacker, tally, limits }) {
    const base = attacker.base;
    // The other client: the default address, as someone elsewhere would connect.
    const market = () => openSocket(base, '/ws/market', { answer: 'pong', timeoutMs: TIMEOUT_MS });
    const control = await market();
    control.close();
    if (!opened(control.outcome)) throw new SetupRefused('control /ws/market', control.outcome);
    const account = await newAccount(attacker);

    const count = Math.min(FLOOD, limits.scenarioRequests - 2);
    const flood: OpenedSocket[] = await Promise.all(
      Array.from({ length: count }, () =>
        openSocket(base, '/ws/market', {
          source: attacker.source,
          answer: 'pong',
          timeoutMs: TIMEOUT_MS,
        }),
      ),
    );
    const probes = [
      await market(),
      await openSocket(base, '/ws/orders', {
        protocols: ['exchange.v1', `bearer.${account.token}`],
        first: null,
        answer: 'authenticated',
        timeoutMs: TIMEOUT_MS,
      }),
    ];
    for (const socket of [...flood, ...probes]) {
      tally.record(socket.outcome);
      socket.close();
    }

    const held = flood.filter((s) => opened(s.outcome)).length;
    const refused = flood.filter((s) => isBlocked(s.outcome));
    // Where every scenario shares the default address, the other client shares the flood's cap.
    const sameAddress = attacker.source === undefined;
    const shut = probes.filter((p) => !opened(p.outcome));
    const notes = [
      `${held} of ${count} flood sockets from one address held open` +
        (refused[0] === undefined
          ? ', none refused'
          : `; ${refused.length} refused (first: ${outcomeLabel(refused[0].outcome)})`),
      shut.length === 0
        ? 'another address still connected to /ws/market and, signed in, /ws/orders'
        : `another ${sameAddress ? 'client (at the same address)' : 'address'} was refused: ${shut.map((p) => outcomeLabel(p.outcome)).join(', ')}`,
    ];
    return { succeeded: shut.length > 0 && !sameAddress, notes };
  },
};
