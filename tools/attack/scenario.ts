// The shape every attack scenario has, and the bounds that hold for all of them. Options may
// lower the bounds, never raise them.

import type { Attacker, Budget } from './attacker.ts';
import type { AttackResult, Finding, Tally } from './result.ts';

export interface Limits {
  /** Requests per scenario, setup included. */
  scenarioRequests: number;
  scenarioMs: number;
  floodRequests: number;
  floodMs: number;
  floodConcurrency: number;
}

export const MAX_LIMITS: Limits = {
  scenarioRequests: 200,
  scenarioMs: 15_000,
  floodRequests: 2_000,
  floodMs: 10_000,
  floodConcurrency: 20,
};

export function limitsFrom(requested: Partial<Limits>): Limits {
  const clamp = (key: keyof Limits): number => {
    const value = requested[key];
    return value === undefined || !Number.isFinite(value) || value < 1
      ? MAX_LIMITS[key]
      : Math.min(Math.floor(value), MAX_LIMITS[key]);
  };
  return {
    scenarioRequests: clamp('scenarioRequests'),
    scenarioMs: clamp('scenarioMs'),
    floodRequests: clamp('floodRequests'),
    floodMs: clamp('floodMs'),
    floodConcurrency: clamp('floodConcurrency'),
  };
}

export interface ScenarioContext {
  attacker: Attacker;
  /** Record every attack request here (setup requests are not recorded). */
  tally: Tally;
  limits: Limits;
  /** Results of the scenarios that already ran, by attack name. */
  earlier: ReadonlyMap<string, AttackResult>;
}

export interface Scenario {
  /** Kebab-case name shown in the table, e.g. `sql-injection`. */
  name: string;
  /** The scenario's own budget, when it is not the per-scenario default. */
  budget?: (limits: Limits) => Budget;
  run(context: ScenarioContext): Promise<Finding>;
}
