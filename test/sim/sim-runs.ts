/** Shared by the sim tests: run a scenario over a range of seeds and list every failing seed. */
import { loadScenario } from '../../sim/scenario';
import { runSimulation } from '../../sim/simulation';

/** Seeds per scenario in CI (the issue asks for at least 100). */
export const ciSeedsCount = 100;
/** Per test file: the runs are CPU-bound, this bounds a stuck scheduler, not the expected time. */
export const scenarioTimeoutMs = 240_000;

/**
 * Seeds that break an invariant because of open defects in the core, found by this simulator and
 * not fixed yet. The scenario suites skip exactly these seeds; regressions.test.ts asserts that
 * each still fails with its invariant, so a fix shows up as a failing test to update.
 */
export const knownDefects: Record<string, { seeds: number[]; invariant: string; why: string }> = {
};

export async function failingSeeds(name: string, firstSeed: number, count: number): Promise<string[]> {
  const scenario = loadScenario(name);
  const failures: string[] = [];
  const skipped = knownDefects[name]?.seeds ?? [];
  for (let seed = firstSeed; seed < firstSeed + count; seed += 1) {
    if (skipped.includes(seed)) continue;
    const result = await runSimulation(scenario, seed);
    if (!result.check.valid) {
      const f = result.check.failedAt;
      failures.push(`seed ${seed}: ${f.invariant} at ${f.atMs} ms (step ${f.step}): ${f.detail} — replay: npx arbiter simulate --scenario ${name} --seed ${seed}`);
    }
  }
  return failures;
}
