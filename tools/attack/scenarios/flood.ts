// A bounded request flood: GET /api/market/stocks from `floodConcurrency` parallel clients until
// `floodRequests` requests or `floodMs` have gone by, then one health probe. BLOCKED when any
// request is answered 403/429 or cut off; SUCCEEDED only when the server breaks: a 5xx, a request
// left unanswered, or a health probe that gets no answer. A flood served in full is DETECTED
// (the verdict names it; the notes say that nothing limited it).

import { Attacker, outcomeLabel } from '../attacker.ts';
import type { Scenario } from '../scenario.ts';

export const flood: Scenario = {
  name: 'flood',
  budget: (limits) => ({ requests: limits.floodRequests, ms: limits.floodMs }),
  async run({ attacker, tally, limits }) {
    const started = Date.now();
    const client = async (): Promise<void> => {
      while (!attacker.spent) tally.record(await attacker.send('GET', '/api/market/stocks'));
    };
    await Promise.all(Array.from({ length: limits.floodConcurrency }, client));
    const seconds = (Date.now() - started) / 1000;

    const probe = await new Attacker(attacker.base, { requests: 1, ms: 5_000 }).send(
      'GET',
      '/api/health',
    );
    const down = probe.kind === 'silent';
    const notes = [
      `${tally.attempts} requests in ${seconds.toFixed(1)} s (${Math.round(tally.attempts / seconds)}/s) from ${limits.floodConcurrency} clients`,
      tally.firstBlockedAt === null
        ? 'never limited'
        : `limited from request ${tally.firstBlockedAt}`,
      `health afterwards: ${outcomeLabel(probe)}`,
    ];
    return { succeeded: tally.serverErrors > 0 || tally.silent > 0 || down, notes };
  },
};
