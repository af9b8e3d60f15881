// What one attack scenario found: the requests it made, how the defense answered them, and
// whether the attacker got what it wanted. The verdict follows from those counts alone.

import {
  isAccepted,
  isBlocked,
  isRefused,
  isServerError,
  outcomeLabel,
  type Outcome,
} from './attacker.ts';

/**
 * SUCCEEDED: the attacker got what it wanted. BLOCKED: the defense answered 403/429 or closed the
 * connection at least once, or the scenario found the attack refused before it cost anything
 * (`Finding.blocked`). DETECTED: refused with ordinary 4xx answers only (or, for the flood,
 * served without harm). INCONCLUSIVE: the scenario could not set itself up (say a 500 on
 * registration), so it says nothing about the defense.
 */
export type Verdict = 'BLOCKED' | 'DETECTED' | 'SUCCEEDED' | 'INCONCLUSIVE';

export interface AttackResult {
  attack: string;
  /** Attack requests sent (setup requests such as registering the attacker are not counted). */
  attempts: number;
  /** Attempts refused with an ordinary 4xx (400, 401, 404, 409, 422 ...). */
  detected: number;
  /** Attempts answered 403 or 429, or whose connection the server closed. */
  blocked: number;
  succeeded: boolean;
  verdict: Verdict;
  /** 1-based attempt number of the first blocked attempt, or null when none was blocked. */
  firstBlockedAt: number | null;
  notes: string;
}

/** A scenario's own judgement; the runner adds the counts from its tally. */
export interface Finding {
  succeeded: boolean;
  notes: string[];
  /** The defense stopped the attack in a way no 403/429 shows, say by refusing it cheaply. */
  blocked?: boolean;
}

/** Counts the answers to a scenario's attack requests. */
export class Tally {
  attempts = 0;
  detected = 0;
  blocked = 0;
  accepted = 0;
  serverErrors = 0;
  silent = 0;
  firstBlockedAt: number | null = null;
  private readonly labels = new Map<string, number>();

  /** Records one attack request's outcome and hands it back. */
  record(outcome: Outcome): Outcome {
    this.attempts += 1;
    if (isBlocked(outcome)) {
      this.blocked += 1;
      this.firstBlockedAt ??= this.attempts;
    } else if (isRefused(outcome)) this.detected += 1;
    else if (isAccepted(outcome)) this.accepted += 1;
    else if (isServerError(outcome)) this.serverErrors += 1;
    else if (outcome.kind === 'silent') this.silent += 1;
    const label = outcomeLabel(outcome);
    this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
    return outcome;
  }

  /** "401 INVALID_CREDENTIALS x48, 429 RATE_LIMITED x2", most frequent first. */
  answers(): string {
    return [...this.labels]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} x${n}`)
      .join(', ');
  }
}

export function verdictOf(succeeded: boolean, tally: Tally, blocked = false): Verdict {
  if (succeeded) return 'SUCCEEDED';
  return tally.blocked > 0 || blocked ? 'BLOCKED' : 'DETECTED';
}

export function resultOf(
  attack: string,
  tally: Tally,
  finding: Finding,
  verdict: Verdict = verdictOf(finding.succeeded, tally, finding.blocked),
): AttackResult {
  const answers = tally.attempts > 0 ? [`answers: ${tally.answers()}`] : [];
  return {
    attack,
    attempts: tally.attempts,
    detected: tally.detected,
    blocked: tally.blocked,
    succeeded: finding.succeeded,
    verdict,
    firstBlockedAt: tally.firstBlockedAt,
    notes: [...finding.notes, ...answers].join('; '),
  };
}
