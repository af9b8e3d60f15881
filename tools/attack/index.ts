// Red-team attack simulator: runs the bounded attacks of SCENARIOS against an exchange on this
// machine and says, for each, whether the defense BLOCKED it, only DETECTED it, or the attack
// SUCCEEDED.
// Only loopback targets are accepted; every scenario is bounded in requests and time.
//
//   node --import tsx tools/attack/index.ts --target http://127.0.0.1:8000 [--json]
//
// Exit code: 0 nothing succeeded, 1 an attack succeeded, 2 bad arguments or a refused or silent
// target, 3 nothing succeeded but a scenario could not run (INCONCLUSIVE) or the run crashed.

import { pathToFileURL } from 'node:url';
import { Attacker, BudgetSpent, isBlocked, outcomeLabel } from './attacker.ts';
import { SetupRefused } from './accounts.ts';
import { json, table } from './report.ts';
import { Tally, resultOf, type AttackResult } from './result.ts';
import { limitsFrom, type Limits, type Scenario } from './scenario.ts';
import { checkTarget, randomLoopbackSource } from './target.ts';
import { bola } from './scenarios/bola.ts';
import { bruteForce } from './scenarios/brute-force.ts';
import { credentialStuffing } from './scenarios/credential-stuffing.ts';
import { flood } from './scenarios/flood.ts';
import { forgedTokens } from './scenarios/forged-tokens.ts';
import { forwardedFor } from './scenarios/forwarded-for.ts';
import { idsAmplification } from './scenarios/ids-amplification.ts';
import { mitm } from './scenarios/mitm.ts';
import { nonceExhaustion } from './scenarios/nonce-exhaustion.ts';
import { replay } from './scenarios/replay.ts';
import { signingOracle } from './scenarios/signing-oracle.ts';
import { sqlInjection } from './scenarios/sql-injection.ts';
import { stolenTokenApiKey } from './scenarios/stolen-token-api-key.ts';
import { wsExhaustion } from './scenarios/ws-exhaustion.ts';

export type { AttackResult, Verdict } from './result.ts';
export { checkTarget } from './target.ts';

/** The attacks in the order they are reported. */
export const SCENARIOS: readonly Scenario[] = [
  sqlInjection,
  bruteForce,
  credentialStuffing,
  replay,
  mitm,
  forgedTokens,
  bola,
  forwardedFor,
  flood,
  stolenTokenApiKey,
  nonceExhaustion,
  idsAmplification,
  wsExhaustion,
  signingOracle,
];

/**
 * The order they run in. Attacks that need working accounts go first, before lockouts, IP blocks
 * or rate limits triggered by the noisy ones can refuse the attacker's own setup; x-forwarded-for
 * runs right after brute-force, whose limit it tries to dodge; the floods (of one API key's
 * nonces, of WebSockets, then of requests) go last.
 */
const RUN_ORDER: readonly string[] = [
  'forged-tokens',
  'signing-oracle',
  'replay',
  'mitm',
  'bola',
  'stolen-token-api-key',
  'sql-injection',
  'ids-amplification',
  'brute-force',
  'x-forwarded-for',
  'credential-stuffing',
  'nonce-exhaustion',
  'ws-exhaustion',
  'flood',
];

export interface AttackOptions extends Partial<Limits> {
  /** Run only these attacks (by name); the rest are left out of the results. */
  only?: readonly string[];
  /** Called after each attack, in run order (for progress output). */
  onResult?: (result: AttackResult) => void;
}

/** The run never started: a target that is not loopback, not a URL or silent, or an unknown attack. */
export class RunRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunRefused';
  }
}

async function runOne(
  scenario: Scenario,
  base: string,
  limits: Limits,
  earlier: ReadonlyMap<string, AttackResult>,
  source: string | undefined,
): Promise<AttackResult> {
  const budget = scenario.budget?.(limits) ?? {
    requests: limits.scenarioRequests,
    ms: limits.scenarioMs,
  };
  const attacker = new Attacker(base, budget, source);
  const tally = new Tally();
  const client = `client ${source ?? 'at the default address'}`;
  try {
    const finding = await scenario.run({ attacker, tally, limits, earlier });
    return resultOf(scenario.name, tally, { ...finding, notes: [...finding.notes, client] });
  } catch (error) {
    if (error instanceof SetupRefused) {
      // The attacker was stopped before the attack proper: blocked if the defense did it.
      tally.record(error.outcome);
      const note = `setup step ${error.step} answered ${outcomeLabel(error.outcome)}; attack not completed; ${client}`;
      const blocked = isBlocked(error.outcome);
      return resultOf(
        scenario.name,
        tally,
        { succeeded: false, notes: [note] },
        blocked ? 'BLOCKED' : 'INCONCLUSIVE',
      );
    }
    const note =
      error instanceof BudgetSpent
        ? `${error.message} before the attack finished`
        : `the scenario failed: ${error instanceof Error ? error.message : String(error)}; ${client}`;
    return resultOf(scenario.name, tally, { succeeded: false, notes: [note] }, 'INCONCLUSIVE');
  } finally {
    attacker.close();
  }
}

/** Sends from a fresh loopback address per scenario if this machine allows it, else from the default. */
async function sourcesFor(base: string): Promise<() => string | undefined> {
  const trial = randomLoopbackSource(base);
  if (trial === undefined) return () => undefined;
  const probe = new Attacker(base, { requests: 1, ms: 5_000 }, trial);
  const outcome = await probe.send('GET', '/api/market/stocks');
  probe.close();
  return outcome.kind === 'reply' ? () => randomLoopbackSource(base) : () => undefined;
}

/**
 * Runs the attacks against `target` (a loopback URL) and returns one result per attack, in report
 * order. Throws RunRefused for a target that is not loopback or does not answer.
 */
export async function runAttacks(
  target: string,
  options: AttackOptions = {},
): Promise<AttackResult[]> {
  const checked = checkTarget(target);
  if (!checked.ok) throw new RunRefused(checked.reason);
  const limits = limitsFrom(options);
  const unknown = (options.only ?? []).filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new RunRefused(`unknown attack: ${unknown.join(', ')}`);

  const preflight = new Attacker(checked.base, { requests: 1, ms: 5_000 });
  const answer = await preflight.send('GET', '/api/market/stocks');
  preflight.close();
  if (answer.kind === 'silent') {
    throw new RunRefused(`target ${checked.base} is not answering (${answer.detail})`);
  }
  const source = await sourcesFor(checked.base);

  const wanted = (s: Scenario): boolean =>
    options.only === undefined || options.only.includes(s.name);
  const byName = new Map(SCENARIOS.map((s) => [s.name, s]));
  const results = new Map<string, AttackResult>();
  for (const name of RUN_ORDER) {
    const scenario = byName.get(name);
    if (scenario === undefined || !wanted(scenario)) continue;
    const result = await runOne(scenario, checked.base, limits, results, source());
    results.set(name, result);
    options.onResult?.(result);
  }
  return SCENARIOS.filter(wanted).flatMap((s) => results.get(s.name) ?? []);
}

export function exitCode(results: readonly AttackResult[]): number {
  if (results.some((r) => r.verdict === 'SUCCEEDED')) return 1;
  return results.some((r) => r.verdict === 'INCONCLUSIVE') ? 3 : 0;
}

const USAGE =
  'usage: node --import tsx tools/attack/index.ts --target http://127.0.0.1:PORT [--json] [--only a,b]';

async function main(argv: readonly string[]): Promise<number> {
  let target: string | undefined;
  let asJson = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--json') asJson = true;
    else if (arg === '--target') target = argv[(i += 1)];
    else if (arg?.startsWith('--target=')) target = arg.slice('--target='.length);
    else if (arg === '--only') only = argv[(i += 1)]?.split(',');
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else {
      process.stderr.write(`unknown argument ${arg}\n${USAGE}\n`);
      return 2;
    }
  }
  if (target === undefined) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  let results: AttackResult[];
  try {
    results = await runAttacks(target, {
      ...(only === undefined ? {} : { only }),
      onResult: (r) => {
        if (!asJson) process.stderr.write(`${r.attack}: ${r.verdict}\n`);
      },
    });
  } catch (error) {
    if (error instanceof RunRefused) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  process.stdout.write((asJson ? json(results) : table(results)) + '\n');
  return exitCode(results);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(3);
    },
  );
}
