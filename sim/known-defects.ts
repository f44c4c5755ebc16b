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
  { scenario: 'fail-static-us-east-1-down-takes-route53', invariant: 'quorum-evidence', seeds: [2, 5, 11, 16, 19, 24, 30, 33, 39, 47, 51, 52, 57, 62, 66, 73, 76, 78, 80, 91, 96], why: 'us-east-1 returns with the Route 53 control plane and applies its own stale drain of itself (evidence from before it died), after the fault ended' },
  { scenario: 'failover-alarm-indicts-flaky-target', invariant: 'quorum-evidence', seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100], why: "the indict alarm drains the flaky target at once (as configured), but today's checker counts only probe verdicts as evidence, not alarm signals: a checker gap" },
  { scenario: 'failover-held-drain-blocks-new-dead-target', invariant: 'quorum-evidence', seeds: [19, 80], why: 'with maxDrained 1, the recovered eu-west-1 held drained by hysteresis blocks draining the dead ap-southeast-2 for its whole outage; the drain lands after it recovered (issue 13 story 2; every seed keeps the dead target serving, the checker sees only these)' },
  { scenario: 'failover-replication-lag-beyond-freshness', invariant: 'quorum-evidence', seeds: [19, 48, 55, 68], why: 'with replication lag above the freshness window no pass holds a quorum during the outage; the drain lands after the target recovered, on stale evidence (issue 13 story 3)' },
  { scenario: 'failover-replication-lag-beyond-freshness', invariant: 'must-fail-over', seeds: [22, 33, 38, 42, 47, 96, 99], why: 'with replication lag above the freshness window no pass ever holds a quorum: the dead target is never drained during the safety phase (issue 13 story 3)' },
  { scenario: 'no-move-blind-observer-plus-blip', invariant: 'minority-never-moves-traffic', seeds: [4, 5, 6, 7, 8, 10, 11, 15, 16, 17, 18, 19, 21, 23, 24, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 39, 40, 41, 45, 46, 47, 52, 53, 54, 55, 56, 59, 60, 61, 62, 64, 65, 69, 71, 73, 75, 76, 78, 81, 82, 86, 91, 94, 98, 99, 100], why: 'one observer blind to eu-west-1 plus one 8-10 s blip on another path completes 2 of 3: the healthy target is drained (issue 13 story 1)' },
  { scenario: 'no-move-metric-blind-observer-plus-blip', invariant: 'minority-never-moves-traffic', seeds: [4, 5, 6, 7, 8, 10, 11, 15, 16, 17, 18, 19, 24, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 39, 40, 41, 46, 47, 52, 53, 54, 55, 56, 62, 64, 65, 69, 71, 73, 75, 78, 81, 82, 86, 91, 94, 98, 99, 100], why: 'metric mode: the blind observer and the blip make a quorum of drain votes, and the alarm (Maximum over 60 s) keeps the blip vote a minute: the healthy target is drained (issue 13 stories 1 and 7)' },
  { scenario: 'no-move-metric-blind-observer-plus-blip', invariant: 'quorum-evidence', seeds: [21, 23, 45, 59, 60, 61, 76], why: 'metric mode: the alarm holds a drain vote after the verdicts that justified it are stale, so the health check fails without current quorum evidence (issue 13 story 7)' },
  { scenario: 'no-move-gate-blind-observer-plus-blip', invariant: 'minority-never-moves-traffic', seeds: [4, 5, 6, 7, 8, 10, 11, 15, 16, 17, 18, 19, 21, 23, 24, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 39, 40, 41, 45, 46, 47, 52, 53, 54, 55, 56, 59, 60, 61, 62, 64, 65, 69, 71, 73, 75, 76, 78, 81, 82, 86, 91, 94, 98, 99, 100], why: 'gate mode: the same minority-plus-blip quorum of drain votes fails the healthy target through the gates (issue 13 story 1)' },
];

