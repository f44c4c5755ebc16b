/** Shared by the sim tests: run a scenario over a range of seeds and list every violation not known as open. */
import { formatViolation } from '../../sim/checker';
import { knownDefects } from '../../sim/known-defects';
import { runSeeds } from './seed-pool';

export { knownDefects, type KnownDefect } from '../../sim/known-defects';
export { closeSeedPool, runSeed, runSeeds } from './seed-pool';

/** Seeds per scenario in CI (the issue asks for at least 100). */
export const ciSeedsCount = 100;
/** Per test: the runs are CPU-bound, this bounds a stuck scheduler, not the expected time. */
export const scenarioTimeoutMs = 240_000;

/** The command that replays one run exactly (a scenario given as a file path replays by that path). */
export function replayCommand(nameOrFile: string, seed: number): string {
  return `npx arbiter simulate --scenario ${nameOrFile} --seed ${seed}`;
}

/** Each listed (scenario, seed, invariant), for the regression suite. */
export function knownDefectCases(): Array<readonly [string, number, string]> {
  return knownDefects.flatMap((d) => d.seeds.map((seed) => [d.scenario, seed, d.invariant] as const));
}

/** A known open defect accepts exactly its invariant on exactly its seeds: every other invariant must still hold there. */
export function isKnownDefect(name: string, seed: number, invariant: string): boolean {
  return knownDefects.some((d) => d.scenario === name && d.invariant === invariant && d.seeds.includes(seed));
}

/** Every violation of seeds firstSeed… (count of them) not listed as a known defect, with its replay command; the seeds run on the worker pool. */
export async function failingSeeds(name: string, firstSeed: number, count: number): Promise<string[]> {
  const seeds = Array.from({ length: count }, (_, i) => firstSeed + i);
  const failures: string[] = [];
  for (const { seed, violations } of await runSeeds(name, seeds)) {
    for (const v of violations) {
      if (isKnownDefect(name, seed, v.invariant)) continue;
      failures.push(`seed ${seed}: ${formatViolation(v, replayCommand(name, seed))}`);
    }
  }
  return failures;
}
