/** The open defects the simulator finds in today's protocol: read by the scenario suites (test/sim), printed by the bench. */
export interface KnownDefect {
  scenario: string;
  /** The invariant these seeds break (the checker's name for it). */
  invariant: string;
  seeds: number[];
  why: string;
}

/**
 * (scenario, seed) pairs that break an invariant because of open defects in the protocol, found
 * by this simulator and not fixed yet (empty since protocol v2 and the removal of metric votes). The scenario suites skip
 * exactly these seeds; regressions.test.ts asserts that each still fails with its invariant, so a
 * fix shows up as a failing test to update. The bench prints the list. Regenerate with
 * `npx tsx test/sim/find-known-defects.ts` after a checker or protocol change.
 */
export const knownDefects: KnownDefect[] = [];
