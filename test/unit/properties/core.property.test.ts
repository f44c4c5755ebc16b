/**
 * Invariants of the pure core, checked over generated configs and views (DESIGN "Invariants").
 * Runs are capped (numRuns) so the unit project stays fast; a failure prints its seed and path
 * for replay (`fc.assert(..., { seed, path })`).
 */
import fc from 'fast-check';
import {
  appliedRecord, clockBoundMs, computeProposal, decide, desiredWeight, planRoute, quorumSize,
  type AppliedDecision, type Proposal, type ProposalInput, type RecordSetView, type Region, type Routing, type ValidConfig, type VerdictSnapshot,
} from '../../../shared/domain';
import { snapshotOf } from '../support/core-builders';
import { configArb, freshSnapshotsArb, lastAppliedArb, nowMs, overridesArb, proposalInputArb } from '../support/core-arbitraries';

/** Capped so the whole unit project stays well under 20 s on 2 cores. */
const runsMax = 200;
const sequenceRunsMax = 100;
const hourMs = 3_600_000;

function freshCount(input: ProposalInput, target: Region, status: string): number {
  const newest = new Map<Region, VerdictSnapshot>();
  for (const s of input.snapshots) if ((newest.get(s.observer)?.seq ?? -1) < s.seq) newest.set(s.observer, s);
  return input.config.observers.filter((o) => {
    const s = newest.get(o);
    // A failing verdict just seen may be up to the clock bound older by its writer's clock (docs/protocol.md).
    const ageMaxMs = input.config.probe.verdictFreshnessMs + (status === 'healthy' ? 0 : clockBoundMs);
    return s !== undefined && nowMs - s.writtenMs <= ageMaxMs && s.verdicts[target]?.status === status;
  }).length;
}

function servingCount(routing: Record<Region, string>): number {
  return Object.values(routing).filter((s) => s === 'serving').length;
}

function recordsFor(config: ValidConfig, routing: Routing): RecordSetView[] {
  return config.targets.map((t) => ({ hostedZoneId: t.route53.hostedZoneId, name: `${t.route53.recordName}.`, type: t.route53.recordType, setIdentifier: t.route53.setIdentifier, weight: desiredWeight(t, routing), ttl: 60, resourceRecords: ['192.0.2.1'] }));
}

/** A proposal input with no operator or alarm evidence for `target`: only verdicts can move it. */
const verdictsOnlyArb = proposalInputArb().map((input) => ({ ...input, overrides: [], signals: [] }));

describe('core properties', () => {
  it('fewer than a quorum of unhealthy verdicts never drains a serving target (proposal)', () => {
    fc.assert(fc.property(verdictsOnlyArb, (input) => {
      const proposal = computeProposal(input);
      for (const { region } of input.config.targets) {
        const wasServing = (input.lastApplied?.routing[region] ?? 'serving') === 'serving';
        if (wasServing && freshCount(input, region, 'unhealthy') < quorumSize(input.config.observers.length)) {
          expect(proposal.targets[region]!.state).toBe('serving');
        }
      }
    }), { numRuns: runsMax });
  });

  it('fewer than a quorum of proposals to drain never drains a serving target (decision)', () => {
    const arb = configArb.chain((config) => fc.record({
      lastApplied: lastAppliedArb(config),
      wants: fc.array(fc.array(fc.boolean(), { minLength: config.targets.length, maxLength: config.targets.length }), { minLength: config.observers.length, maxLength: config.observers.length }),
      present: fc.array(fc.boolean(), { minLength: config.observers.length, maxLength: config.observers.length }),
    }).map((r) => ({ config, ...r })));
    fc.assert(fc.property(arb, ({ config, lastApplied, wants, present }) => {
      const proposals = config.observers.flatMap((observer, o) => present[o] ? [proposalFrom(config, observer, Object.fromEntries(config.targets.map((t, i) => [t.region, wants[o]![i] ? 'drained' : 'serving'])), lastApplied)] : []);
      const decision = decide({ config, nowMs, proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
      const quorum = quorumSize(config.observers.length);
      for (const { region } of config.targets) {
        const drainVotes = proposals.filter((p) => p.targets[region]!.state === 'drained').length;
        if ((lastApplied?.routing[region] ?? 'serving') === 'serving' && drainVotes < quorum) expect(decision.routing[region]).toBe('serving');
      }
    }), { numRuns: runsMax });
  });

  it('no proposal or decision without force leaves fewer than minServing serving', () => {
    const arb = proposalInputArb({ forceAllowed: false });
    fc.assert(fc.property(arb, (input) => {
      const minServing = Math.min(input.config.safety.minServing, input.config.targets.length);
      const proposal = computeProposal(input);
      expect(servingCount(Object.fromEntries(Object.values(proposal.targets).map((t) => [t.target, t.state])))).toBeGreaterThanOrEqual(minServing);
      const others = input.config.observers.map((observer, i) => computeProposal({ ...input, observer, seq: i + 1 }));
      const decision = decide({ config: input.config, nowMs, proposals: others, lastApplied: input.lastApplied, proposalFreshnessMs: input.config.probe.verdictFreshnessMs });
      expect(servingCount(decision.routing)).toBeGreaterThanOrEqual(minServing);
    }), { numRuns: runsMax });
  });

  it('an expired or ended override has no effect', () => {
    const arb = proposalInputArb().chain((input) => overridesArb(input.config, { forceAllowed: true }).map((extra) => ({ input, extra })));
    fc.assert(fc.property(arb, fc.boolean(), ({ input, extra }, endInstead) => {
      const dead = extra.map((o, i) => ({ ...o, id: `dead-${i}`, ...(endInstead ? {} : { createdMs: o.createdMs - o.expiresMs + nowMs - 1, expiresMs: nowMs }) }));
      const ends = endInstead ? dead.map((o) => ({ overrideId: o.id, endedMs: Math.min(nowMs, o.createdMs), actor: 'ops', reason: 'ended' })) : [];
      const without = computeProposal(input);
      const withDead = computeProposal({ ...input, overrides: [...input.overrides, ...dead], overrideEnds: [...input.overrideEnds, ...ends] });
      // The proposal remembers the ends it saw (memory for the next pass), and nothing else differs.
      const { overrideEnds: remembered, ...effect } = withDead;
      const { overrideEnds: rememberedBefore, ...effectBefore } = without;
      expect(effect).toEqual(effectBefore);
      for (const end of remembered ?? []) expect([...input.overrideEnds, ...ends]).toContainEqual(end);
      expect((remembered ?? []).length).toBeGreaterThanOrEqual((rememberedBefore ?? []).length);
    }), { numRuns: runsMax });
  });

  it('the same inputs always give the same proposal, decision and plan, whatever their order', () => {
    fc.assert(fc.property(proposalInputArb(), fc.integer({ min: 0, max: 1000 }), (input, rotate) => {
      const rotated = <T>(list: readonly T[]) => (list.length === 0 ? [...list] : [...list.slice(rotate % list.length), ...list.slice(0, rotate % list.length)]);
      const a = computeProposal(structuredClone(input));
      const b = computeProposal({ ...structuredClone(input), snapshots: rotated(input.snapshots), overrides: rotated(input.overrides), signals: rotated(input.signals) });
      expect(b).toEqual(a);
      const proposals = input.config.observers.map((observer, i) => computeProposal({ ...input, observer, seq: i + 1 }));
      const d1 = decide({ config: input.config, nowMs, proposals, lastApplied: input.lastApplied, proposalFreshnessMs: 60_000 });
      const d2 = decide({ config: input.config, nowMs, proposals: rotated(proposals), lastApplied: input.lastApplied, proposalFreshnessMs: 60_000 });
      expect(d2).toEqual(d1);
      const records = recordsFor(input.config, {});
      expect(planRoute(input.config.targets, d2.routing, rotated(records))).toEqual(planRoute(input.config.targets, d1.routing, records));
    }), { numRuns: runsMax });
  });

  it('the plan of a state already in Route 53 is empty, and applying any plan makes the next one empty', () => {
    const arb = configArb.chain((config) => fc.record({
      desired: fc.array(fc.constantFrom('serving', 'drained'), { minLength: config.targets.length, maxLength: config.targets.length }),
      current: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: config.targets.length, maxLength: config.targets.length }),
    }).map((r) => ({ config, ...r })));
    fc.assert(fc.property(arb, ({ config, desired, current }) => {
      const routing: Routing = Object.fromEntries(config.targets.map((t, i) => [t.region, desired[i] as 'serving' | 'drained']));
      expect(planRoute(config.targets, routing, recordsFor(config, routing))).toEqual({ byZone: {}, changes: [], missing: [] });
      const records = recordsFor(config, {}).map((r, i) => ({ ...r, weight: current[i]! }));
      const plan = planRoute(config.targets, routing, records);
      expect(plan.changes.every((c) => c.action === 'UPSERT' && c.record.weight === c.toWeight && c.fromWeight !== c.toWeight)).toBe(true);
      const after = records.map((r) => plan.changes.find((c) => c.record.setIdentifier === r.setIdentifier)?.record ?? r);
      expect(planRoute(config.targets, routing, after).changes).toEqual([]);
    }), { numRuns: runsMax });
  });

  it('adding an unhealthy verdict never makes a drain less likely (monotonic)', () => {
    const arb = verdictsOnlyArb.chain((input) => fc.record({ observer: fc.constantFrom(...input.config.observers), target: fc.constantFrom(...input.config.targets.map((t) => t.region)) }).map((pick) => ({ input, ...pick })));
    let drainedBefore = 0;
    fc.assert(fc.property(arb, ({ input, observer, target }) => {
      const before = computeProposal(input);
      const after = computeProposal({ ...input, snapshots: withUnhealthy(input, observer, target) });
      if (before.targets[target]!.state !== 'drained') return;
      drainedBefore += 1;
      expect(after.targets[target]!.state).toBe('drained');
    }), { numRuns: runsMax });
    // Not vacuous: the generator reaches drained targets.
    expect(drainedBefore).toBeGreaterThan(runsMax / 10);
  });

  it('adding an unhealthy verdict never makes a drain less likely, even when minServing forces restores', () => {
    // Pressure: every target but one was left drained (e.g. by forced overrides that ended), so the
    // safety rules must choose which drains to give back; verdicts are fresh, healthy or unhealthy.
    const arb = configArb.filter((c) => c.safety.minServing >= 2 && c.safety.recoveryHoldMs > 0).chain((config) => fc.record({
      statuses: fc.array(fc.array(fc.constantFrom<'healthy' | 'unhealthy' | 'absent'>('healthy', 'healthy', 'unhealthy', 'absent'), { minLength: config.targets.length, maxLength: config.targets.length }), { minLength: config.observers.length, maxLength: config.observers.length }),
      observerIndex: fc.nat({ max: config.observers.length - 1 }),
      targetIndex: fc.nat({ max: config.targets.length - 1 }),
    }).map((r) => ({ config, ...r })));
    fc.assert(fc.property(arb, ({ config, statuses, observerIndex, targetIndex }) => {
      const routing = Object.fromEntries(config.targets.map((t, i) => [t.region, i === 0 ? 'serving' : 'drained'] as const));
      const lastApplied: AppliedDecision = { observer: config.observers[0]!, decisionId: 'd', decidedMs: nowMs - hourMs, appliedMs: nowMs - hourMs, routing, changeId: null, lastFlipMs: {} };
      const snapshots = config.observers.map((o, oi) => snapshotOf(o, Object.fromEntries(config.targets.flatMap((t, ti) => (statuses[oi]![ti] === 'absent' ? [] : [[t.region, statuses[oi]![ti]!]]))), nowMs));
      const input: ProposalInput = { config, observer: config.observers[0]!, nowMs, seq: 1, snapshots, overrides: [], overrideEnds: [], signals: [], lastApplied, previous: null };
      const target = config.targets[targetIndex]!.region;
      const before = computeProposal(input);
      const after = computeProposal({ ...input, snapshots: withUnhealthy(input, config.observers[observerIndex]!, target) });
      if (before.targets[target]!.state === 'drained') expect(after.targets[target]!.state).toBe('drained');
    }), { numRuns: runsMax });
  });

  it('restores per target are bounded by the cooldown and flap dampening (drains on evidence never wait)', () => {
    const arb = configArb.chain((config) => fc.record({
      steps: fc.array(fc.record({ gapMs: fc.integer({ min: 1_000, max: 120_000 }), verdicts: freshSnapshotsArb(config) }), { minLength: 20, maxLength: 30 }),
    }).map((r) => ({ config, ...r })));
    let runsWithRepeatedFlips = 0;
    fc.assert(fc.property(arb, ({ config, steps }) => {
      const flips = runSequence(config, steps);
      if ([...flips.values()].some((times) => times.length >= 2)) runsWithRepeatedFlips += 1;
      const cooldownMs = config.safety.flipCooldownMs;
      const restoresPerHourMax = cooldownMs === 0 ? Number.POSITIVE_INFINITY : Math.floor(hourMs / (2 * cooldownMs)) + 1;
      for (const list of flips.values()) {
        const restores = list.filter((f) => f.to === 'serving' && !f.released);
        for (const [i, f] of list.entries()) {
          if (f.to !== 'serving' || f.released || i === 0) continue;
          expect(f.atMs - list[i - 1]!.atMs).toBeGreaterThanOrEqual(cooldownMs);
        }
        for (let i = 1; i < restores.length; i += 1) expect(restores[i]!.atMs - restores[i - 1]!.atMs).toBeGreaterThanOrEqual(2 * cooldownMs);
        for (const start of restores) expect(restores.filter((r) => r.atMs >= start.atMs && r.atMs < start.atMs + hourMs).length).toBeLessThanOrEqual(restoresPerHourMax);
      }
    }), { numRuns: sequenceRunsMax });
    // Not vacuous: targets do flip back and forth in the generated sequences.
    expect(runsWithRepeatedFlips).toBeGreaterThan(sequenceRunsMax / 10);
  });
});

/** A proposal from `observer` wanting exactly `routing`, built on a healthy view. */
function proposalFrom(config: ValidConfig, observer: Region, routing: Record<Region, 'serving' | 'drained'>, lastApplied: AppliedDecision | null): Proposal {
  const healthy = config.observers.map((o) => snapshotOf(o, Object.fromEntries(config.targets.map((t) => [t.region, 'healthy' as const])), nowMs));
  const base = computeProposal({ config, observer, nowMs, seq: 1, snapshots: healthy, overrides: [], overrideEnds: [], signals: [], lastApplied, previous: null });
  for (const [target, state] of Object.entries(routing)) base.targets[target] = { ...base.targets[target]!, state, cause: state === 'drained' ? 'quorum-unhealthy' : 'healthy' };
  return base;
}

/** The snapshots with `observer` now judging `target` unhealthy, freshly (other fresh verdicts unchanged). */
function withUnhealthy(input: ProposalInput, observer: Region, target: Region): VerdictSnapshot[] {
  const own = input.snapshots.find((s) => s.observer === observer);
  const fresh = own !== undefined && nowMs - own.writtenMs <= input.config.probe.verdictFreshnessMs;
  const replacement = fresh
    ? { ...own, verdicts: { ...own.verdicts, [target]: { ...snapshotOf(observer, { [target]: 'unhealthy' }, own.writtenMs).verdicts[target]! } } }
    // A stale or missing snapshot says nothing fresh about any target: replace it with one fresh verdict.
    : snapshotOf(observer, { [target]: 'unhealthy' }, nowMs, (own?.seq ?? 0) + 1);
  return [...input.snapshots.filter((s) => s.observer !== observer), replacement];
}

/**
 * Drives every observer's proposal, the decision and the applied record over a sequence of fresh
 * verdicts with increasing time (one shared store, no lag); returns flip times per target.
 */
function runSequence(config: ValidConfig, steps: ReadonlyArray<{ gapMs: number; verdicts: ReadonlyArray<Record<Region, 'healthy' | 'suspect' | 'unhealthy'>> }>): Map<Region, Flip[]> {
  let t = nowMs;
  let lastApplied: AppliedDecision | null = null;
  const previous = new Map<Region, Proposal>();
  const flips = new Map<Region, Flip[]>(config.targets.map((x) => [x.region, []]));
  steps.forEach((step, s) => {
    t += step.gapMs;
    const snapshots = config.observers.map((o, i) => snapshotOf(o, step.verdicts[i]!, t, s + 1));
    const proposals = config.observers.map((observer) => {
      const p = computeProposal({ config, observer, nowMs: t, seq: s + 1, snapshots, overrides: [], overrideEnds: [], signals: [], lastApplied, previous: previous.get(observer) ?? null });
      previous.set(observer, p);
      return p;
    });
    const decision = decide({ config, nowMs: t, proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
    if (decision.changed.length === 0) return;
    const drains = decision.changed.filter((x) => decision.routing[x] === 'drained');
    for (const target of decision.changed) {
      const to = decision.routing[target]!;
      flips.get(target)!.push({ atMs: t, to, released: to === 'serving' && drains.length > 0 });
    }
    lastApplied = appliedRecord(config.observers[0]!, decision, lastApplied, 'C', t);
  });
  return flips;
}

/** One flip of one target; `released`: a restore in the same decision as a new drain (a held drain making room). */
interface Flip {
  atMs: number;
  to: 'serving' | 'drained';
  released: boolean;
}
