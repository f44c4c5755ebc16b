import { makeConfig } from '../../../test/support/fixtures';
import { appliedOf, proposalWanting } from '../../../test/unit/support/core-builders';
import { adoptedRecord, appliedRecord, decide, freshProposals, latestApplied, type DecisionInput } from './decision';
import type { Proposal } from '../types';

const nowMs = 50_000_000;
const config = makeConfig(); // observers us-east-1, eu-west-1, ap-southeast-2; maxDrained 1
const [us, eu, ap] = config.observers as [string, string, string];
const allServing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;

function input(proposals: Proposal[], extra: Partial<DecisionInput> = {}): DecisionInput {
  return { config, nowMs, proposals, lastApplied: null, proposalFreshnessMs: config.probe.verdictFreshnessMs, ...extra };
}

describe('decide', () => {
  it('drains a target once a quorum of proposals want it drained, naming the supporters', () => {
    const d = decide(input([proposalWanting(config, us, { 'eu-west-1': 'drained' }, nowMs), proposalWanting(config, eu, { 'eu-west-1': 'drained' }, nowMs), proposalWanting(config, ap, {}, nowMs)]));
    expect(d.routing).toEqual({ ...allServing, 'eu-west-1': 'drained' });
    expect(d.supporters['eu-west-1']).toEqual([eu, us]);
    expect(d.changed).toEqual(['eu-west-1']);
    expect(d.refusals).toEqual([]);
  });

  it('keeps the last state when fewer than a quorum agree (per target)', () => {
    const d = decide(input([proposalWanting(config, us, { 'eu-west-1': 'drained' }, nowMs), proposalWanting(config, eu, { 'us-east-1': 'drained' }, nowMs)]));
    expect(d.routing['eu-west-1']).toBe('serving');
    expect(d.routing['us-east-1']).toBe('serving');
    expect(d.changed).toEqual([]);
  });

  it('fails static with no proposals at all: the last applied state holds', () => {
    const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 1000);
    const d = decide(input([], { lastApplied }));
    expect(d.routing).toEqual(lastApplied.routing);
    expect(d.supporters).toEqual({ 'us-east-1': [], 'eu-west-1': [], 'ap-southeast-2': [] });
    expect(d.changed).toEqual([]);
  });

  it('ignores stale proposals, proposals from unknown observers, and older proposals of the same observer', () => {
    const stale = nowMs - config.probe.verdictFreshnessMs - 1;
    const proposals = [
      proposalWanting(config, us, { 'eu-west-1': 'drained' }, stale),
      proposalWanting(config, 'sa-east-1', { 'eu-west-1': 'drained' }, nowMs),
      proposalWanting(config, eu, { 'eu-west-1': 'drained' }, nowMs - 10, 1),
      proposalWanting(config, eu, {}, nowMs - 5, 2),
      proposalWanting(config, ap, { 'eu-west-1': 'drained' }, nowMs),
    ];
    expect(freshProposals(input(proposals)).map((p) => `${p.observer}:${p.seq}`)).toEqual([`${ap}:1`, `${eu}:2`]);
    expect(decide(input(proposals)).routing['eu-west-1']).toBe('serving');
  });

  it('restores a drained target once a quorum of proposals want it serving', () => {
    const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 1000);
    const d = decide(input([proposalWanting(config, us, {}, nowMs, 1, lastApplied), proposalWanting(config, ap, {}, nowMs, 1, lastApplied)], { lastApplied }));
    expect(d.routing['eu-west-1']).toBe('serving');
    expect(d.changed).toEqual(['eu-west-1']);
  });

  it('holds back a drain the combined state cannot afford, although each proposal obeyed the rules', () => {
    // us wants x drained, ap wants y drained, eu wants both: each target has a quorum of 2, but maxDrained is 1.
    const proposals = [
      proposalWanting(config, us, { 'eu-west-1': 'drained' }, nowMs),
      proposalWanting(config, eu, { 'eu-west-1': 'drained', 'ap-southeast-2': 'drained' }, nowMs),
      proposalWanting(config, ap, { 'ap-southeast-2': 'drained' }, nowMs),
    ];
    const d = decide(input(proposals));
    expect(Object.values(d.routing).filter((s) => s === 'drained')).toHaveLength(1);
    expect(d.refusals).toHaveLength(1);
    expect(d.refusals[0]!.rule).toBe('maxDrained');
    const heldBack = d.refusals[0]!.target;
    expect(d.routing[heldBack]).toBe('serving');
    expect(d.supporters[heldBack]).toEqual([]);
  });

  it('gives the same id to the same inputs and a different id to different votes', () => {
    const proposals = [proposalWanting(config, us, { 'eu-west-1': 'drained' }, nowMs), proposalWanting(config, eu, { 'eu-west-1': 'drained' }, nowMs)];
    expect(decide(input(proposals)).id).toBe(decide(input([...proposals].reverse())).id);
    const more = [...proposals, proposalWanting(config, ap, {}, nowMs)];
    expect(decide(input(more)).id).not.toBe(decide(input(proposals)).id);
    expect(decide(input(more)).routing).toEqual(decide(input(proposals)).routing);
  });
});

describe('decide below minServing (regressions found by the property tests)', () => {
  it('fails static without throwing when the last state is below minServing and no quorum speaks', () => {
    // A forced drain left eu-west-1 drained below minServing 3; every observer is silent now.
    // Before the fix, the safety pass restored it (a change without a quorum) and the quorum invariant threw.
    const strict = makeConfig({ safety: { minServing: 3, maxDrained: 0 } });
    const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 1000);
    const d = decide({ config: strict, nowMs, proposals: [], lastApplied, proposalFreshnessMs: 60_000 });
    expect(d.routing).toEqual(lastApplied.routing);
    expect(d.changed).toEqual([]);
  });

  it('restores one quorum-kept drain when the kept drains together fall below minServing, without throwing', () => {
    const base = makeConfig();
    const four = makeConfig({
      observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1'],
      targets: [...base.targets, { ...base.targets[0]!, region: 'us-west-2', route53: { ...base.targets[0]!.route53, setIdentifier: 'us-west-2' } }],
      safety: { minServing: 2, maxDrained: 2 },
    });
    const lastApplied = appliedOf({ 'us-east-1': 'drained', 'eu-west-1': 'drained', 'ap-southeast-2': 'drained', 'us-west-2': 'serving' }, nowMs - 1000);
    const [x, y, z] = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    const wants: Array<[string, string[]]> = [['us-east-1', [x!, y!]], ['eu-west-1', [y!, z!]], ['ap-southeast-2', [z!, x!]], ['us-west-2', [x!, y!]], ['eu-central-1', [z!]]];
    // Each proposal alone keeps 2 serving; per target, 3 of 5 want it drained.
    const proposals = wants.map(([observer, drained]) => proposalWanting(four, observer, Object.fromEntries(drained.map((t) => [t, 'drained' as const])), nowMs, 1, lastApplied));
    const d = decide({ config: four, nowMs, proposals, lastApplied, proposalFreshnessMs: 60_000 });
    expect(Object.values(d.routing).filter((s) => s === 'serving')).toHaveLength(2);
    expect(d.changed).toHaveLength(1);
    expect(d.supporters[d.changed[0]!]).toEqual([]);
  });
});

describe('appliedRecord and latestApplied', () => {
  it('stamps flip times on changed targets and carries the others forward', () => {
    const before = appliedOf(allServing, 1000, { 'us-east-1': 500, 'eu-west-1': null, 'ap-southeast-2': null });
    const decision = decide(input([proposalWanting(config, us, { 'eu-west-1': 'drained' }, nowMs), proposalWanting(config, eu, { 'eu-west-1': 'drained' }, nowMs)], { lastApplied: before }));
    const record = appliedRecord(eu, decision, before, 'C1', nowMs + 5);
    expect(record).toMatchObject({ observer: eu, decisionId: decision.id, decidedMs: nowMs, appliedMs: nowMs + 5, changeId: 'C1' });
    expect(record.lastFlipMs).toEqual({ 'us-east-1': 500, 'eu-west-1': nowMs, 'ap-southeast-2': null });
  });

  it('does not stamp the restore of a drain Route 53 never saw (unvoted): flip and restore times carry forward', () => {
    const before = { ...appliedOf({ ...allServing, 'eu-west-1': 'drained' }, 1000, { 'us-east-1': null, 'eu-west-1': 1000, 'ap-southeast-2': null }), lastRestoreMs: { 'us-east-1': null, 'eu-west-1': 400, 'ap-southeast-2': null } };
    const decision = decide(input([proposalWanting(config, us, {}, nowMs, 1, before), proposalWanting(config, eu, {}, nowMs, 1, before)], { lastApplied: before }));
    expect(decision.changed).toEqual(['eu-west-1']);
    const unvoted = appliedRecord(eu, decision, before, null, nowMs + 5, undefined, new Set(['eu-west-1']));
    expect(unvoted.lastFlipMs['eu-west-1']).toBe(1000);
    expect(unvoted.lastRestoreMs?.['eu-west-1']).toBe(400);
    const voted = appliedRecord(eu, decision, before, null, nowMs + 5);
    expect(voted.lastFlipMs['eu-west-1']).toBe(nowMs);
    expect(voted.lastRestoreMs?.['eu-west-1']).toBe(nowMs);
  });

  it('adopts a peer\'s newer record without erasing a drain this observer saw and the peer did not', () => {
    // us-east-1 drained eu-west-1 at 221 s; eu-west-1's observer, down then, released nothing it knew of.
    const own = { ...appliedOf({ ...allServing, 'eu-west-1': 'drained' }, 221_000, { 'us-east-1': null, 'eu-west-1': 221_000, 'ap-southeast-2': null }), lastRestoreMs: { 'us-east-1': null, 'eu-west-1': 100_000, 'ap-southeast-2': null } };
    const peer = { ...appliedOf({ ...allServing, 'ap-southeast-2': 'drained' }, 254_800, { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': 254_800 }, eu), lastRestoreMs: { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': null } };
    const adopted = adoptedRecord(us, peer, own, 255_000);
    expect(adopted).toMatchObject({ observer: us, decisionId: peer.decisionId, decidedMs: 254_800, appliedMs: 255_000, routing: peer.routing });
    expect(adopted.lastFlipMs).toEqual({ 'us-east-1': null, 'eu-west-1': 254_800, 'ap-southeast-2': 254_800 });
    expect(adopted.lastRestoreMs).toEqual({ 'us-east-1': null, 'eu-west-1': 254_800, 'ap-southeast-2': null });
    // A peer that knew the restore keeps its own stamps.
    const knowing = { ...peer, lastFlipMs: { ...peer.lastFlipMs, 'eu-west-1': 250_000 }, lastRestoreMs: { ...peer.lastRestoreMs, 'eu-west-1': 250_000 } };
    expect(adoptedRecord(us, knowing, own, 255_000).lastRestoreMs?.['eu-west-1']).toBe(250_000);
    // Without a record of its own, the peer's record is taken as it is.
    expect(adoptedRecord(us, peer, null, 255_000).lastFlipMs).toEqual(peer.lastFlipMs);
  });

  it('picks the newest applied record by decision time, then id', () => {
    const a = { ...appliedOf(allServing, 10), decisionId: 'd-a' };
    const b = { ...appliedOf(allServing, 20), decisionId: 'd-b' };
    const c = { ...appliedOf(allServing, 20), decisionId: 'd-c' };
    expect(latestApplied([a, c, b])!.decisionId).toBe('d-c');
    expect(latestApplied([])).toBeNull();
    // Two copies of one decision (an adopted copy): the later write, whichever order they are read in.
    const copy = { ...c, observer: 'ap-southeast-2', appliedMs: 25 };
    expect(latestApplied([copy, c])).toBe(copy);
    expect(latestApplied([c, copy])).toBe(copy);
  });
});

describe('decide across configs (rolling deploys)', () => {
  it('does not count a proposal made under another config', () => {
    const drain = { ...allServing, 'eu-west-1': 'drained' as const };
    const mine = proposalWanting(config, us, drain, nowMs - 1000);
    const theirs = { ...proposalWanting(config, eu, drain, nowMs - 1000), configHash: 'c-00000000' };
    expect(freshProposals(input([mine, theirs])).map((p) => p.observer)).toEqual([us]);
    expect(decide(input([mine, theirs])).routing['eu-west-1']).toBe('serving');
    expect(decide(input([mine, { ...theirs, configHash: mine.configHash! }])).routing['eu-west-1']).toBe('drained');
  });
});
