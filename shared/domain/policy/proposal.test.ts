import { makeConfig } from '../../../test/support/fixtures';
import { alarmSignal, appliedOf, overrideOf, proposalInput, snapshotOf, someObservers, unanimous } from '../../../test/unit/support/core-builders';
import { alarmSignalTtlMs, computeProposal, hysteresisMarginMs, indictingAlarms } from './proposal';
import { voteSettleMs } from '../dataplane/vote-settle';

const nowMs = 10_000_000;
const config = makeConfig(); // 3 observers, 3 targets, minServing 1, maxDrained 1, cooldown 300 s, recovery hold 60 s
const allServing = { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' } as const;

describe('computeProposal', () => {
  describe('from verdicts', () => {
    it('serves every target a quorum judges healthy', () => {
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs)));
      expect(Object.values(p.targets).map((t) => [t.state, t.cause])).toEqual([['serving', 'healthy'], ['serving', 'healthy'], ['serving', 'healthy']]);
      expect(p.refusals).toEqual([]);
      expect(p.targets['eu-west-1']!.healthyQuorumSinceMs).toBe(nowMs);
    });

    it('drains a target a quorum judges unhealthy', () => {
      const p = computeProposal(proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'unhealthy', 2, nowMs)));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy', reason: '2 of 3 observers judge it unhealthy (quorum 2)' });
    });

    it('keeps serving when only one observer judges it unhealthy (no quorum either way is not reached: 2 healthy)', () => {
      const p = computeProposal(proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'unhealthy', 1, nowMs)));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
    });

    it('fails static without a quorum either way: a drained target stays drained, a serving one serving', () => {
      // Two of three observers are silent (their verdicts are stale): no quorum at all.
      const stale = nowMs - config.probe.verdictFreshnessMs - 1;
      const snapshots = [...unanimous(config, 'healthy', stale).slice(1), ...unanimous(config, 'healthy', nowMs).slice(0, 1)];
      const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 3_600_000);
      const p = computeProposal(proposalInput(config, nowMs, snapshots, { lastApplied }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'no-quorum' });
      expect(p.targets['us-east-1']).toMatchObject({ state: 'serving', cause: 'no-quorum' });
      expect(p.targets['eu-west-1']!.reason).toBe('no quorum (1 healthy, 0 suspect, 0 unhealthy, 2 unknown): keep drained');
    });
  });

  describe('recovery hold', () => {
    const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 3_600_000, { 'eu-west-1': nowMs - 3_600_000 });

    it('keeps a drained target drained until a healthy quorum has held for recoveryHoldMs', () => {
      const first = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied }));
      expect(first.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'recovery-hold', healthyQuorumSinceMs: nowMs });

      const later = nowMs + config.safety.recoveryHoldMs - 1;
      const second = computeProposal(proposalInput(config, later, unanimous(config, 'healthy', later), { lastApplied, previous: first, seq: 2 }));
      expect(second.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'recovery-hold', healthyQuorumSinceMs: nowMs });

      const done = nowMs + config.safety.recoveryHoldMs;
      const third = computeProposal(proposalInput(config, done, unanimous(config, 'healthy', done), { lastApplied, previous: second, seq: 3 }));
      expect(third.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
    });

    it('restores at once, with no hold or cooldown, a drain whose vote was never shown to Route 53 (unvoted), and only that one', () => {
      const justDrained = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 20_000, { 'eu-west-1': nowMs - 20_000 });
      const unvoted = computeProposal({ ...proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied: justDrained }), unvoted: new Set(['eu-west-1']) });
      expect(unvoted.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy', reason: '3 observers judge it healthy; its drain was never voted (withheld while a restore settled)' });
      const voted = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied: justDrained }));
      expect(voted.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'recovery-hold' });
      // Unvoted changes nothing without a healthy quorum: still failing, it stays drained.
      const failing = computeProposal({ ...proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'unhealthy', 2, nowMs), { lastApplied: justDrained }), unvoted: new Set(['eu-west-1']) });
      expect(failing.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    });

    it('restarts the hold when the healthy quorum breaks', () => {
      const first = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied }));
      const t2 = nowMs + 30_000;
      const broken = computeProposal(proposalInput(config, t2, someObservers(config, 'eu-west-1', 'suspect', 2, t2), { lastApplied, previous: first, seq: 2 }));
      expect(broken.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'no-quorum', healthyQuorumSinceMs: null });
      const t3 = nowMs + 70_000;
      const again = computeProposal(proposalInput(config, t3, unanimous(config, 'healthy', t3), { lastApplied, previous: broken, seq: 3 }));
      expect(again.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'recovery-hold', healthyQuorumSinceMs: t3 });
    });
  });

  describe('cooldown (hysteresis)', () => {
    it('never holds back a drain on evidence, even right after a restore (asymmetric hysteresis)', () => {
      const lastApplied = { ...appliedOf(allServing, nowMs - 1000, { 'eu-west-1': nowMs - 5_000 }), lastRestoreMs: { 'eu-west-1': nowMs - 5_000 } };
      const p = computeProposal(proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'unhealthy', 3, nowMs), { lastApplied }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    });

    it('holds back a restore until flipCooldownMs (plus the stamp margin) after the drain, and allows it after', () => {
      const drained = { ...allServing, 'eu-west-1': 'drained' as const };
      const since = nowMs - 60_000;
      const healthyFor = (now: number) => ({ previous: { observer: config.observers[0]!, seq: 1, createdMs: now - 1, refusals: [], targets: { 'eu-west-1': { target: 'eu-west-1', state: 'drained' as const, cause: 'recovery-hold' as const, reason: '', tally: { target: 'eu-west-1', quorum: 2, healthy: 3, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, healthyQuorumSinceMs: since, overrideId: null } } } });
      const lastApplied = appliedOf(drained, nowMs - 60_000, { 'eu-west-1': nowMs - 60_000 });
      const held = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied, ...healthyFor(nowMs) }));
      expect(held.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'cooldown' });
      expect(held.targets['eu-west-1']!.reason).toMatch(/restore held: drained 60000 ms ago \(flipCooldownMs 300000\)$/);

      const justBefore = nowMs - 60_000 + config.safety.flipCooldownMs + hysteresisMarginMs(config.safety.flipCooldownMs) - 1;
      expect(computeProposal(proposalInput(config, justBefore, unanimous(config, 'healthy', justBefore), { lastApplied, ...healthyFor(justBefore) })).targets['eu-west-1']!.state).toBe('drained');
      const after = justBefore + 1;
      const allowed = computeProposal(proposalInput(config, after, unanimous(config, 'healthy', after), { lastApplied, ...healthyFor(after) }));
      expect(allowed.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
    });

    it('counts the cooldown of a data-plane drain voted late from its first vote', () => {
      const drained = { ...allServing, 'eu-west-1': 'drained' as const };
      const decidedMs = nowMs - 400_000;
      const lastApplied = appliedOf(drained, decidedMs, { 'eu-west-1': decidedMs });
      const previous = { observer: config.observers[0]!, seq: 1, createdMs: nowMs - 1, refusals: [], targets: { 'eu-west-1': { target: 'eu-west-1', state: 'drained' as const, cause: 'recovery-hold' as const, reason: '', tally: { target: 'eu-west-1', quorum: 2, healthy: 3, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, healthyQuorumSinceMs: nowMs - 200_000, overrideId: null } } };
      const at = (now: number, drainVotedMs?: Record<string, number>) => computeProposal({ ...proposalInput(config, now, unanimous(config, 'healthy', now), { lastApplied, previous }), ...(drainVotedMs === undefined ? {} : { drainVotedMs }) }).targets['eu-west-1']!;
      // Decided 400 s ago: without a vote time the cooldown is over.
      expect(at(nowMs)).toMatchObject({ state: 'serving', cause: 'healthy' });
      // Its first gate voted it only 200 s ago (withheld while a release settled): held.
      const votedMs = nowMs - 200_000;
      const held = at(nowMs, { 'eu-west-1': votedMs });
      expect(held).toMatchObject({ state: 'drained', cause: 'cooldown' });
      expect(held.reason).toContain('its drain was first voted only 200000 ms ago');
      const doneMs = votedMs + config.safety.flipCooldownMs + hysteresisMarginMs(config.safety.flipCooldownMs);
      expect(at(doneMs - 1, { 'eu-west-1': votedMs }).state).toBe('drained');
      expect(at(doneMs, { 'eu-west-1': votedMs }).state).toBe('serving');
      // A vote at its decision cannot shorten the cooldown below the decision's.
      expect(at(decidedMs + config.safety.flipCooldownMs, { 'eu-west-1': decidedMs - 60_000 }).state).toBe('drained');
    });

    it('dampens a flapping target: a restore waits 2 × flipCooldownMs after the previous restore', () => {
      const drained = { ...allServing, 'eu-west-1': 'drained' as const };
      const lastApplied = { ...appliedOf(drained, nowMs - 400_000, { 'eu-west-1': nowMs - 400_000 }), lastRestoreMs: { 'eu-west-1': nowMs - 500_000 } };
      const previous = { observer: config.observers[0]!, seq: 1, createdMs: nowMs - 1, refusals: [], targets: { 'eu-west-1': { target: 'eu-west-1', state: 'drained' as const, cause: 'recovery-hold' as const, reason: '', tally: { target: 'eu-west-1', quorum: 2, healthy: 3, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, healthyQuorumSinceMs: nowMs - 200_000, overrideId: null } } };
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied, previous }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'cooldown' });
      expect(p.targets['eu-west-1']!.reason).toContain('last restored 500000 ms ago');
    });

    it('releases a drain held only by hysteresis when maxDrained would stop draining a failing target', () => {
      const euHeld = { ...allServing, 'eu-west-1': 'drained' as const };
      const lastApplied = appliedOf(euHeld, nowMs - 60_000, { 'eu-west-1': nowMs - 60_000 });
      const snapshots = someObservers(config, 'us-east-1', 'unhealthy', 3, nowMs);
      const p = computeProposal(proposalInput(config, nowMs, snapshots, { lastApplied }));
      expect(p.targets['us-east-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'released' });
      expect(p.refusals).toEqual([]);
    });

    it('releases a held drain for a new one only on healthy verdicts live enough to be a failing verdict\'s (an all-healthy snapshot may be a dead observer\'s last word)', () => {
      const [a, b, c] = config.observers as [string, string, string];
      const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 60_000, { 'eu-west-1': nowMs - 60_000 });
      // a and b fail us-east-1 (they rewrite every round); only b and c judge eu-west-1 healthy, and c's all-healthy snapshot is 30 s old.
      const at = (cWrittenMs: number) => computeProposal(proposalInput(config, nowMs, [
        snapshotOf(a, { 'us-east-1': 'unhealthy', 'eu-west-1': 'suspect', 'ap-southeast-2': 'healthy' }, nowMs),
        snapshotOf(b, { 'us-east-1': 'unhealthy', 'eu-west-1': 'healthy', 'ap-southeast-2': 'healthy' }, nowMs),
        snapshotOf(c, { 'us-east-1': 'healthy', 'eu-west-1': 'healthy', 'ap-southeast-2': 'healthy' }, cWrittenMs),
      ], { lastApplied }));
      const old = at(nowMs - 30_000);
      expect(old.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'recovery-hold' });
      expect(old.targets['us-east-1']).toMatchObject({ state: 'serving', cause: 'safety-refused' });
      expect(old.refusals).toEqual([expect.objectContaining({ target: 'us-east-1', rule: 'maxDrained' })]);
      // The same verdicts from a snapshot written a round ago release it.
      const live = at(nowMs - config.probe.intervalMs);
      expect(live.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'released' });
      expect(live.targets['us-east-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    });

    it('releases a held drain for a target an alarm indicts on every fresh verdict: no round need fail it, and all-healthy snapshots are rewritten only every verdictRefreshMs', () => {
      const alarmed = makeConfig({ alarms: [{ name: 'eu-5xx', target: 'us-east-1', effect: 'indict' }] });
      const lastApplied = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, nowMs - 60_000, { 'eu-west-1': nowMs - 60_000 });
      const p = computeProposal(proposalInput(alarmed, nowMs, unanimous(alarmed, 'healthy', nowMs - 20_000), { lastApplied, signals: [alarmSignal('eu-5xx', 'us-east-1', 'ALARM', nowMs - 1_000)] }));
      expect(p.targets['us-east-1']).toMatchObject({ state: 'drained', cause: 'alarm' });
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'released' });
    });

    it('never holds back an operator override', () => {
      const lastApplied = appliedOf(allServing, nowMs - 1000, { 'eu-west-1': nowMs - 1000 });
      const override = overrideOf('eu-west-1', 'drain', nowMs - 10, nowMs + 3_600_000);
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { lastApplied, overrides: [override] }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'override', overrideId: override.id });
    });
  });

  describe('overrides', () => {
    it('drains a healthy target while the override is active and names it', () => {
      const override = overrideOf('eu-west-1', 'drain', nowMs - 1000, nowMs + 1000);
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { overrides: [override] }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'override', reason: `override ${override.id} by ${override.actor}: maintenance` });
    });

    it('has no effect once expired', () => {
      const override = overrideOf('eu-west-1', 'drain', nowMs - 2000, nowMs);
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { overrides: [override] }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy', overrideId: null });
    });

    it('has no effect once ended early', () => {
      const override = overrideOf('eu-west-1', 'drain', nowMs - 2000, nowMs + 3_600_000);
      const p = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), {
        overrides: [override], overrideEnds: [{ overrideId: override.id, endedMs: nowMs - 1, actor: 'ops', reason: 'back' }],
      }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
    });

    it('remembers an end seen once (in an event): the next pass, reading a replica without it, keeps the override ended', () => {
      const override = { ...overrideOf('eu-west-1', 'drain', nowMs - 2000, nowMs + 3_600_000), force: true };
      const end = { overrideId: override.id, endedMs: nowMs - 1, actor: 'ops', reason: 'back' };
      const first = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { overrides: [override], overrideEnds: [end] }));
      expect(first.overrideEnds).toEqual([end]);
      const next = computeProposal(proposalInput(config, nowMs + 60, unanimous(config, 'healthy', nowMs), { seq: 2, overrides: [override], overrideEnds: [], previous: first }));
      expect(next.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
      expect(next.overrideEnds).toEqual([end]);
    });

    it('forgets a remembered end once its override has expired', () => {
      const override = overrideOf('eu-west-1', 'drain', nowMs - 2000, nowMs + 1000);
      const end = { overrideId: override.id, endedMs: nowMs - 1, actor: 'ops', reason: 'back' };
      const first = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { overrides: [override], overrideEnds: [end] }));
      const later = computeProposal(proposalInput(config, nowMs + 2000, unanimous(config, 'healthy', nowMs + 2000), { seq: 2, overrides: [override], previous: first }));
      expect(later.overrideEnds).toBeUndefined();
    });

    it('remembers an end whose override it has not read for 10 minutes at most, and 50 ends at most', () => {
      const end = (i: number, endedMs: number) => ({ overrideId: `gone-${String(i).padStart(3, '0')}`, endedMs, actor: 'ops', reason: 'back' });
      const first = computeProposal(proposalInput(config, nowMs, unanimous(config, 'healthy', nowMs), { overrideEnds: Array.from({ length: 120 }, (_, i) => end(i, nowMs - i * 1000)) }));
      expect(first.overrideEnds).toHaveLength(50);
      expect(first.overrideEnds!.map((e) => e.overrideId)).toContain('gone-000');
      expect(first.overrideEnds!.map((e) => e.overrideId)).not.toContain('gone-050');
      const later = computeProposal(proposalInput(config, nowMs + 600_000, unanimous(config, 'healthy', nowMs + 600_000), { seq: 2, previous: first }));
      expect(later.overrideEnds).toBeUndefined();
    });

    it('serve override keeps an unhealthy target serving', () => {
      const override = overrideOf('eu-west-1', 'serve', nowMs - 1000, nowMs + 1000);
      const p = computeProposal(proposalInput(config, nowMs, someObservers(config, 'eu-west-1', 'unhealthy', 3, nowMs), { overrides: [override] }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'override' });
    });

    it('refuses an unforced drain override that breaks minServing, and lets a forced one through', () => {
      const two = makeConfig({ targets: makeConfig().targets.slice(0, 2) });
      const lastApplied = appliedOf({ 'us-east-1': 'drained', 'eu-west-1': 'serving' }, nowMs - 3_600_000);
      const snapshots = someObservers(two, 'us-east-1', 'unhealthy', 3, nowMs);
      const unforced = overrideOf('eu-west-1', 'drain', nowMs - 1, nowMs + 1000);
      const refused = computeProposal(proposalInput(two, nowMs, snapshots, { lastApplied, overrides: [unforced] }));
      expect(refused.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'safety-refused' });
      expect(refused.refusals).toEqual([{ target: 'eu-west-1', rule: 'minServing', message: 'minServing 1: draining eu-west-1 would leave 0 serving' }]);

      const forced = computeProposal(proposalInput(two, nowMs, snapshots, { lastApplied, overrides: [{ ...unforced, force: true }] }));
      expect(forced.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'forced-override' });
      expect(forced.refusals).toEqual([]);
    });
  });

  describe('alarms', () => {
    const withAlarms = makeConfig({ alarms: [{ name: 'eu-5xx', target: 'eu-west-1', effect: 'indict' }, { name: 'us-5xx', target: 'us-east-1', effect: 'confirm' }] });

    it('drains a target whose indicting alarm is in ALARM, even when verdicts are healthy', () => {
      const p = computeProposal(proposalInput(withAlarms, nowMs, unanimous(withAlarms, 'healthy', nowMs), { signals: [alarmSignal('eu-5xx', 'eu-west-1', 'ALARM', nowMs - 5)] }));
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'alarm', reason: 'alarm eu-5xx in ALARM' });
    });

    it('follows the newest state of each alarm, ignores confirm alarms and signals older than the TTL', () => {
      const okAgain = [alarmSignal('eu-5xx', 'eu-west-1', 'ALARM', nowMs - 10), alarmSignal('eu-5xx', 'eu-west-1', 'OK', nowMs - 5)];
      expect(indictingAlarms(withAlarms, okAgain, nowMs).size).toBe(0);
      expect(indictingAlarms(withAlarms, [alarmSignal('us-5xx', 'us-east-1', 'ALARM', nowMs)], nowMs).size).toBe(0);
      expect(indictingAlarms(withAlarms, [alarmSignal('eu-5xx', 'eu-west-1', 'ALARM', nowMs - alarmSignalTtlMs - 1)], nowMs).size).toBe(0);
      expect(indictingAlarms(withAlarms, [alarmSignal('eu-5xx', 'eu-west-1', 'ALARM', nowMs - alarmSignalTtlMs)], nowMs).get('eu-west-1')).toEqual(['eu-5xx']);
    });
  });

  describe('safety rules', () => {
    it('refuses drains beyond minServing and maxDrained when every target is unhealthy, keeping one drain', () => {
      const snapshots = unanimous(config, 'unhealthy', nowMs);
      const p = computeProposal(proposalInput(config, nowMs, snapshots));
      const drained = Object.values(p.targets).filter((t) => t.state === 'drained');
      expect(drained).toHaveLength(1);
      expect(p.refusals).toHaveLength(2);
      // Refused lowest priority first (ties: later region name first), counting the drains still pending.
      expect(p.refusals).toEqual([
        { target: 'us-east-1', rule: 'minServing', message: 'minServing 1: draining us-east-1 would leave 0 serving' },
        { target: 'eu-west-1', rule: 'maxDrained', message: 'maxDrained 1: draining eu-west-1 would make 2 drained by automation' },
      ]);
      expect(drained[0]!.target).toBe('ap-southeast-2');
    });

    it('refuses a drain that would leave fewer than minServing serving, with a message saying so', () => {
      const roomy = makeConfig({ safety: { minServing: 1, maxDrained: 2 } });
      const lastApplied = appliedOf({ 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' }, nowMs - 3_600_000);
      const p = computeProposal(proposalInput(roomy, nowMs, unanimous(roomy, 'unhealthy', nowMs), { lastApplied }));
      expect(p.refusals).toEqual([{ target: 'eu-west-1', rule: 'minServing', message: 'minServing 1: draining eu-west-1 would leave 0 serving' }]);
      expect(p.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'safety-refused' });
      expect(p.targets['eu-west-1']!.reason).toMatch(/; minServing 1: draining eu-west-1 would leave 0 serving$/);
    });

    it('regression: one more unhealthy verdict never turns a kept drain into a restore (monotonic)', () => {
      // minServing forces one of two drained targets back. us-east-1 is healthy by quorum (3 of 5) but in
      // its recovery hold; eu-west-1 has 2 unhealthy verdicts and no quorum. Before the fix, the
      // recovery hold outranked no-quorum, so one more unhealthy verdict on us-east-1 (breaking its
      // healthy quorum) made *it* the one restored.
      const five = makeConfig({ observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1'], safety: { minServing: 2, maxDrained: 1 } });
      const lastApplied = appliedOf({ 'us-east-1': 'drained', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' }, nowMs - 3_600_000);
      const others = [snapshotOf('eu-west-1', { 'us-east-1': 'healthy', 'eu-west-1': 'unhealthy' }, nowMs), snapshotOf('ap-southeast-2', { 'us-east-1': 'healthy' }, nowMs)];
      const before = computeProposal(proposalInput(five, nowMs, [snapshotOf('us-east-1', { 'us-east-1': 'healthy', 'eu-west-1': 'unhealthy' }, nowMs), ...others], { lastApplied }));
      const after = computeProposal(proposalInput(five, nowMs, [snapshotOf('us-east-1', { 'us-east-1': 'unhealthy', 'eu-west-1': 'unhealthy' }, nowMs), ...others], { lastApplied }));
      // The target a quorum judges healthy is the one restored; the one with unhealthy evidence stays drained.
      expect(before.targets['us-east-1']).toMatchObject({ state: 'serving', cause: 'safety-restore' });
      expect(before.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'no-quorum' });
      // With one more unhealthy verdict both lack a quorum; eu-west-1 has the worse evidence (2 vs 1) and stays drained.
      expect(after.targets['us-east-1']).toMatchObject({ state: 'serving', cause: 'safety-restore' });
      expect(after.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'no-quorum' });
    });

    it('is deterministic: the same input gives the same proposal', () => {
      const input = proposalInput(config, nowMs, unanimous(config, 'unhealthy', nowMs));
      expect(computeProposal(structuredClone(input))).toEqual(computeProposal(structuredClone(input)));
    });
  });
});

describe('fromStateOf: the applied state a vote is made over, and since when its gate answers from it', () => {
  const observer = 'us-east-1';
  const drained = appliedOf({ ...allServing, 'eu-west-1': 'drained' }, 100_000, { 'eu-west-1': 100_000 }, observer);
  const restored = { ...appliedOf(allServing, 200_000, { 'eu-west-1': 200_000 }, observer), appliedMs: 200_500, lastRestoreMs: { 'eu-west-1': 200_000 } };
  const proposalOver = (lastApplied: typeof drained, createdMs: number, previous: ReturnType<typeof computeProposal> | null) =>
    computeProposal(proposalInput(config, createdMs, unanimous(config, 'healthy', createdMs), { observer, lastApplied, previous }));

  it('takes the decision time without a previous proposal, then stamps the first proposal over a new state and carries it', () => {
    const first = proposalOver(drained, 195_000, null);
    expect(first.targets['eu-west-1']).toMatchObject({ fromState: 'drained', fromSinceMs: 100_000, fromSeenMs: 100_000 });
    const over = proposalOver(restored, 210_000, first);
    // Its own record switched its gate when written (200.5 s), not at this pass.
    expect(over.targets['eu-west-1']).toMatchObject({ fromState: 'serving', fromSinceMs: 200_000, fromSeenMs: 200_500 });
    expect(proposalOver(restored, 260_000, over).targets['eu-west-1']!.fromSeenMs).toBe(200_500);
    // Another observer's record of the same change (adopted, or newer by a few ms) changes nothing its gate answers.
    const sameChange = { ...restored, observer: 'eu-west-1', decidedMs: 200_300, lastFlipMs: { 'eu-west-1': 200_300 } };
    expect(proposalOver(sameChange, 250_000, over).targets['eu-west-1']).toMatchObject({ fromSinceMs: 200_300, fromSeenMs: 200_500 });
    expect(over.targets['us-east-1']).toMatchObject({ fromState: 'serving', fromSinceMs: null, fromSeenMs: null });
  });

  it('stamps now for a peer\'s record its replica brought, and no later than its peers stopped waiting for it', () => {
    const first = proposalOver(drained, 150_000, null);
    const peers = { ...restored, observer: 'eu-west-1' };
    expect(proposalOver(peers, 170_000, { ...first, createdMs: 165_000 }).targets['eu-west-1']!.fromSeenMs).toBe(170_000);
    // Back after an outage: its previous proposal (150 s) had stopped counting at 210 s, its old vote settled by then.
    const cap = 150_000 + config.probe.verdictFreshnessMs - voteSettleMs(config);
    expect(proposalOver(peers, 400_000, first).targets['eu-west-1']!.fromSeenMs).toBe(cap);
    // A previous proposal still fresh (unchanged ones are rewritten only every verdictRefreshMs) caps nothing.
    expect(proposalOver(peers, 150_000 + config.probe.verdictRefreshMs + 5_000, first).targets['eu-west-1']!.fromSeenMs).toBe(150_000 + config.probe.verdictRefreshMs + 5_000);
  });

  it('dates a change whose record never flipped it (its decider never saw the drain) at that record\'s decision, and keeps it', () => {
    const first = proposalOver(drained, 240_000, null);
    const unseen = { ...appliedOf(allServing, 254_800, {}, 'eu-west-1'), appliedMs: 254_900 };
    const over = proposalOver(unseen, 256_000, first);
    expect(over.targets['eu-west-1']).toMatchObject({ fromState: 'serving', fromSinceMs: 254_800, fromSeenMs: 256_000 });
    expect(proposalOver(unseen, 270_000, over).targets['eu-west-1']).toMatchObject({ fromSinceMs: 254_800, fromSeenMs: 256_000 });
  });
});

describe('ownRoundPassed: a drain no gate has voted, whose target passed this observer\'s own latest round', () => {
  const observer = 'us-east-1';
  /** eu-west-1 is voted through Route 53 health checks (the data plane); the other targets by weight. */
  const gated = makeConfig({ targets: config.targets.map((t) => (t.region === 'eu-west-1' ? { ...t, route53: { ...t.route53, mode: 'health-check' as const } } : t)) });
  /** Two peers judge eu-west-1 unhealthy (a quorum); this observer's own round of it passed `passes` times, written at `ownMs`. */
  const snapshotsWith = (passes: number, ownMs = nowMs, status: 'healthy' | 'suspect' = 'suspect') => {
    const own = snapshotOf(observer, { 'us-east-1': 'healthy', 'eu-west-1': status, 'ap-southeast-2': 'healthy' }, ownMs);
    own.verdicts['eu-west-1'] = { ...own.verdicts['eu-west-1']!, consecutivePasses: passes };
    const peers = ['eu-west-1', 'ap-southeast-2'].map((o) => snapshotOf(o, { 'us-east-1': 'healthy', 'eu-west-1': 'unhealthy', 'ap-southeast-2': 'healthy' }, nowMs));
    return [own, ...peers];
  };
  const targetOf = (cfg: typeof config, snapshots: ReturnType<typeof snapshotsWith>, extra: Parameters<typeof proposalInput>[3] = {}) =>
    computeProposal(proposalInput(cfg, nowMs, snapshots, { observer, ...extra })).targets['eu-west-1']!;

  it('marks the quorum\'s drain of a data-plane target when its own fresh round passed', () => {
    expect(targetOf(gated, snapshotsWith(1))).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy', ownRoundPassed: true });
  });

  it('does not mark it when its own round failed (no passes)', () => {
    expect(targetOf(gated, snapshotsWith(0))).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    expect(targetOf(gated, snapshotsWith(0)).ownRoundPassed).toBeUndefined();
  });

  it('does not mark a target voted by weight: its decider applies the drain itself', () => {
    const weighted = targetOf(config, snapshotsWith(1));
    expect(weighted).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    expect(weighted.ownRoundPassed).toBeUndefined();
  });

  it('does not mark an operator\'s drain: only a quorum\'s verdicts can be late', () => {
    const override = overrideOf('eu-west-1', 'drain', nowMs - 1_000, nowMs + 600_000);
    const drained = targetOf(gated, snapshotsWith(1), { overrides: [override] });
    expect(drained).toMatchObject({ state: 'drained', cause: 'override' });
    expect(drained.ownRoundPassed).toBeUndefined();
  });

  it('never marks a drain a gate has voted, or one this observer\'s own gate answers: the mark never withdraws a vote', () => {
    const voted = targetOf(gated, snapshotsWith(1), { drainVotedMs: { 'eu-west-1': nowMs - 4_000 } });
    expect(voted).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    expect(voted.ownRoundPassed).toBeUndefined();
    const answered = targetOf(gated, snapshotsWith(1), { gateDrains: new Set(['eu-west-1']) });
    expect(answered).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    expect(answered.ownRoundPassed).toBeUndefined();
  });

  it('marks it on a stale passing round too (an observer whose probes stopped after a pass): its gate only abstains, the observers whose fresh rounds fail vote it', () => {
    const stale = nowMs - gated.probe.verdictFreshnessMs - 1;
    const target = targetOf(gated, snapshotsWith(1, stale, 'healthy'));
    expect(target).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy', ownRoundPassed: true });
    expect(target.tally.byObserver).toEqual({ 'us-east-1': 'unknown', 'eu-west-1': 'unhealthy', 'ap-southeast-2': 'unhealthy' });
  });
});
