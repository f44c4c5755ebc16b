/** Shared by the sim tests: run a scenario over a range of seeds and list every failing seed. */
import { loadScenario } from '../../sim/scenario';
import { runSimulation, violationsOf } from '../../sim/simulation';

/** Seeds per scenario in CI (the issue asks for at least 100). */
export const ciSeedsCount = 100;
/** Per test: the runs are CPU-bound, this bounds a stuck scheduler, not the expected time. */
export const scenarioTimeoutMs = 240_000;

export interface KnownDefect {
  scenario: string;
  /** The invariant these seeds break (the checker's name for it). */
  invariant: string;
  seeds: number[];
  why: string;
}

/**
 * (scenario, seed) pairs that break an invariant because of open defects in the protocol, found
 * by this simulator and not fixed yet ("Protocol v2" empties this list). The scenario suites skip
 * exactly these seeds; regressions.test.ts asserts that each still fails with its invariant, so a
 * fix shows up as a failing test to update. The bench prints the list. Regenerate with
 * `npx tsx test/sim/known-defects.ts` after a checker or protocol change.
 */
export const knownDefects: KnownDefect[] = [
];

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
