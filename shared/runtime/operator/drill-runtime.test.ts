import { configInput } from '../../../test/support/fixtures';
import { operatorWorld } from '../../../test/support/operator-world';
import { createDrill, drillClaimStaggerMs, DrillRuntime, drillPollIntervalMs, scheduledDrillId, type ScheduledDrillOutcome } from './drill-runtime';
import { endOverride } from './override-service';
import { AlreadyExistsError, DnsError } from '../../ports';

/** The report of a scheduled firing that ran its tick (fails the test if it skipped). */
function ranReport(outcome: ScheduledDrillOutcome) {
  if (outcome.kind !== 'ran') throw new Error(`expected the tick to run, it was skipped: ${outcome.reason}`);
  return outcome.report;
}

const drainPhases = ['drain-decision', 'drain-insync', 'drain-weight'];
const restorePhases = ['restore-decision', 'restore-insync', 'restore-weight'];

describe('drill runtime', () => {
  it('evacuates a target, restores it, and reports timings that add up', async () => {
    const w = operatorWorld();
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'arn:aws:iam::1:user/ops' });

    const report = await new DrillRuntime(w.deps).run(drill.id);

    expect(report.status).toBe('passed');
    expect(report.phases.map((p) => p.name)).toEqual(['requested', ...drainPhases, 'hold', ...restorePhases]);
    const byName = Object.fromEntries(report.phases.map((p) => [p.name, p]));
    const override = w.store.overrides.get(report.overrideId!)!;
    expect(override).toMatchObject({ target: 'eu-west-1', action: 'drain', source: 'drill', drillId: drill.id, expiresMs: override.createdMs + 60_000 });
    // The phases follow one another, and the drain phases add up to the RTO.
    for (let i = 2; i < report.phases.length; i += 1) expect(report.phases[i]!.startedMs).toBe(report.phases[i - 1]!.endedMs);
    expect(byName['drain-decision']!.startedMs).toBe(override.createdMs);
    const drainSumMs = drainPhases.reduce((sum, name) => sum + byName[name]!.durationMs!, 0);
    expect(report.rtoMs).toBe(drainSumMs);
    expect(report.rtoMs).toBeGreaterThan(0);
    expect(report.rtoMs).toBeLessThanOrEqual(report.rtoSecondsMax * 1000);
    expect(byName.hold!.endedMs).toBe(override.expiresMs - 5_000);
    expect(report.changeIds).toEqual(['C000001', 'C000002']);
    expect([byName['drain-insync']!.detail, byName['restore-insync']!.detail]).toEqual(['change C000001', 'change C000002']);
    expect(w.dns.changes.map((c) => c.changes.filter((x) => x.fromWeight !== x.toWeight).map((x) => `${x.target}:${x.fromWeight}->${x.toWeight}`))).toEqual([['eu-west-1:100->0'], ['eu-west-1:0->100']]);
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
    expect(w.store.overrideEnds.get(override.id)).toMatchObject({ actor: `drill:${drill.id}`, endedMs: byName.hold!.endedMs });
    const kinds = [...w.store.audit.values()].sort((a, b) => a.atMs - b.atMs).map((e) => e.kind);
    expect(kinds).toEqual(['drill-started', 'override-created', 'decision-applied', 'override-ended', 'decision-applied', 'drill-finished']);
    const event = w.bus.published.find((e) => e.type === 'drill-report');
    expect(event).toMatchObject({ type: 'drill-report', report: { id: drill.id, passed: true, target: 'eu-west-1' } });
    expect(w.store.drills.get(drill.id)!.version).toBe(report.version);
  });

  it('evacuates a data-plane target through votes: no Route 53 change, rto up to the observer vote', async () => {
    const targets = configInput().targets.map((t) => (t.region === 'eu-west-1' ? { ...t, route53: { ...t.route53, mode: 'health-check' as const } } : t));
    const w = operatorWorld({ targets });
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'ops' });

    const report = await new DrillRuntime(w.deps).run(drill.id);

    expect({ status: report.status, problems: report.problems }).toEqual({ status: 'passed', problems: [] });
    expect(report.phases.map((p) => p.name)).toEqual(['requested', 'drain-decision', 'drain-vote', 'hold', 'restore-decision', 'restore-vote']);
    const byName = Object.fromEntries(report.phases.map((p) => [p.name, p]));
    expect(report.rtoMs).toBe(byName['drain-decision']!.durationMs! + byName['drain-vote']!.durationMs!);
    expect(byName['drain-vote']!.detail).toMatch(/votes drain; Route 53's checkers read it within about 32 s \(predicted, not observed\)/);
    expect(byName['restore-vote']!.detail).toContain('votes no-drain');
    expect(w.dns.changes).toEqual([]);
    expect(report.changeIds).toEqual([]);
  });

  it('counts decisions stamped by an observer whose clock runs behind the drill\'s', async () => {
    const w = operatorWorld({}, undefined, -3_000);
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'ops' });
    const report = await new DrillRuntime(w.deps).run(drill.id);
    expect(report.status).toBe('passed');
    expect(report.problems).toEqual([]);
    // Observers act on the override only once their own clocks reach it: one poll later than in step.
    expect(report.phases.find((p) => p.name === 'drain-decision')!.durationMs).toBe(2 * drillPollIntervalMs);
  });

  it('measures the restore from an operator\'s early end of the drill override (an abort)', async () => {
    const w = operatorWorld();
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 300, startedBy: 'ops' });
    const step = w.clock.onStep!;
    let abortedMs: number | null = null;
    w.clock.onStep = async () => {
      await step();
      const overrideId = w.store.drills.get(drill.id)?.overrideId;
      if (abortedMs === null && overrideId && w.dns.weightOf('eu-west-1') === 0 && w.clock.nowMs() - w.store.overrides.get(overrideId)!.createdMs >= 40_000) {
        abortedMs = w.clock.nowMs();
        await endOverride(w.deps, overrideId, { actor: 'arn:aws:iam::1:user/oncall', reason: 'abort drill' });
      }
    };

    const report = await new DrillRuntime(w.deps).run(drill.id);

    expect(abortedMs).not.toBeNull();
    expect(report.status).toBe('passed');
    expect(report.problems).toEqual(['note: override ended early by arn:aws:iam::1:user/oncall: abort drill']);
    const hold = report.phases.find((p) => p.name === 'hold')!;
    expect(hold.endedMs).toBe(abortedMs);
    expect(report.phases.find((p) => p.name === 'restore-decision')!.startedMs).toBe(abortedMs);
    expect(w.store.overrideEnds.size).toBe(1);
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
  });

  it('fails without holding when Route 53 refuses the drain, and ends its override at once', async () => {
    const w = operatorWorld();
    await w.step();
    w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 600, startedBy: 'ops' });
    const startedMs = w.clock.nowMs();

    const report = await new DrillRuntime(w.deps).run(drill.id);

    expect(report.status).toBe('failed');
    expect(report.phases.map((p) => p.name)).not.toContain('hold');
    expect(report.phases.find((p) => p.name === 'drain-decision')).toMatchObject({ endedMs: null, durationMs: null });
    expect(report.problems[0]).toBe('drain-decision did not complete within 120000 ms');
    expect(w.store.overrideEnds.get(report.overrideId!)).toMatchObject({ actor: `drill:${drill.id}`, reason: 'drill restore' });
    expect(w.clock.nowMs() - startedMs).toBeLessThan(600_000);
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
  });

  it('runs a drill delivered twice only once', async () => {
    const w = operatorWorld();
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'ops' });
    const [a, b] = await Promise.all([new DrillRuntime(w.deps).run(drill.id), new DrillRuntime(w.deps).run(drill.id)]);
    expect([a.status, b.status].sort()).toEqual(['passed', 'running']);
    expect(w.store.overrides.size).toBe(1);
    expect(w.store.drills.get(drill.id)!.status).toBe('passed');
  });

  it('refuses to evacuate while another target is drained, audited and reported', async () => {
    const w = operatorWorld();
    const nowMs = w.clock.nowMs();
    await w.store.putApplied({ observer: 'us-east-1', decisionId: 'd-1', decidedMs: nowMs, appliedMs: nowMs, routing: { 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' }, changeId: 'C1', lastFlipMs: {} });

    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'ops' });

    expect(drill.status).toBe('refused');
    expect(drill.problems).toEqual(['otherDrained: another target is already drained: us-east-1']);
    expect(w.store.overrides.size).toBe(0);
    expect([...w.store.audit.values()].map((e) => e.kind)).toEqual(['drill-refused']);
    expect(w.bus.published.filter((e) => e.type === 'drill-report')).toHaveLength(1);
    expect(await new DrillRuntime(w.deps).run(drill.id)).toEqual(drill);
  });

  it('runs a shadow drill that predicts the change without touching Route 53', async () => {
    const w = operatorWorld({ drills: [{ name: 'eu-shadow', schedule: 'rate(7 days)', target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }] });
    await w.step();
    const report = ranReport(await new DrillRuntime(w.deps).runScheduled('eu-shadow'));

    expect(report.status).toBe('passed');
    expect(report.startedBy).toBe('schedule:eu-shadow');
    expect(w.dns.changes).toHaveLength(0);
    expect(w.store.overrides.size).toBe(0);
    expect(report.shadow).toMatchObject({ wouldDrain: true, changes: [{ target: 'eu-west-1', setIdentifier: 'eu-west-1', fromWeight: 100, toWeight: 0 }], refusals: [] });
    const predicted = (report.shadow as { predicted: { detectionMs: number; totalMs: number } }).predicted;
    // The longer of: a round plus confirmCount × confirmSpacingMs, and a round plus failureMinDurationMs (defaults: 2 s, 2 × 0.5 s, 10 s).
    expect(predicted.detectionMs).toBe(Math.max(2_000 + 2 * 500, 2_000 + 10_000));
    expect(report.rtoMs).toBe(predicted.totalMs);
  });

  it('predicts a data-plane target through its health checks: no record change, the vote read instead of INSYNC', async () => {
    const targets = configInput().targets.map((t) => (t.region === 'eu-west-1' ? { ...t, route53: { ...t.route53, mode: 'health-check' as const } } : t));
    const w = operatorWorld({ targets, drills: [{ name: 'eu-shadow', schedule: 'rate(7 days)', target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }] });
    await w.step();
    const report = ranReport(await new DrillRuntime(w.deps).runScheduled('eu-shadow'));

    expect(report.status).toBe('passed');
    expect(report.shadow).toMatchObject({ wouldDrain: true, changes: [], refusals: [] });
    const predicted = (report.shadow as { predicted: { decisionMs: number; totalMs: number } }).predicted;
    expect(predicted.totalMs - predicted.decisionMs).toBe(2_000 + 30_000); // the gate's 2 s cache + FailureThreshold 1 × 30 s (standard) checks, not 60 s INSYNC
  });

  it('reports in a shadow drill which safety rule would bite', async () => {
    // us-east-1 is down for every observer and drained: maxDrained (1) is used up by a drain whose cause still holds.
    const w = operatorWorld({ drills: [{ name: 'eu-shadow', schedule: 'rate(7 days)', target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }] });
    for (const prober of w.probers) prober.set('us-east-1', { kind: 'down' });
    for (let i = 0; i < 12; i += 1) {
      w.clock.advance(w.config.probe.intervalMs);
      await w.step();
    }
    expect(w.dns.weightOf('us-east-1')).toBe(0);
    const report = ranReport(await new DrillRuntime(w.deps).runScheduled('eu-shadow'));
    expect(report.status).toBe('failed');
    expect(report.problems[0]).toBe('maxDrained: maxDrained 1: draining eu-west-1 would make 2 drained by automation');
    expect(w.dns.changes).toHaveLength(1);
  });

  it('predicts in a shadow drill that a drain held only by hysteresis would be released, not that maxDrained bites', async () => {
    const w = operatorWorld({ drills: [{ name: 'eu-shadow', schedule: 'rate(7 days)', target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }] });
    await w.step();
    const nowMs = w.clock.nowMs();
    await w.store.putApplied({ observer: 'us-east-1', decisionId: 'd-1', decidedMs: nowMs - 3_600_000, appliedMs: nowMs, routing: { 'us-east-1': 'drained', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' }, changeId: 'C1', lastFlipMs: {} });
    const report = ranReport(await new DrillRuntime(w.deps).runScheduled('eu-shadow'));
    expect(report.status).toBe('passed');
    expect(report.shadow).toMatchObject({ wouldDrain: true, routing: { 'us-east-1': 'serving', 'eu-west-1': 'drained' } });
    expect(w.dns.changes).toHaveLength(0);
  });

  it('caps the hold by the invocation time left and says so in the report', async () => {
    const w = operatorWorld();
    await w.step();
    const drill = await createDrill(w.deps, { target: 'ap-southeast-2', mode: 'evacuate', holdSeconds: 3600, startedBy: 'ops' });
    const deadlineMs = w.clock.nowMs() + 900_000;
    const report = await new DrillRuntime(w.deps, { remainingMs: () => deadlineMs - w.clock.nowMs() }).run(drill.id);
    expect(report.status).toBe('passed');
    expect(report.problems.some((p) => p.startsWith('note: hold capped at'))).toBe(true);
    expect(w.clock.nowMs()).toBeLessThanOrEqual(deadlineMs);
    expect(w.dns.weightOf('ap-southeast-2')).toBe(100);
  });

  it('restores the target when the drill dies mid-way, once its override expires (memory adapters, ManualClock)', async () => {
    const w = operatorWorld();
    await w.step();
    const drill = await createDrill(w.deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60, startedBy: 'ops' });
    const original = w.clock.sleepMs.bind(w.clock);
    // The invocation dies when it starts to hold: no restore by the drill itself.
    const sleep = jest.spyOn(w.clock, 'sleepMs').mockImplementation(async (ms) => {
      if (ms > drillPollIntervalMs) throw new Error('Task timed out');
      return original(ms);
    });
    await expect(new DrillRuntime(w.deps).run(drill.id)).rejects.toThrow('Task timed out');
    sleep.mockRestore();
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
    const override = w.store.overrides.get(w.store.drills.get(drill.id)!.overrideId!)!;
    expect(w.store.overrideEnds.size).toBe(0);

    const stepsMax = 200;
    for (let i = 0; i < stepsMax && w.dns.weightOf('eu-west-1') !== 100; i += 1) await w.clock.sleepMs(drillPollIntervalMs);

    expect(w.dns.weightOf('eu-west-1')).toBe(100);
    expect(w.clock.nowMs()).toBeGreaterThanOrEqual(override.expiresMs);
    const finished = await new DrillRuntime(w.deps).run(drill.id);
    expect(finished.status).toBe('failed');
    expect(finished.problems).toContain('the drill invocation ended before it finished; its override ended by TTL or by an operator');
    expect([...w.store.audit.values()].filter((e) => e.kind === 'drill-finished')).toHaveLength(1);
  });

  describe('scheduled drills: one run per tick across all regions', () => {
    const weekly = { name: 'eu-weekly', schedule: 'cron(0 9 ? * MON *)', target: 'eu-west-1' as const, mode: 'evacuate' as const, holdSeconds: 60 };
    // Monday 2023-11-20 09:00 UTC; the world's clock starts on 2023-11-14.
    const tickMs = Date.parse('2023-11-20T09:00:00Z');
    const runtimeOf = (w: ReturnType<typeof operatorWorld>, observer: string) => new DrillRuntime({ ...w.deps, observer });

    /** Runs each region's firing in the order their claims happen (rank × drillClaimStaggerMs after the tick), recording each one's waits. */
    async function fireInClaimOrder(w: ReturnType<typeof operatorWorld>, observers: string[], firedMs: number) {
      const waits: Record<string, number[]> = {};
      const outcomes: Record<string, ScheduledDrillOutcome> = {};
      for (const observer of observers) {
        const sleep = jest.spyOn(w.clock, 'sleepMs');
        outcomes[observer] = await runtimeOf(w, observer).runScheduled('eu-weekly', firedMs);
        waits[observer] = sleep.mock.calls.map(([ms]) => ms);
        sleep.mockRestore();
      }
      return { waits, outcomes };
    }

    it('runs the tick once when every region fires it, and the others skip naming the region that claimed it', async () => {
      const w = operatorWorld({ drills: [weekly] });
      await w.step();
      const { waits, outcomes } = await fireInClaimOrder(w, ['us-east-1', 'eu-west-1', 'ap-southeast-2'], tickMs + 4_000);

      const drillId = scheduledDrillId('eu-weekly', tickMs);
      expect(drillId).toBe('sched-eu-weekly-20231120T090000Z');
      expect(ranReport(outcomes['us-east-1']!)).toMatchObject({ id: drillId, observer: 'us-east-1', status: 'passed', startedBy: 'schedule:eu-weekly' });
      for (const observer of ['eu-west-1', 'ap-southeast-2']) {
        expect(outcomes[observer]).toEqual({ kind: 'skipped', drillId, tickMs, reason: `tick already claimed by us-east-1 (drill ${drillId} is passed)` });
      }
      // The first region claims at once; the others wait their rank's stagger before they look.
      expect(waits['us-east-1']![0]).not.toBe(drillClaimStaggerMs);
      expect(waits['eu-west-1']).toEqual([drillClaimStaggerMs]);
      expect(waits['ap-southeast-2']).toEqual([2 * drillClaimStaggerMs]);
      expect([...w.store.drills.keys()]).toEqual([drillId]);
      expect(w.store.overrides.size).toBe(1);
      expect([...w.store.audit.values()].filter((e) => e.kind === 'drill-started')).toHaveLength(1);
    });

    it('still runs the tick when the first region is down: the next one claims it after its stagger', async () => {
      const w = operatorWorld({ drills: [{ ...weekly, mode: 'shadow' }] });
      await w.step();
      const { waits, outcomes } = await fireInClaimOrder(w, ['eu-west-1', 'ap-southeast-2'], tickMs + 2_000);
      expect(ranReport(outcomes['eu-west-1']!)).toMatchObject({ observer: 'eu-west-1', status: 'passed', mode: 'shadow' });
      expect(outcomes['ap-southeast-2']).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('claimed by eu-west-1') });
      expect(waits['eu-west-1']).toEqual([drillClaimStaggerMs]);
      expect(w.store.drills.size).toBe(1);
    });

    it('names each tick apart: a later week is a new drill; a firing a minute late is still its tick', async () => {
      const w = operatorWorld({ drills: [{ ...weekly, mode: 'shadow' }] });
      const first = await runtimeOf(w, 'us-east-1').runScheduled('eu-weekly', tickMs + 59_000);
      const late = await runtimeOf(w, 'us-east-1').runScheduled('eu-weekly', tickMs + 90_000);
      const next = await runtimeOf(w, 'us-east-1').runScheduled('eu-weekly', tickMs + 7 * 86_400_000 + 3_000);
      expect([first.kind, late.kind, next.kind]).toEqual(['ran', 'skipped', 'ran']);
      expect([first.drillId, late.drillId, next.drillId]).toEqual(['sched-eu-weekly-20231120T090000Z', 'sched-eu-weekly-20231120T090000Z', 'sched-eu-weekly-20231127T090000Z']);
    });

    it('lets only one of two invocations that both found the tick free write it (the immutable conditional put)', async () => {
      const w = operatorWorld({ drills: [{ ...weekly, mode: 'shadow' }] });
      const outcomes = await Promise.all([runtimeOf(w, 'us-east-1').runScheduled('eu-weekly', tickMs), runtimeOf(w, 'us-east-1').runScheduled('eu-weekly', tickMs)]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['ran', 'skipped']);
      expect(outcomes.find((o) => o.kind === 'skipped')).toMatchObject({ reason: expect.stringMatching(/claimed by another invocation while this one checked/) });
      expect(w.store.drills.size).toBe(1);
      await expect(createDrill(w.deps, { id: outcomes[0]!.drillId, target: 'eu-west-1', mode: 'shadow', holdSeconds: 60, startedBy: 'x' })).rejects.toThrow(AlreadyExistsError);
    });
  });
});
