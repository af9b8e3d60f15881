// IDS amplification (issue 12, finding 2): anonymous registrations, each with 900 fields the
// schema does not declare and every one holding a mixed attack payload, while a second client
// asks for /api/health. In the review one such request took 3.4 s and stored 3,600 security
// events. SUCCEEDED when the median request is answered after SLOW_MS, any request gets a 5xx or
// no answer, or the health probe beside one is unanswered or slower than HEALTH_SLOW_MS. BLOCKED
// when every request is refused with a 4xx and the median answer comes within CHEAP_MS: refused
// before any inspection. Otherwise DETECTED.

import { Attacker, isRefused, isServerError, outcomeLabel, type Outcome } from '../attacker.ts';
import { randomUsername, strongPassword } from '../accounts.ts';
import type { Scenario } from '../scenario.ts';

const REQUESTS = 5;
const FIELDS = 900;
const PAYLOAD = "<script>' OR 1=1--;cat /etc/passwd ../../";
const SLOW_MS = 1_000;
const HEALTH_SLOW_MS = 2_500;
const CHEAP_MS = 100;
/** The health probe leaves a little after the request, so that it meets the request's work. */
const PROBE_DELAY_MS = 20;

function amplifyingRegistration(): Record<string, string> {
  const name = randomUsername();
  const body: Record<string, string> = {
    username: name,
    email: `${name}@example.com`,
    password: strongPassword(),
    full_name: 'Probe',
  };
  for (let i = 0; i < FIELDS; i++) body[`field_${i}`] = PAYLOAD;
  return body;
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export const idsAmplification: Scenario = {
  name: 'ids-amplification',
  async run({ attacker, tally }) {
    const health = new Attacker(attacker.base, { requests: REQUESTS, ms: 30_000 });
    const answers: Outcome[] = [];
    const probes: Outcome[] = [];
    try {
      for (let i = 0; i < REQUESTS && !attacker.spent; i++) {
        const [answer, probe] = await Promise.all([
          attacker.send('POST', '/api/auth/register', { json: amplifyingRegistration() }),
          new Promise((r) => setTimeout(r, PROBE_DELAY_MS)).then(() =>
            health.send('GET', '/api/health'),
          ),
        ]);
        answers.push(tally.record(answer));
        probes.push(probe);
      }
    } finally {
      health.close();
    }
    const typical = median(answers.map((o) => o.ms));
    const slowestHealth = Math.max(0, ...probes.map((o) => o.ms));
    const broken = answers.some((o) => isServerError(o) || o.kind === 'silent');
    const healthHurt = probes.some((o) => o.kind !== 'reply' || o.ms > HEALTH_SLOW_MS);
    const notes = [
      `${answers.length} registers with ${FIELDS} unknown fields each: median answer ${typical} ms`,
      `health beside them: slowest ${slowestHealth} ms (${probes.map(outcomeLabel).join(', ')})`,
    ];
    return {
      succeeded: broken || healthHurt || typical >= SLOW_MS,
      blocked: answers.every(isRefused) && typical < CHEAP_MS,
      notes,
    };
  },
};
