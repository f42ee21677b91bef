import type { CompiledPolicy } from './compile.js';
import type { PolicyState } from './state.js';
import { stateKey } from './stateful.js';

/**
 * The limits that stop a runaway policy, counted in the policy state so that a restart or a rebuilt
 * partition keeps counting where the last run stopped. Each returns the reason when the limit is hit.
 */

const DAY_MS = 86_400_000;

/** The day's match counter a run keeps in memory, read back from the state when the day changes. */
export interface MatchDay {
  matchDay: number;
  matchCount: number;
}

/** Counts a match against `auto_disable.max_matches_per_day`, per version: a fixed version deployed the same day starts afresh. */
export function countDailyMatch(state: PolicyState, policy: CompiledPolicy, counter: MatchDay, t: number): string | null {
  const day = Math.floor(t / DAY_MS);
  const key = stateKey(policy.id, 'm', `${day}/v${policy.version}`);
  if (counter.matchDay !== day) {
    counter.matchDay = day;
    counter.matchCount = (state.get(key) as number | undefined) ?? 0;
  }
  counter.matchCount++;
  state.set(key, counter.matchCount);
  const limit = policy.policy.auto_disable.max_matches_per_day;
  if (counter.matchCount <= limit) return null;
  const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
  return `matched more than ${limit} records on ${date} (its auto_disable limit); review the detection, then deploy a new version`;
}

/** Takes one of the day's `alert.daily_limit` new alerts; over the limit, `tell` is true the first time that day. */
export function takeDailyAlert(state: PolicyState, policy: CompiledPolicy, dayStartMs: number): { allowed: true } | { allowed: false; tell: boolean } {
  const key = stateKey(policy.id, 'l', String(Math.floor(dayStartMs / DAY_MS)));
  const raised = (state.get(key) as { n: number; told: boolean } | undefined) ?? { n: 0, told: false };
  if (raised.n >= policy.policy.alert.daily_limit) {
    const tell = !raised.told;
    if (tell) state.set(key, { ...raised, told: true });
    return { allowed: false, tell };
  }
  state.set(key, { ...raised, n: raised.n + 1 });
  return { allowed: true };
}

/**
 * Counts the targets a command plan would act on against the hour's safety limit (`max` distinct
 * targets), recording them when the plan stays within it; a target already acted on this hour counts once.
 */
export function takeSafetyTargets(state: PolicyState, policy: CompiledPolicy, targets: ReadonlyArray<string | null>, nowMs: number, max: number): string | null {
  const key = stateKey(policy.id, 's', String(Math.floor(nowMs / 3_600_000)));
  const acted = (state.get(key) as { targets: string[] } | undefined) ?? { targets: [] };
  const fresh = [...new Set(targets.filter((k): k is string => k !== null && !acted.targets.includes(k)))];
  if (acted.targets.length + fresh.length > max) {
    return `would act on more than ${max} targets within an hour (its safety limit); it keeps alerting but requests no action until it is resumed or a new version is deployed`;
  }
  if (fresh.length > 0) state.set(key, { targets: [...acted.targets, ...fresh] });
  return null;
}
