/** Shared by the sim tests: run a scenario over a range of seeds and list every failing seed. */
import { loadScenario } from '../../sim/scenario';
import { knownDefects } from '../../sim/known-defects';
import { runSimulation, violationsOf } from '../../sim/simulation';

export { knownDefects, type KnownDefect } from '../../sim/known-defects';

/** Seeds per scenario in CI (the issue asks for at least 100). */
export const ciSeedsCount = 100;
/** Per test: the runs are CPU-bound, this bounds a stuck scheduler, not the expected time. */
export const scenarioTimeoutMs = 240_000;

export function knownDefectSeeds(name: string): Set<number> {
  return new Set(knownDefects.filter((d) => d.scenario === name).flatMap((d) => d.seeds));
}

/** The command that replays one run exactly (a scenario given as a file path replays by that path). */
export function replayCommand(nameOrFile: string, seed: number): string {
  return `npx arbiter simulate --scenario ${nameOrFile} --seed ${seed}`;
}

export async function failingSeeds(name: string, firstSeed: number, count: number): Promise<string[]> {
  const scenario = loadScenario(name);
  const failures: string[] = [];
  const skipped = knownDefectSeeds(name);
  for (let seed = firstSeed; seed < firstSeed + count; seed += 1) {
    if (skipped.has(seed)) continue;
    const result = await runSimulation(scenario, seed);
    for (const v of violationsOf(result.check)) {
      failures.push(`seed ${seed}: ${v.invariant}${v.target ? ` (${v.target})` : ''} at ${v.atMs} ms: ${v.detail} — replay: ${replayCommand(name, seed)}`);
    }
  }
  return failures;
}
