/**
 * Seeds that once broke an invariant, kept as regression tests, and the checker's own teeth.
 *
 * failover-hard-outage seeds 1, 2, 3, 7, 8, 10, 11, 13, 14, 16, 17 (before the fixes in the same
 * change as this file): about 400 s in, after the target recovered and one region restored it, a
 * second region drained it again with no observer judging it unhealthy ("quorum-evidence"), and
 * the two kept flipping it (up to 18 flips). Two causes:
 *   1. decide() counted a proposal made under the older applied state ("keep eu-west-1 drained")
 *      as a vote to drain it again once a newer decision had restored it → proposals now carry
 *      `fromState`, and a vote to change counts only against the state its proposer saw;
 *   2. a decide pass slowed by Route 53 throttling applied its stale decision after another region
 *      had moved Route 53 → every change is now a compare-and-swap on the zone's register (protocol
 *      v2), so a batch planned from a stale state is refused whole (a 5 s settle-and-re-read, a 90 s
 *      drift hold, then reading Route 53 before every pass, were earlier, weaker fixes).
 *
 * overrides-concurrent-two-regions seeds 20, 31, 37, 45, 72, 100: two regions applied two different
 * drains at once, each batch planned from a Route 53 read taken before the other landed, leaving
 * one target serving under minServing 2 for about 5 s. Each batch now UPSERTs every bound record
 * of its zone at the decided weight (wholeZonePlan), so the zone holds one whole decision or the
 * other, each safe on its own. Seeds 37 and 72 then failed on quorum-evidence: with skewed clocks a
 * region took the applied record with the latest (skewed) decidedMs as the last applied state while
 * Route 53 held the other decision, and its cooldown "kept" a drain that was never in Route 53.
 * Applied records are now ordered by Route 53's change count (the registers' epochs), not by clocks.
 *
 * failover-route53-throttling-storm seed 60: the first plan of a decide pass took the stored applied
 * record's hysteresis times, the re-plan after reading Route 53 the register's; the two proposals
 * differed, each was written and published, and the region's own events re-ran it at the same
 * instant until memory ran out. Both plans now start from Route 53's state (remembered or read).
 *
 * fail-static-us-east-1-down-takes-route53 (98 of 100 seeds before): a drain decided while
 * us-east-1 and the Route 53 API were down landed the moment both returned, on probes taken before.
 * A late drain is now sent only after Route 53 answered and on a probe taken after that.
 *
 * overrides-forced-drain-below-min-serving-ended (restore-while-failing in 16, cooldown in 25 of 100
 * seeds before): seed 1, a region whose replica had neither the operator's forced drain of us-east-1
 * nor a quorum for it saw one target serving under minServing 2 and restored the dead
 * ap-southeast-2; a fail-static drain now counts as serving for the rule, as a forced one does.
 * Seed 3, after the operator ended the override: a pass that learnt the end from an event forgot it
 * in its next pass (the replica had not got it), proposed the forced drain again and, with a peer in
 * the same state, re-drained us-east-1 1 s after its restore; proposals now remember override ends.
 *
 * failover-gate-second-region-dies (100 of 100 seeds before the issue-14 merge): the gate failed
 * open, restoring the dead first region when a second died; a gate-voted CALCULATED check now needs
 * every child healthy, so a survivor's drain vote holds the drain.
 *
 * failover-replication-lag-spikes seeds 32, 79, 95: with 20–30 s replication lag, regions whose
 * replica still showed the older applied state undid a newer quorum drain again and again (up to
 * 14 flips) under the 5 s settle; the 90 s drift hold ended it.
 */
import { decide, type Proposal, type Region, type RoutingState } from '../../shared/domain';
import { checkHistory } from '../../sim/checker';
import { History } from '../../sim/history';
import { loadScenario } from '../../sim/scenario';
import { simConfig } from '../../sim/sim-config';
import { closeSeedPool, isKnownDefect, knownDefectCases, runSeed } from './sim-runs';

afterAll(closeSeedPool);

const regressionSeeds = [1, 2, 3, 7, 8, 10, 11, 13, 14, 16, 17];

function proposal(observer: Region, state: RoutingState, fromState: RoutingState, createdMs: number): Proposal {
  const targets: Proposal['targets'] = {};
  for (const target of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
    const s = target === 'eu-west-1' ? state : 'serving';
    const from = target === 'eu-west-1' ? fromState : 'serving';
    targets[target] = { target, state: s, cause: s === 'drained' ? 'recovery-hold' : 'healthy', reason: '', tally: { target, quorum: 2, healthy: 3, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, healthyQuorumSinceMs: null, overrideId: null, fromState: from };
  }
  return { observer, seq: 1, createdMs, targets, refusals: [] };
}

describe('simulator regressions', () => {
  it.concurrent.each(regressionSeeds)('failover-hard-outage seed %i: a restored target is never re-drained by stale proposals', async (seed) => {
    const result = await runSeed('failover-hard-outage', seed);
    expect(result.violations.filter((v) => !isKnownDefect('failover-hard-outage', seed, v.invariant))).toEqual([]);
    expect(result.flipsMax).toBeLessThanOrEqual(2);
  }, 60_000);

  it.concurrent.each([32, 79, 95])('failover-replication-lag-spikes seed %i: drift repair never undoes a newer decision', async (seed) => {
    const result = await runSeed('failover-replication-lag-spikes', seed);
    expect(result.violations.filter((v) => !isKnownDefect('failover-replication-lag-spikes', seed, v.invariant))).toEqual([]);
    expect(result.flipsMax).toBeLessThanOrEqual(2);
  }, 60_000);

  it.concurrent.each([1, 3, 9, 14, 30])('overrides-forced-drain-below-min-serving-ended seed %i: a forced drain not seen everywhere yet, and its end, never make a region restore a dead target or re-drain a restored one', async (seed) => {
    const result = await runSeed('overrides-forced-drain-below-min-serving-ended', seed);
    expect(result.violations).toEqual([]);
  }, 60_000);

  it.concurrent.each([1, 2, 3])('failover-gate-second-region-dies seed %i: the gate fails static, the dead first region stays drained', async (seed) => {
    const result = await runSeed('failover-gate-second-region-dies', seed);
    expect(result.violations).toEqual([]);
  }, 60_000);

  it.concurrent.each([20, 31, 37, 45, 72, 100])('overrides-concurrent-two-regions seed %i: two regions applying different drains at once never leave fewer than minServing serving', async (seed) => {
    const result = await runSeed('overrides-concurrent-two-regions', seed);
    expect(result.violations.filter((v) => !isKnownDefect('overrides-concurrent-two-regions', seed, v.invariant))).toEqual([]);
  }, 60_000);

  it('failover-route53-throttling-storm seed 60: a decide pass never writes two different proposals (a storm that once ran the simulator out of memory)', async () => {
    const result = await runSeed('failover-route53-throttling-storm', 60);
    expect(result.violations).toEqual([]);
    expect(result.flipsMax).toBeLessThanOrEqual(2);
  }, 60_000);

  it('decide() does not count stale "keep drained" proposals as votes to drain a restored target', () => {
    const config = simConfig({ name: 'unit', config: {} });
    const restored = { observer: 'us-east-1', decisionId: 'd-restore', decidedMs: 1_000, appliedMs: 1_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as Record<Region, RoutingState>, changeId: 'C1', lastFlipMs: { 'eu-west-1': 1_000 } };
    const stale = [proposal('eu-west-1', 'drained', 'drained', 900), proposal('ap-southeast-2', 'drained', 'drained', 950), proposal('us-east-1', 'serving', 'drained', 990)];
    const decision = decide({ config, nowMs: 1_100, proposals: stale, lastApplied: restored, proposalFreshnessMs: 60_000 });
    expect(decision.routing['eu-west-1']).toBe('serving');
    expect(decision.changed).toEqual([]);
  });

  it('decide() still drains on a quorum of proposals that saw the target serving', () => {
    const config = simConfig({ name: 'unit', config: {} });
    const fresh = [proposal('eu-west-1', 'drained', 'serving', 900), proposal('ap-southeast-2', 'drained', 'serving', 950)];
    const decision = decide({ config, nowMs: 1_000, proposals: fresh, lastApplied: null, proposalFreshnessMs: 60_000 });
    expect(decision.routing['eu-west-1']).toBe('drained');
  });
});

/** One run per (scenario, seed), however many invariants it is listed under. */
const knownDefectRuns = new Map<string, ReturnType<typeof runSeed>>();
function knownDefectRun(scenario: string, seed: number): ReturnType<typeof runSeed> {
  const key = `${scenario}#${seed}`;
  if (!knownDefectRuns.has(key)) knownDefectRuns.set(key, runSeed(scenario, seed));
  return knownDefectRuns.get(key)!;
}

// Open defects (sim/known-defects.ts): each listed seed must still break its invariant, so a fix shows up as a test to update.
if (knownDefectCases().length > 0) describe('known defects (open; see sim/known-defects.ts)', () => {
  it.concurrent.each(knownDefectCases())('%s seed %i still breaks %s: when this fails, the defect is fixed, so remove the seed from knownDefects', async (scenario, seed, invariant) => {
    const result = await knownDefectRun(scenario, seed);
    expect(result.violations.map((v) => v.invariant)).toContain(invariant);
  }, 60_000);
});

describe('checker', () => {
  const scenario = loadScenario('no-move-observer-partition');
  const config = simConfig(scenario);
  const allServing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;

  it('fails a drain that only one observer judged unhealthy, naming the step and the invariant', () => {
    const history = new History();
    history.add({ atMs: 10_000, kind: 'verdict', observer: 'us-east-1', target: 'eu-west-1', status: 'unhealthy', reason: 'partitioned' });
    history.add({ atMs: 12_000, kind: 'dns-change', observer: 'us-east-1', changeId: 'C1', decisionId: 'd1', changes: [{ target: 'eu-west-1', fromWeight: 100, toWeight: 0 }], insyncAtMs: 20_000 });
    const result = checkHistory({ config, scenario, history, clockSkewMsMax: 0, final: { endMs: 400_000, route53: { ...allServing, 'eu-west-1': 'drained' }, views: [] } });
    expect(result.violations).toContainEqual(expect.objectContaining({ step: 1, invariant: 'quorum-evidence', target: 'eu-west-1', atMs: 12_000 }));
  });

  it('fails a run whose Route 53 never converged after the faults stopped', () => {
    const history = new History();
    const result = checkHistory({ config, scenario, history, clockSkewMsMax: 0, final: { endMs: 400_000, route53: allServing, views: [{ region: 'us-east-1', applied: { ...allServing, 'eu-west-1': 'drained' }, proposal: null }] } });
    expect(result).toMatchObject({ valid: false, failedAt: { invariant: 'convergence' } });
  });

  it('accepts a quiet history where every view agrees with Route 53', () => {
    const result = checkHistory({ config, scenario, history: new History(), clockSkewMsMax: 0, final: { endMs: 400_000, route53: allServing, views: [{ region: 'us-east-1', applied: allServing, proposal: allServing }] } });
    expect(result).toEqual({ valid: true, violations: [] });
  });
});
