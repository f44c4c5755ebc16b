/** Shared by the sim tests: run a scenario over a range of seeds and list every failing seed. */
import { formatViolation } from '../../sim/checker';
import { loadScenario } from '../../sim/scenario';
import { runSimulation } from '../../sim/simulation';

/** Seeds per scenario in CI (the issue asks for at least 100). */
export const ciSeedsCount = 100;
/** Per test file: the runs are CPU-bound, this bounds a stuck scheduler, not the expected time. */
export const scenarioTimeoutMs = 240_000;

export interface KnownDefect {
  invariant: string;
  seeds: number[];
  why: string;
}

/**
 * (scenario, invariant) pairs that open defects in the core still break, found by this simulator
 * and not fixed yet, with the seeds (of 1…ciSeedsCount) that break them. The scenario suites
 * accept exactly those violations on exactly those seeds — every other invariant must still hold
 * on them — and regressions.test.ts asserts that each listed seed still breaks its invariant, so a
 * fix shows up as a failing test to update. README lists them as open.
 */
export const knownDefects: Record<string, KnownDefect[]> = {
  'bounded-flips-flapping-target': [
    { invariant: 'lost-update', seeds: [2, 10, 16, 20, 21, 22, 23, 25, 26, 28, 29, 30, 32, 33, 37, 39, 40, 43, 44, 48, 50, 51, 63, 65, 67, 69, 71, 75, 77, 80, 81, 83, 85, 86, 87, 89, 92, 93, 94, 96], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'drill-dies-override-expires': [
    { invariant: 'lost-update', seeds: [1, 3, 4, 5, 7, 10, 12, 15, 24, 33, 36, 37, 38, 40, 43, 52, 54, 71, 73, 76, 77, 85, 91, 92, 93, 94, 96], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'failover-gray-failure': [
    { invariant: 'lost-update', seeds: [1, 2, 4, 7, 8, 9, 11, 12, 15, 16, 21, 27, 28, 31, 32, 36, 43, 49, 51, 54, 63, 66, 69, 70, 71, 72, 75, 76, 77, 78, 85, 88, 90, 91, 92, 93, 96, 100], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'failover-hard-outage': [
    { invariant: 'lost-update', seeds: [2, 10, 16, 20, 21, 22, 23, 25, 26, 28, 29, 30, 32, 33, 37, 39, 40, 43, 44, 48, 50, 51, 63, 65, 67, 69, 71, 75, 77, 80, 81, 83, 85, 86, 87, 89, 92, 93, 94, 96], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
    { invariant: 'cooldown', seeds: [58], why: 'withRouteState takes the flip time from the older stored decision when Route 53 differs, so a restore can come before flipCooldownMs in true time' },
  ],
  'failover-lost-events': [
    { invariant: 'lost-update', seeds: [56, 58, 96], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'failover-observer-region-down': [
    { invariant: 'lost-update', seeds: [3, 10, 20, 36, 78], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'failover-replication-lag-spikes': [
    { invariant: 'lost-update', seeds: [10, 22, 24, 27, 28, 33, 40, 43, 53, 59, 61, 89, 93, 96, 97], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
    { invariant: 'cooldown', seeds: [95], why: 'withRouteState takes the flip time from the older stored decision when Route 53 differs, so a restore can come before flipCooldownMs in true time' },
  ],
  'failover-route53-outage-10min': [
    { invariant: 'cooldown', seeds: [25, 32], why: 'withRouteState takes the flip time from the older stored decision when Route 53 differs, so a restore can come before flipCooldownMs in true time' },
    { invariant: 'lost-update', seeds: [43, 100], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'failover-route53-throttling-storm': [
    { invariant: 'dead-left-serving', seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100], why: "decide's Route 53 reads compete with its applies for the throttled API: the drain lands minutes late" },
    { invariant: 'false-drain', seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100], why: 'the drain decided during the outage lands after the target has recovered (throttled applies retried past the fault)' },
    { invariant: 'cooldown', seeds: [34, 48, 73, 77], why: 'withRouteState takes the flip time from the older stored decision when Route 53 differs, so a restore can come before flipCooldownMs in true time' },
    { invariant: 'lost-update', seeds: [73, 82], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],
  'min-serving-all-targets-down': [
    { invariant: 'lost-update', seeds: [1, 2, 6, 8, 9, 11, 17, 19, 22, 26, 27, 31, 38, 48, 49, 58, 62, 63, 67, 74, 77, 78, 79, 83, 86, 90, 94, 97, 99], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
    { invariant: 'cooldown', seeds: [35, 62, 82, 83], why: 'withRouteState takes the flip time from the older stored decision when Route 53 differs, so a restore can come before flipCooldownMs in true time' },
  ],
  'overrides-concurrent-two-regions': [
    { invariant: 'lost-update', seeds: [4, 5, 7, 14, 15, 27, 29, 38, 41, 45, 49, 50, 55, 67, 73, 74, 84, 85, 86, 87, 90, 91, 95, 96, 100], why: 'several regions apply the same decision, each planned from its own earlier Route 53 read (UPSERT has no precondition): one decision, several changes' },
  ],

};

/** Each listed (scenario, seed, invariant), for the regression suite. */
export function knownDefectCases(): Array<readonly [string, number, string]> {
  return Object.entries(knownDefects).flatMap(([scenario, defects]) => defects.flatMap((d) => d.seeds.map((seed) => [scenario, seed, d.invariant] as const)));
}

export function isKnownDefect(name: string, seed: number, invariant: string): boolean {
  return (knownDefects[name] ?? []).some((d) => d.invariant === invariant && d.seeds.includes(seed));
}

export async function failingSeeds(name: string, firstSeed: number, count: number): Promise<string[]> {
  const scenario = loadScenario(name);
  const failures: string[] = [];
  for (let seed = firstSeed; seed < firstSeed + count; seed += 1) {
    const result = await runSimulation(scenario, seed);
    for (const v of result.check.violations) {
      if (isKnownDefect(name, seed, v.invariant)) continue;
      failures.push(`seed ${seed}: ${formatViolation(v, `npx arbiter simulate --scenario ${name} --seed ${seed}`)}`);
    }
  }
  return failures;
}
