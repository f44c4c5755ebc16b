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
 * by this simulator and not fixed yet ("Protocol v2" empties this list). The scenario suites skip
 * exactly these seeds; regressions.test.ts asserts that each still fails with its invariant, so a
 * fix shows up as a failing test to update. The bench prints the list. Regenerate with
 * `npx tsx test/sim/find-known-defects.ts` after a checker or protocol change.
 */
export const knownDefects: KnownDefect[] = [
  { scenario: 'failover-metric-release-held-drain', invariant: 'dead-left-serving', seeds: [1, 3, 7, 8, 11, 12, 16, 18, 19, 20, 26, 34, 37, 42, 44, 49, 54, 55, 62, 63, 68, 71, 79, 81, 82, 84, 85, 86, 90, 92, 94, 95, 96, 99], why: "metric votes are slow (datapoint → once-a-minute alarm over a 60 s period → Route 53's read of the alarm; a release first waits voteSettleMs = 158 s to settle): the second dead target keeps serving past the 120 s bound (Route 53 reads standard-resolution alarms only; docs/dataplane.md)" },
  { scenario: 'failover-metric-release-held-drain', invariant: 'held-drain-blocks-failover', seeds: [2, 4, 5, 6, 9, 10, 13, 14, 15, 17, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32, 33, 35, 36, 38, 39, 40, 41, 43, 45, 46, 47, 48, 50, 51, 52, 53, 56, 57, 58, 59, 60, 61, 64, 65, 66, 67, 69, 70, 72, 73, 74, 75, 76, 77, 78, 80, 83, 87, 88, 89, 91, 93, 97, 98, 100], why: 'metric votes are slow: while the held drain is being released (voteSettleMs = 158 s) and the new drain read by Route 53, the second dead target keeps serving past the 120 s bound (docs/dataplane.md)' },
  { scenario: 'failover-metric-release-held-drain', invariant: 'false-drain', seeds: [3, 8, 11, 14, 16, 17, 18, 33, 34, 40, 42, 44, 46, 52, 54, 67, 68, 78, 84, 86, 88, 95], why: 'metric votes detect in 75–90 s: a first fault of 60–100 s has often ended by the time Route 53 reads the alarm, which then drains a target that is fine again (docs/dataplane.md)' },
  { scenario: 'failover-metric-release-held-drain', invariant: 'cooldown', seeds: [6, 10, 12, 13, 15, 23, 41, 44, 48, 64, 75, 80, 87, 92], why: 'metric votes: the held drain is restored ahead of the new drain (settled votes), and the new drain reaches Route 53 more than voteSettleMs (158 s) later, so the release counts as a restore inside the flip cooldown' },
];
