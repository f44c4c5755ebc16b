import fc from 'fast-check';
import { configInput, makeConfig, makeDataPlaneConfig, regions } from '../../../test/support/fixtures';
import { appliedOf, proposalWanting } from '../../../test/unit/support/core-builders';
import { validateConfig } from '../config';
import { gateAnswer, gateVotes } from './gate';
import { dataPlaneHealthChecks, gatePath } from './health-checks';
import { calculatedStatus, childCheckStatus } from './route53-status';
import { drainVotedMs, settledVotes, unvotedDrains, votedDrains, voteSettleMs } from './vote-settle';
import { fromStateOf } from '../policy/proposal';
import type { Proposal } from '../types';
import { calculatedHealthy, calculatedThreshold, dataPlaneTargets, weightTargets } from './votes';

/** The fixture config with eu-west-1 (vote absent) and ap-southeast-2 (vote: gate) in health-check mode. */
function mixedConfig() {
  const input = configInput();
  input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
  input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'gate' };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const gateHosts = Object.fromEntries(regions.map((r) => [r, `gate-${r}.lambda-url.${r}.on.aws`]));

/**
 * What Route 53 would conclude for one target: each observer is voting drain, voting no-drain
 * or dead. A dead gate fails its HTTPS check, which the Inverted child reads as "no drain".
 */
function gateModeHealthy(observerCount: number, states: ReadonlyArray<'drain' | 'no-drain' | 'dead'>): boolean {
  const childrenHealthy = states.map((s) => s !== 'drain');
  return calculatedHealthy(childrenHealthy, calculatedThreshold(observerCount));
}

describe('data-plane config', () => {
  it('keeps weight mode when route53.mode is absent (the original behaviour)', () => {
    const config = makeConfig();
    expect(weightTargets(config)).toHaveLength(3);
    expect(dataPlaneTargets(config)).toHaveLength(0);
  });

  it('splits targets by mode', () => {
    const config = mixedConfig();
    expect(weightTargets(config).map((t) => t.region)).toEqual(['us-east-1']);
    expect(dataPlaneTargets(config).map((t) => t.region)).toEqual(['eu-west-1', 'ap-southeast-2']);
  });

  it('rejects a vote mechanism on a weight-mode target, naming the field', () => {
    const input = configInput();
    input.targets[0]!.route53 = { ...input.targets[0]!.route53, vote: 'gate' };
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([expect.objectContaining({ path: 'targets[0].route53.vote', message: expect.stringContaining('health-check') })]);
  });

  it('refuses metric votes (removed) with the reason and what to use instead, and any other vote value, naming the path', () => {
    const input = configInput();
    input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check', vote: 'metric' as never };
    input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'alarm' as never };
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { path: 'targets[1].route53.vote', message: expect.stringMatching(/^metric votes were removed: .*standard-resolution alarms.*use vote: gate/) },
        { path: 'targets[2].route53.vote', message: 'must be gate (got "alarm")' },
      ]);
    }
  });

  it('rejects an unknown mode with the allowed values', () => {
    const input = configInput();
    (input.targets[0]!.route53 as Record<string, unknown>).mode = 'failover';
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.path).toBe('targets[0].route53.mode');
  });
});

describe('calculatedThreshold', () => {
  it('is every child: one live drain vote fails the target', () => {
    for (const n of [1, 3, 4, 5, 7]) expect(calculatedThreshold(n)).toBe(n);
  });

  it('refuses an observer count that is not a positive integer', () => {
    expect(() => calculatedThreshold(0)).toThrow(/0 observers/);
    expect(() => calculatedThreshold(2.5)).toThrow(/2.5 observers/);
  });
});

describe('observer deaths in gate mode (3 observers, threshold 3)', () => {
  it('a survivor holds a drain alone: two dead observers no longer restore the dead first region', () => {
    expect(gateModeHealthy(3, ['dead', 'dead', 'drain'])).toBe(false);
    expect(gateModeHealthy(3, ['dead', 'drain', 'no-drain'])).toBe(false);
  });

  it('dead observers never drain: silence everywhere, or no-drain from the living, keeps the target serving', () => {
    expect(gateModeHealthy(3, ['dead', 'dead', 'dead'])).toBe(true);
    expect(gateModeHealthy(3, ['dead', 'dead', 'no-drain'])).toBe(true);
  });

  it('the target fails exactly when some live gate answers drain (property, any n)', () => {
    const states = fc.constantFrom<'drain' | 'no-drain' | 'dead'>('drain', 'no-drain', 'dead');
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }).chain((n) => fc.array(states, { minLength: n, maxLength: n })), (votes) => {
      expect(gateModeHealthy(votes.length, votes)).toBe(!votes.includes('drain'));
    }));
  });
});

describe('gateVotes: fail static over a replica whose proposals go stale', () => {
  const config = makeDataPlaneConfig();
  const drainedMs = 100_000;
  const applied = [appliedOf({ 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' }, drainedMs, { 'us-east-1': drainedMs })];
  const beforeDeaths = ['eu-west-1', 'ap-southeast-2'].map((o) => proposalWanting(config, o, { 'us-east-1': 'drained' }, drainedMs, 1, applied[0]!));

  it('keeps voting drain for the applied drain once every peer proposal is stale and only its own is fresh', () => {
    const nowMs = drainedMs + config.probe.verdictFreshnessMs + 60_000;
    const own = proposalWanting(config, 'ap-southeast-2', { 'us-east-1': 'drained', 'eu-west-1': 'drained' }, nowMs, 2, applied[0]!);
    const votes = gateVotes({ config, nowMs, proposals: [...beforeDeaths, own], applied, observer: 'ap-southeast-2' });
    expect(votes).toEqual({ 'us-east-1': 'drain', 'eu-west-1': 'no-drain', 'ap-southeast-2': 'no-drain' });
  });

  it('never starts a drain on stale or foreign proposals: a change needs the gate observer\'s own fresh proposal', () => {
    const nowMs = drainedMs + 1_000;
    const peers = ['us-east-1', 'eu-west-1'].map((o) => proposalWanting(config, o, { 'us-east-1': 'drained', 'ap-southeast-2': 'drained' }, nowMs, 2, applied[0]!));
    const own = proposalWanting(config, 'ap-southeast-2', { 'us-east-1': 'drained' }, nowMs, 2, applied[0]!);
    expect(gateVotes({ config, nowMs, proposals: [...peers, own], applied, observer: 'ap-southeast-2' })['ap-southeast-2']).toBe('no-drain');
  });
});

describe('settledVotes: maxDrained in composition', () => {
  /** eu-west-1 restored at t0 to make room for ap-southeast-2's drain (maxDrained 1), as applied. */
  function releasedForNewDrain() {
    const config = makeDataPlaneConfig();
    const t0 = 400_000;
    const routing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' } as const;
    const appliedAfter = { ...appliedOf(routing, t0, { 'eu-west-1': t0, 'ap-southeast-2': t0 }), lastRestoreMs: { 'eu-west-1': t0 } };
    return { config, t0, routing, appliedAfter };
  }

  it('withholds a drain decided with a release until the release has settled, then votes it', () => {
    const config = makeDataPlaneConfig();
    const lastApplied = appliedOf({ 'eu-west-1': 'drained' }, 10_000, { 'eu-west-1': 10_000 });
    const t0 = 400_000;
    const proposals = regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, t0, 2, lastApplied));
    const routing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' } as const;
    const now = settledVotes({ config, nowMs: t0, routing, changed: ['eu-west-1', 'ap-southeast-2'], lastApplied, proposals });
    expect(now).toEqual({ 'us-east-1': 'no-drain', 'eu-west-1': 'no-drain', 'ap-southeast-2': 'no-drain' });
    const appliedAfter = { ...appliedOf(routing, t0, { 'eu-west-1': t0, 'ap-southeast-2': t0 }), lastRestoreMs: { 'eu-west-1': t0 } };
    const acknowledged = regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, t0 + 5_000, 3, appliedAfter));
    const early = settledVotes({ config, nowMs: t0 + voteSettleMs(config) - 1, routing, changed: [], lastApplied: appliedAfter, proposals: acknowledged });
    expect(early['ap-southeast-2']).toBe('no-drain');
    const settled = settledVotes({ config, nowMs: t0 + voteSettleMs(config), routing, changed: [], lastApplied: appliedAfter, proposals: acknowledged.map((p) => ({ ...p, createdMs: t0 + voteSettleMs(config) })) });
    expect(settled['ap-southeast-2']).toBe('drain');
  });

  it('does not begin, as the settle ends, a drain its observer\'s own snapshot saw answer while it was withheld; keeps one the gate may have voted; and leaves an alarm\'s drain alone', () => {
    const { config, t0, routing, appliedAfter } = releasedForNewDrain();
    const nowMs = t0 + voteSettleMs(config);
    const proposals = regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, nowMs, 3, appliedAfter));
    const ownPassed = (passedMs: number) => ({ observer: 'us-east-1', seq: 9, writtenMs: passedMs, verdicts: { 'ap-southeast-2': { target: 'ap-southeast-2', status: 'unhealthy' as const, consecutiveFailures: 0, consecutivePasses: 1, latencySamplesMs: [[80]], latencyQuantileMs: [null], lastLatencyMs: 80, changedMs: t0 - 30_000, probedMs: passedMs, passedMs, reason: 'status 200 in 80 ms' } } });
    const settle = { config, nowMs, routing, changed: [], lastApplied: appliedAfter, proposals, observer: 'us-east-1' };
    expect(settledVotes(settle)['ap-southeast-2']).toBe('drain');
    // The passing round was sent while the vote was withheld: the drain does not begin.
    expect(settledVotes({ ...settle, ownSnapshot: ownPassed(t0 + 10_000) })['ap-southeast-2']).toBe('no-drain');
    // Sent once the vote had begun (the settle had ended): the gate may have answered it, and it stays.
    expect(settledVotes({ ...settle, nowMs: nowMs + 3_000, ownSnapshot: ownPassed(nowMs + 1_000) })['ap-southeast-2']).toBe('drain');
    // A drain an alarm indicts is not the probes' to confirm.
    const alarmed = proposals.map((p) => (p.observer !== 'us-east-1' ? p : { ...p, targets: { ...p.targets, 'ap-southeast-2': { ...p.targets['ap-southeast-2']!, cause: 'alarm' as const } } }));
    expect(settledVotes({ ...settle, proposals: alarmed, ownSnapshot: ownPassed(t0 + 10_000) })['ap-southeast-2']).toBe('drain');
  });

  it('waits for every fresh peer to have seen the restore, even after the settle time', () => {
    const { config, t0, routing, appliedAfter } = releasedForNewDrain();
    const nowMs = t0 + voteSettleMs(config) + 1_000;
    const behind = proposalWanting(config, 'us-east-1', { 'eu-west-1': 'drained' }, nowMs - 1_000, 5, appliedOf({ 'eu-west-1': 'drained' }, 10_000, { 'eu-west-1': 10_000 }));
    const caughtUp = ['eu-west-1', 'ap-southeast-2'].map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, nowMs - 1_000, 5, appliedAfter));
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: appliedAfter, proposals: [behind, ...caughtUp] })['ap-southeast-2']).toBe('no-drain');
    const allCaughtUp = [proposalWanting(config, 'us-east-1', { 'ap-southeast-2': 'drained' }, nowMs - 1_000, 6, appliedAfter), ...caughtUp];
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: appliedAfter, proposals: allCaughtUp })['ap-southeast-2']).toBe('drain');
  });

  it('names a drain as unvoted while the settle rule withholds it, and no longer once it is voted', () => {
    const { config, t0, routing, appliedAfter } = releasedForNewDrain();
    const acknowledged = (atMs: number) => regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, atMs, 3, appliedAfter));
    const during = t0 + voteSettleMs(config) - 1;
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: appliedAfter, proposals: acknowledged(during) })]).toEqual(['ap-southeast-2']);
    const after = t0 + voteSettleMs(config);
    expect([...unvotedDrains({ config, nowMs: after, lastApplied: appliedAfter, proposals: acknowledged(after) })]).toEqual([]);
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: null, proposals: [] })]).toEqual([]);
    // After the settle time, a drain withheld only because a peer has not acknowledged the restore
    // is still unvoted while no gate is known to have voted it (generated gate 167 run 1: its target
    // recovered during the wait, and voting it then was a false drain) ...
    const behind = proposalWanting(config, 'us-east-1', {}, after, 4, appliedOf({ 'eu-west-1': 'drained' }, 10_000, { 'eu-west-1': 10_000 }));
    const waiting = [behind, ...acknowledged(after).slice(1)];
    expect(settledVotes({ config, nowMs: after, routing, changed: [], lastApplied: appliedAfter, proposals: waiting })['ap-southeast-2']).toBe('no-drain');
    expect([...unvotedDrains({ config, nowMs: after, lastApplied: appliedAfter, proposals: waiting })]).toEqual(['ap-southeast-2']);
    // ... and voted once a proposal records a gate voting it (withdrawing that vote would be a restore).
    const votedByPeer = waiting.map((p) => (p.observer === 'ap-southeast-2' ? { ...p, votedDrains: { 'ap-southeast-2': t0 + 20_000 } } : p));
    expect([...unvotedDrains({ config, nowMs: after, lastApplied: appliedAfter, proposals: votedByPeer })]).toEqual([]);
    // A drain older than the restore is voted at once: never unvoted.
    const older = { ...appliedAfter, lastFlipMs: { ...appliedAfter.lastFlipMs, 'ap-southeast-2': t0 - 1 } };
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: older, proposals: acknowledged(during) })]).toEqual([]);
  });

  it('does not begin voting a drain no gate has voted once its own proposal holds it only by hysteresis or restores it (its evidence went away)', () => {
    const { config, t0, routing, appliedAfter } = releasedForNewDrain();
    const after = t0 + voteSettleMs(config);
    const acknowledged = regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, after, 3, appliedAfter));
    const vote = (proposals: typeof acknowledged) => settledVotes({ config, nowMs: after, routing, changed: [], lastApplied: appliedAfter, proposals, observer: 'us-east-1' })['ap-southeast-2'];
    expect(vote(acknowledged)).toBe('drain'); // the hold ended, its own proposal still drains it on evidence
    const ownIs = (target: Partial<(typeof acknowledged)[number]['targets'][string]>) => acknowledged.map((p) => (p.observer === 'us-east-1' ? { ...p, targets: { ...p.targets, 'ap-southeast-2': { ...p.targets['ap-southeast-2']!, ...target } } } : p));
    const held = ownIs({ state: 'drained', cause: 'recovery-hold' });
    expect(vote(held)).toBe('no-drain');
    expect([...unvotedDrains({ config, nowMs: after, lastApplied: appliedAfter, proposals: held, observer: 'us-east-1' })]).toEqual(['ap-southeast-2']);
    expect(vote(ownIs({ state: 'serving', cause: 'healthy' }))).toBe('no-drain');
    // Kept only by fail static (no quorum either way): Route 53 shows it serving, and fail static keeps that.
    expect(vote(ownIs({ state: 'drained', cause: 'no-quorum' }))).toBe('no-drain');
    // A peer's proposal (not its own) restoring it does not stop this gate.
    expect(vote(acknowledged.map((p) => (p.observer === 'eu-west-1' ? { ...p, targets: { ...p.targets, 'ap-southeast-2': { ...p.targets['ap-southeast-2']!, state: 'serving', cause: 'healthy' } } } : p)))).toBe('drain');
    // Once some gate is known to have voted it, withdrawing the vote would be a restore: it stays voted.
    const voted = held.map((p) => (p.observer === 'eu-west-1' ? { ...p, votedDrains: { 'ap-southeast-2': t0 + 30_000 } } : p));
    expect(vote(voted)).toBe('drain');
  });

  it('does not name a withheld drain unvoted once an observer\'s newest proposal records its gate voted it (its settle rule ended sooner)', () => {
    const { config, t0, appliedAfter } = releasedForNewDrain();
    const during = t0 + voteSettleMs(config) - 1;
    const acknowledged = regions.map((o) => proposalWanting(config, o, { 'ap-southeast-2': 'drained' }, during, 3, appliedAfter));
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: appliedAfter, proposals: acknowledged })]).toEqual(['ap-southeast-2']);
    // eu-west-1's gate voted it at t0 + 14 s: Route 53 may show it, so restoring it is a flip.
    const voted = acknowledged.map((p) => (p.observer === 'eu-west-1' ? { ...p, votedDrains: { 'ap-southeast-2': t0 + 14_000 } } : p));
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: appliedAfter, proposals: voted })]).toEqual([]);
    // A vote recorded before the target's last restore was of an earlier drain: it does not count.
    const earlier = acknowledged.map((p) => (p.observer === 'eu-west-1' ? { ...p, votedDrains: { 'ap-southeast-2': t0 - 50_000 } } : p));
    const restoredBefore = { ...appliedAfter, lastRestoreMs: { ...appliedAfter.lastRestoreMs, 'ap-southeast-2': t0 - 20_000 } };
    expect([...unvotedDrains({ config, nowMs: during, lastApplied: restoredBefore, proposals: earlier })]).toEqual(['ap-southeast-2']);
  });

  it('settles a release this observer never saw: while a fresh peer holds it drained, then for voteSettleMs after that peer\'s gate switched', () => {
    const config = makeDataPlaneConfig();
    // This observer was down while eu-west-1 was drained (222 s) and released (254.7 s): its own
    // record has eu-west-1 serving throughout, and its decision drains ap-southeast-2 at 254.8 s.
    const routing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' } as const;
    const own = appliedOf(routing, 254_800, { 'ap-southeast-2': 254_800 }, 'eu-west-1');
    const peerDrained = appliedOf({ 'eu-west-1': 'drained' }, 222_000, { 'eu-west-1': 222_000 }, 'us-east-1');
    const holding = proposalWanting(config, 'us-east-1', { 'ap-southeast-2': 'drained' }, 254_700, 56, peerDrained);
    expect(holding.targets['eu-west-1']).toMatchObject({ fromState: 'drained', fromSinceMs: 222_000 });
    const votesAt = (nowMs: number, proposals: Proposal[]) => settledVotes({ config, nowMs, routing, changed: [], lastApplied: own, proposals });
    expect(votesAt(257_100, [holding])['ap-southeast-2']).toBe('no-drain');
    // A drain decided before that peer's drain of eu-west-1 is the older one: voted at once.
    const olderDrain = { ...own, lastFlipMs: { ...own.lastFlipMs, 'ap-southeast-2': 221_000 } };
    expect(settledVotes({ config, nowMs: 257_100, routing, changed: [], lastApplied: olderDrain, proposals: [holding] })['ap-southeast-2']).toBe('drain');
    // The peer applies the release at 255 s and proposes over it: its gate switched by 255 s.
    const peerReleased = { ...appliedOf(routing, 254_700, { 'eu-west-1': 254_700, 'ap-southeast-2': 254_700 }, 'us-east-1'), appliedMs: 255_000, lastRestoreMs: { 'eu-west-1': 254_700 } };
    const previous = holding;
    const acknowledged = (createdMs: number, seq: number, before: Proposal) => {
      const p = proposalWanting(config, 'us-east-1', { 'ap-southeast-2': 'drained' }, createdMs, seq, peerReleased);
      const input = { config, observer: 'us-east-1', lastApplied: peerReleased, previous: before, nowMs: createdMs };
      for (const target of regions) p.targets[target] = { ...p.targets[target]!, ...fromStateOf(input, target) };
      return p;
    };
    const first = acknowledged(262_000, 57, previous);
    expect(first.targets['eu-west-1']).toMatchObject({ fromState: 'serving', fromSinceMs: 254_700, fromSeenMs: 255_000 });
    expect(votesAt(262_000, [first])['ap-southeast-2']).toBe('no-drain');
    // Later proposals carry the switch time: the hold does not move forward with them.
    const later = acknowledged(290_000, 58, first);
    expect(later.targets['eu-west-1']!.fromSeenMs).toBe(255_000);
    expect(votesAt(255_000 + voteSettleMs(config) - 1, [later])['ap-southeast-2']).toBe('no-drain');
    expect(votesAt(255_000 + voteSettleMs(config), [later])['ap-southeast-2']).toBe('drain');
    // Proposals written before these fields existed keep the old rule (nothing to settle here).
    const legacy = structuredClone(holding);
    for (const t of Object.values(legacy.targets)) { delete t.fromSinceMs; delete t.fromSeenMs; }
    expect(votesAt(257_100, [legacy])['ap-southeast-2']).toBe('drain');
  });

  it('never withholds again a drain its gate has voted: a hold seen later (a peer back from an outage) does not withdraw it', () => {
    const config = makeDataPlaneConfig();
    const routing = { 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;
    // ap-southeast-2 was released at 227 s for us-east-1; the release settled and us-east-1's drain was voted.
    const own = { ...appliedOf(routing, 227_000, { 'us-east-1': 227_000, 'ap-southeast-2': 227_000 }, 'eu-west-1'), lastRestoreMs: { 'ap-southeast-2': 227_000 } };
    const nowMs = 285_000;
    const acknowledged = proposalWanting(config, 'eu-west-1', { 'us-east-1': 'drained' }, 280_000, 10, own);
    // First seen voted in this pass: recorded at it (its gate may have begun a little earlier, never later).
    expect(votedDrains({ config, nowMs, lastApplied: own, proposals: [acknowledged], observer: 'eu-west-1' })).toEqual({ 'us-east-1': nowMs });
    const recorded = { ...acknowledged, votedDrains: { 'us-east-1': 227_000 } };
    // Then carried while that drain is in force.
    expect(votedDrains({ config, nowMs: nowMs + 60_000, lastApplied: own, proposals: [recorded], observer: 'eu-west-1' })).toEqual({ 'us-east-1': 227_000 });
    // us-east-1's observer comes back proposing over the state before the release (its replica lags).
    const stale = proposalWanting(config, 'us-east-1', { 'us-east-1': 'drained' }, 284_000, 3, appliedOf({ 'ap-southeast-2': 'drained' }, 60_000, { 'ap-southeast-2': 60_000 }));
    const withMemory = settledVotes({ config, nowMs, routing, changed: [], lastApplied: own, proposals: [recorded, stale], observer: 'eu-west-1' });
    expect(withMemory['us-east-1']).toBe('drain');
    // Without the memory (or as another observer) the late hold withholds it.
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: own, proposals: [acknowledged, stale], observer: 'eu-west-1' })['us-east-1']).toBe('no-drain');
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: own, proposals: [recorded, stale], observer: 'ap-southeast-2' })['us-east-1']).toBe('no-drain');
    // Another observer's record of the same drain, decided 0.9 s later, is still that drain.
    const peerRecord = { ...own, observer: 'us-east-1', lastFlipMs: { ...own.lastFlipMs, 'us-east-1': 227_900 } };
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: peerRecord, proposals: [recorded, stale], observer: 'eu-west-1' })['us-east-1']).toBe('drain');
    // The memory is of that drain only: the same target restored and drained anew is settled afresh.
    const anew = { ...own, lastFlipMs: { ...own.lastFlipMs, 'us-east-1': 284_500 }, lastRestoreMs: { ...own.lastRestoreMs, 'us-east-1': 284_000 } };
    expect(settledVotes({ config, nowMs, routing, changed: [], lastApplied: anew, proposals: [recorded, stale], observer: 'eu-west-1' })['us-east-1']).toBe('no-drain');
    expect(votedDrains({ config, nowMs, lastApplied: anew, proposals: [recorded, stale], observer: 'eu-west-1' })).toEqual({});
  });

  it('dates each drain in force from the earliest vote any gate is known to have made of it (drainVotedMs)', () => {
    const config = makeDataPlaneConfig();
    const routing = { 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;
    const own = { ...appliedOf(routing, 124_600, { 'us-east-1': 124_600, 'eu-west-1': 124_600 }, 'us-east-1'), lastRestoreMs: { 'eu-west-1': 124_600 } };
    const peer = (observer: string, seq: number, voted?: Record<string, number>) => ({ ...proposalWanting(config, observer, { 'us-east-1': 'drained' }, 180_000, seq, own), ...(voted === undefined ? {} : { votedDrains: voted }) });
    const proposals = [peer('eu-west-1', 3, { 'us-east-1': 181_000 }), peer('ap-southeast-2', 4, { 'us-east-1': 176_000 }), peer('us-east-1', 5)];
    expect(drainVotedMs({ lastApplied: own, proposals, voted: { 'us-east-1': 183_000 } })).toEqual({ 'us-east-1': 176_000 });
    // Only a peer's newest proposal speaks for it.
    expect(drainVotedMs({ lastApplied: own, proposals: [...proposals, peer('ap-southeast-2', 6)], voted: { 'us-east-1': 183_000 } })).toEqual({ 'us-east-1': 181_000 });
    // No gate known to vote it: absent (the cooldown counts from the decision).
    expect(drainVotedMs({ lastApplied: own, proposals: [peer('eu-west-1', 3)], voted: {} })).toEqual({});
    // A vote recorded before the target's last restore was of an earlier drain; a serving target has none.
    const redrained = { ...own, lastRestoreMs: { ...own.lastRestoreMs, 'us-east-1': 178_000 } };
    expect(drainVotedMs({ lastApplied: redrained, proposals, voted: { 'us-east-1': 183_000 } })).toEqual({ 'us-east-1': 181_000 });
    expect(drainVotedMs({ lastApplied: { ...own, routing: { ...routing, 'us-east-1': 'serving' } }, proposals, voted: {} })).toEqual({});
    expect(drainVotedMs({ lastApplied: null, proposals, voted: {} })).toEqual({});
    // A vote older than the drain's decision was of an earlier drain, though no restore was stamped
    // between (an unvoted drain's restore is not): a peer that died with that proposal its newest
    // must not date the new drain back to it. Within the clock bound of the decision it counts.
    const dead = [peer('ap-southeast-2', 4, { 'us-east-1': 100_000 }), peer('eu-west-1', 3)];
    expect(drainVotedMs({ lastApplied: own, proposals: dead, voted: { 'us-east-1': 183_000 } })).toEqual({ 'us-east-1': 183_000 });
    expect(drainVotedMs({ lastApplied: own, proposals: [peer('ap-southeast-2', 4, { 'us-east-1': 124_000 })], voted: {} })).toEqual({ 'us-east-1': 124_000 });
  });

  it('votes only the decision\'s drains, all of them unless a restore settles, and none made with a settling restore (property)', () => {
    const config = makeDataPlaneConfig();
    const state = fc.constantFrom<'serving' | 'drained'>('serving', 'drained');
    fc.assert(fc.property(fc.tuple(state, state, state), fc.tuple(state, state, state), fc.integer({ min: 0, max: 120_000 }), (before, after, sinceMs) => {
      const nowMs = 1_000_000;
      const lastRouting = Object.fromEntries(regions.map((r, i) => [r, before[i]!]));
      const routing = Object.fromEntries(regions.map((r, i) => [r, after[i]!]));
      const changed = regions.filter((r) => lastRouting[r] !== routing[r]);
      const changedMs = nowMs - sinceMs;
      const lastApplied = { ...appliedOf(routing, changedMs, Object.fromEntries(changed.map((r) => [r, changedMs]))), lastRestoreMs: Object.fromEntries(changed.filter((r) => routing[r] === 'serving').map((r) => [r, changedMs])) };
      const votes = settledVotes({ config, nowMs, routing, changed: [], lastApplied, proposals: [] });
      const drains = regions.filter((r) => votes[r] === 'drain');
      for (const r of drains) expect(routing[r]).toBe('drained');
      const settling = changed.filter((r) => routing[r] === 'serving' && sinceMs < voteSettleMs(config)).length;
      const drainedNow = regions.filter((r) => routing[r] === 'drained').length;
      // A drain made with a restore that is still settling is never voted while they would exceed maxDrained.
      if (settling > 0 && drainedNow + settling > config.safety.maxDrained) for (const r of changed) expect(votes[r]).toBe('no-drain');
      else expect(drains.length).toBe(drainedNow);
    }));
  });
});

describe('gateAnswer', () => {
  it('answers 200 "drain" for a drain vote', () => {
    expect(gateAnswer({ 'eu-west-1': 'drain' }, '/drain/eu-west-1')).toEqual({ status: 200, body: 'drain' });
  });

  it('answers exactly 404 "no-drain" to everything else, naming nothing: a no-drain vote, an unknown target, another path, no view', () => {
    const noDrain = { status: 404, body: 'no-drain' };
    expect(gateAnswer({ 'eu-west-1': 'no-drain' }, '/drain/eu-west-1')).toEqual(noDrain);
    expect(gateAnswer({ 'eu-west-1': 'drain' }, '/drain/us-east-1')).toEqual(noDrain);
    expect(gateAnswer({ 'eu-west-1': 'drain' }, '/eu-west-1')).toEqual(noDrain);
    expect(gateAnswer({ 'eu-west-1': 'drain' }, '/drain/../eu-west-1')).toEqual(noDrain);
    expect(gateAnswer(null, '/drain/eu-west-1')).toEqual(noDrain);
  });
});

describe('dataPlaneHealthChecks', () => {
  it('defines one child per observer and a CALCULATED check per data-plane target that needs every child healthy', () => {
    const config = mixedConfig();
    const checks = dataPlaneHealthChecks(config, gateHosts);
    expect(checks.map((c) => c.target)).toEqual(['eu-west-1', 'ap-southeast-2']);
    for (const check of checks) expect(check.children.map((c) => c.observer)).toEqual([...regions]);
    expect(checks.map((c) => c.calculated)).toEqual([{ Type: 'CALCULATED', HealthThreshold: 3, childCount: 3 }, { Type: 'CALCULATED', HealthThreshold: 3, childCount: 3 }]);
    for (const check of checks) expect(check.children.map((c) => c.kind)).toEqual(['gate', 'gate', 'gate']);
  });

  it('makes gate children Inverted HTTPS checks on the target path, at the configured interval from the configured checker regions', () => {
    const gate = dataPlaneHealthChecks(mixedConfig(), gateHosts)[0]!.children[1]!;
    expect(gate.kind).toBe('gate');
    expect(gate.config).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gate-eu-west-1.lambda-url.eu-west-1.on.aws', ResourcePath: gatePath('eu-west-1'), RequestInterval: 30, FailureThreshold: 1, Inverted: true, Regions: ['us-west-2', 'eu-west-1', 'ap-southeast-2'] });
    const input = configInput();
    input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
    input.dataPlane = { checkIntervalSeconds: 10, checkerRegions: ['us-west-1', 'sa-east-1', 'ap-northeast-1', 'eu-west-1'] };
    const fast = validateConfig(input);
    if (!fast.ok) throw new Error(JSON.stringify(fast.errors));
    expect(dataPlaneHealthChecks(fast.config, gateHosts)[0]!.children[0]!.config).toMatchObject({ RequestInterval: 10, Regions: ['us-west-1', 'sa-east-1', 'ap-northeast-1', 'eu-west-1'] });
  });

  it('refuses fewer than 3 checker regions or a region Route 53 does not check from, naming the path', () => {
    const input = configInput();
    input.dataPlane = { checkerRegions: ['us-east-1', 'eu-central-1'] as never };
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path).sort()).toEqual(['dataPlane.checkerRegions', 'dataPlane.checkerRegions[1]']);
  });

  it('refuses a gate-mode target without a gate host for every observer, naming the observer', () => {
    expect(() => dataPlaneHealthChecks(mixedConfig(), { 'us-east-1': 'a.on.aws' })).toThrow(/eu-west-1/);
  });
});

describe("Route 53's own status of the checks", () => {
  it('reads an Inverted gate child as unhealthy (a drain vote seen) once more than 18 % of its checkers see 200, healthy below', () => {
    const ok = 'Success: HTTP Status Code 200, OK';
    const no = 'Failure: HTTP Status Code 404, Not Found';
    expect(childCheckStatus([ok, no, no, no, no], true)).toEqual({ reporting: 5, succeeding: 1, healthy: false }); // 20 % > 18 %
    expect(childCheckStatus([ok, no, no, no, no, no], true)).toEqual({ reporting: 6, succeeding: 1, healthy: true }); // 16.7 %
    expect(childCheckStatus([ok, no, no, no, no, no], false).healthy).toBe(false);
    expect(childCheckStatus([], true).healthy).toBeNull();
  });

  it('reads the CALCULATED check from its status metric: 1 healthy, 0 unhealthy, nothing unknown', () => {
    expect([calculatedStatus(1), calculatedStatus(0), calculatedStatus(undefined)]).toEqual(['healthy', 'unhealthy', 'unknown']);
  });
});
