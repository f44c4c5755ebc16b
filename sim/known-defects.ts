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

/**
 * Generated scenarios beyond the CI range (scenario seeds 1-60) that a campaign found failing and
 * that hold since a fix: test/sim/fuzz.test.ts runs them (run seeds 1-2) and they must hold.
 */
export const fuzzRegressions: Array<{ scenarioSeed: number; mode: 'control-plane' | 'gate'; fixed: string }> = [
  { scenarioSeed: 169, mode: 'control-plane', fixed: 'checker: an operator\'s drain override in force on a target automation drained makes it the operator\'s for maxDrained, as the protocol counts it (was max-drained)' },
  { scenarioSeed: 201, mode: 'control-plane', fixed: 'a late drain\'s confirming probe is judged as a round is: a gray target answering 200 slowly no longer holds its drain for good (was dead-left-serving)' },
];

/** A generated scenario (sim/fuzz.ts) that breaks invariants in some of its run seeds. */
export interface KnownFuzzDefect {
  /** generateScenario(scenarioSeed, mode). */
  scenarioSeed: number;
  mode: 'control-plane' | 'gate';
  /** Run seed → the invariants it breaks (the checker's names), every one of them. */
  runs: Record<number, string[]>;
  why: string;
}

/**
 * Open defects found by generated scenarios (`npx tsx sim/fuzz.ts`), inside the fault hypothesis:
 * scenario seeds 1–60 in both modes, run seeds 1–2, as test/sim/fuzz.test.ts runs them. That test
 * asserts the failing runs are exactly these, so a fix (or a new failure) shows up as a change to
 * this list. Found 2026-12-04; the causes below are what was traced, and the ones marked "not
 * traced" are listed with their symptom only. Fixed since, and so no longer listed:
 *   - control-plane 22: a late drain confirmed by the deciding observer's probe alone, and that
 *     observer the impaired one; a late drain now needs a quorum of rounds sent after its
 *     confirming probe (DecideRuntime.unconfirmedLate);
 *   - gate 35: a checker gap: a data-plane drain is judged when the gate answered it, as a change
 *     batch is when it is sent (Route 53's checkers take up to voteReadEstimateMs to read it);
 *   - control-plane 56: a harness gap: the run ended while a restore delayed by route-flap
 *     dampening was still PENDING; generated runs now last generatedLivenessMs after the faults.
 */
export const knownFuzzDefects: KnownFuzzDefect[] = [
  {
    scenarioSeed: 7, mode: 'gate', runs: { 1: ['false-drain'], 2: ['false-drain'] },
    why: 'data plane, maxDrained 1: a new drain withheld while a held drain is released (settled votes) is voted after its gray fault has ended; Route 53 drains eu-west-1 13.7 s (seed 1) after it recovered',
  },
  {
    scenarioSeed: 40, mode: 'control-plane', runs: { 2: ['override-honoured'] },
    why: 'partly traced (a liveness gap): an operator drain written into eu-west-1\'s replica 8 s before that replica became unavailable for 105 s, under replication lag up to 34 s and correlated bus loss 0.4 ending 0.5 s after the write. eu-west-1 (165 s) and us-east-1 (173 s) propose it; eu-west-1 then cannot decide without its replica (readView fails every pass, though the truth counts it linked by the bus), us-east-1\'s events are cut off and it dies at 211 s, and ap-southeast-2 proposes it only at 281 s, after the replica returned (the override\'s replication waits for it). Whether its event, or eu-west-1\'s proposal event, reached ap-southeast-2 is not traced',
  },
  {
    scenarioSeed: 51, mode: 'gate', runs: { 1: ['false-drain'], 2: ['false-drain', 'cooldown'] },
    why: 'data plane, maxDrained 1: as seed 7 (the withheld drain of gray us-east-1 is voted 19 s after its fault ended); in run seed 2 the held drain\'s restore also reached Route 53 1.6 s inside the cooldown, which counts from the decision\'s stamp while Route 53 read the drain later (adding voteSettleMs to the margin was tried and did not remove it)',
  },
  {
    scenarioSeed: 56, mode: 'gate', runs: { 1: ['cooldown', 'false-drain', 'recovery-hold'], 2: ['cooldown', 'false-drain', 'recovery-hold'] },
    why: 'data plane, maxDrained 1, eu-west-1 down twice while ap-southeast-2 is gray: after the faults, Route 53 restores ap-southeast-2 134 s after its drain with no observer judging it healthy for the hold, then drains eu-west-1 38 s after it recovered; the swap of a held drain for a new one runs after both faults have ended (not traced further)',
  },
  {
    scenarioSeed: 340, mode: 'gate', runs: { 1: ['cooldown', 'false-drain', 'max-drained', 'recovery-hold'], 2: ['cooldown', 'max-drained', 'recovery-hold'] },
    why: 'found by a campaign beyond the CI range (run by fuzz.test.ts as a listed seed). Data plane, maxDrained 1, replication lag up to 92 s: a decision releases eu-west-1 (recovered) for ap-southeast-2 (down); eu-west-1\'s gate, revived without a held vote, votes ap-southeast-2 at once while the other gates still vote eu-west-1 from their lagging views, and one live drain vote drains (CALCULATED threshold n): both drained for 18 s (run 1) and 37 s (run 2). Votes are settled per gate, not across gates',
  },
];
