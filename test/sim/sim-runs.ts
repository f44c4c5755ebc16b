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
