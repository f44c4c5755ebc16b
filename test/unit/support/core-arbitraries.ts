/**
 * fast-check generators for the core: valid configs (3–5 observers, 3–5 targets, varied safety
 * rules) and arbitrary views of the world (verdict snapshots of any age, overrides, alarm signals,
 * a last applied decision), all relative to one fixed `nowMs`.
 */
import fc from 'fast-check';
import {
  validateConfig,
  type AlarmSignal, type AppliedDecision, type Override, type Proposal, type ProposalInput, type Region, type RoutingState,
  type ValidConfig, type VerdictSnapshot, type VerdictStatus,
} from '../../../shared/domain';
import { snapshotOf } from './core-builders';

export const regionPool = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1'] as const;

/** The time every generated view is relative to. */
export const nowMs = 1_000_000_000;

const statusOrAbsent = fc.constantFrom<VerdictStatus | 'absent'>('healthy', 'suspect', 'unhealthy', 'absent');

/** Validated configs by their generating record (shared, never mutated): zod parsing is most of a run's cost. */
const configCache = new Map<string, ValidConfig>();
const configCacheSizeMax = 5_000;

function cachedConfig(key: string, build: () => ValidConfig): ValidConfig {
  const known = configCache.get(key);
  if (known !== undefined) return known;
  if (configCache.size >= configCacheSizeMax) configCache.clear();
  const config = build();
  configCache.set(key, config);
  return config;
}

/** A valid config; throws (failing the property) if the generator ever builds an invalid one. */
export const configArb: fc.Arbitrary<ValidConfig> = fc
  .record({
    observers: fc.shuffledSubarray([...regionPool], { minLength: 3, maxLength: 5 }),
    targets: fc.shuffledSubarray([...regionPool], { minLength: 3, maxLength: 5 }),
    minServingSeed: fc.nat(),
    maxDrainedSeed: fc.nat(),
    flipCooldownMs: fc.constantFrom(60_000, 300_000, 600_000),
    recoveryHoldMs: fc.constantFrom(0, 60_000, 180_000),
    indictedCount: fc.integer({ min: 0, max: 2 }),
  })
  .map((r) => cachedConfig(JSON.stringify(r), () => {
    const n = r.targets.length;
    const minServing = 1 + (r.minServingSeed % n);
    const maxDrained = r.maxDrainedSeed % (n - minServing + 1);
    const result = validateConfig({
      version: 1,
      name: 'prop',
      observers: r.observers,
      targets: r.targets.map((region) => ({
        region,
        endpoints: [{ url: `https://${region}.example.com/health`, latencyMsMax: 500, timeoutMs: 2000 }],
        route53: { hostedZoneId: 'Z0123456789EXAMPLE', recordName: 'api.example.com', recordType: 'A', setIdentifier: region, weight: 100 },
      })),
      safety: { minServing, maxDrained, flipCooldownMs: r.flipCooldownMs, recoveryHoldMs: r.recoveryHoldMs },
      alarms: r.targets.slice(0, r.indictedCount).map((target) => ({ name: `alarm-${target}`, target, effect: 'indict' })),
    });
    if (!result.ok) throw new Error(`generator built an invalid config: ${JSON.stringify(result.errors)}`);
    return result.config;
  }));

/** Per observer, maybe a snapshot of any age (fresh or stale) with any status (or none) per target. */
export function snapshotsArb(config: ValidConfig): fc.Arbitrary<VerdictSnapshot[]> {
  const freshnessMs = config.probe.verdictFreshnessMs;
  const perObserver = config.observers.map((observer) =>
    fc.option(fc.record({ ageMs: fc.integer({ min: 0, max: 2 * freshnessMs }), statuses: fc.array(statusOrAbsent, { minLength: config.targets.length, maxLength: config.targets.length }) }), { nil: undefined })
      .map((s) => (s === undefined ? null : snapshotOf(observer, statusMap(config, s.statuses), nowMs - s.ageMs))));
  return fc.tuple(...perObserver).map((list) => list.filter((s): s is VerdictSnapshot => s !== null));
}

/** Fresh snapshots from every observer: each judges every target (used by sequences over time). */
export function freshSnapshotsArb(config: ValidConfig): fc.Arbitrary<Array<Record<Region, VerdictStatus>>> {
  const status = fc.constantFrom<VerdictStatus>('healthy', 'healthy', 'suspect', 'unhealthy', 'unhealthy');
  return fc.array(fc.array(status, { minLength: config.targets.length, maxLength: config.targets.length }).map((s) => statusMap(config, s) as Record<Region, VerdictStatus>), {
    minLength: config.observers.length, maxLength: config.observers.length,
  });
}

function statusMap(config: ValidConfig, statuses: ReadonlyArray<VerdictStatus | 'absent'>): Record<Region, VerdictStatus> {
  const out: Record<Region, VerdictStatus> = {};
  config.targets.forEach((t, i) => {
    const s = statuses[i];
    if (s !== undefined && s !== 'absent') out[t.region] = s;
  });
  return out;
}

export function overridesArb(config: ValidConfig, options: { forceAllowed: boolean }): fc.Arbitrary<Override[]> {
  const one = fc.record({
    target: fc.constantFrom(...config.targets.map((t) => t.region)),
    action: fc.constantFrom<'drain' | 'serve'>('drain', 'serve'),
    createdAgoMs: fc.integer({ min: 0, max: 7_200_000 }),
    ttlMs: fc.integer({ min: 1_000, max: 7_200_000 }),
    force: options.forceAllowed ? fc.boolean() : fc.constant(false),
  });
  return fc.array(one, { maxLength: 4 }).map((list) => list.map((o, i) => ({
    id: `o-${i}`, target: o.target, action: o.action, createdMs: nowMs - o.createdAgoMs, expiresMs: nowMs - o.createdAgoMs + o.ttlMs,
    reason: 'generated', actor: 'prop', force: o.force, source: 'api' as const,
  })));
}

export function signalsArb(config: ValidConfig): fc.Arbitrary<AlarmSignal[]> {
  if (config.alarms.length === 0) return fc.constant([]);
  const one = fc.record({ alarm: fc.constantFrom(...config.alarms), state: fc.constantFrom<AlarmSignal['state']>('ALARM', 'OK', 'INSUFFICIENT_DATA'), agoMs: fc.integer({ min: 0, max: 3_600_000 }) });
  return fc.array(one, { maxLength: 4 }).map((list) => list.map((s, i) => ({ id: `s-${i}`, alarmName: s.alarm.name, target: s.alarm.target, state: s.state, changedMs: nowMs - s.agoMs })));
}

/** Maybe a last applied decision with any routing (even one below minServing) and recent flips. */
export function lastAppliedArb(config: ValidConfig): fc.Arbitrary<AppliedDecision | null> {
  const n = config.targets.length;
  return fc.option(fc.record({
    states: fc.array(fc.constantFrom<RoutingState>('serving', 'serving', 'drained'), { minLength: n, maxLength: n }),
    flipsAgoMs: fc.array(fc.option(fc.integer({ min: 0, max: 2 * config.safety.flipCooldownMs }), { nil: null }), { minLength: n, maxLength: n }),
  }), { nil: null }).map((r) => {
    if (r === null) return null;
    const routing: Record<Region, RoutingState> = {};
    const lastFlipMs: Record<Region, number | null> = {};
    config.targets.forEach((t, i) => {
      routing[t.region] = r.states[i]!;
      const ago = r.flipsAgoMs[i];
      lastFlipMs[t.region] = ago === null || ago === undefined ? null : nowMs - ago;
    });
    return { observer: config.observers[0]!, decisionId: 'd-prev', decidedMs: nowMs - 1, appliedMs: nowMs - 1, routing, changeId: null, lastFlipMs };
  });
}

/** Maybe a previous proposal of this observer, carrying how long healthy quorums have held. */
function previousArb(config: ValidConfig, observer: Region): fc.Arbitrary<Proposal | null> {
  const n = config.targets.length;
  return fc.option(fc.array(fc.option(fc.integer({ min: 0, max: 2 * config.safety.recoveryHoldMs + 1 }), { nil: null }), { minLength: n, maxLength: n }), { nil: null }).map((agos) => {
    if (agos === null) return null;
    const targets: Proposal['targets'] = {};
    config.targets.forEach((t, i) => {
      const ago = agos[i];
      targets[t.region] = {
        target: t.region, state: 'serving', cause: 'healthy', reason: 'generated',
        tally: { target: t.region, quorum: 1, healthy: 0, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} },
        healthyQuorumSinceMs: ago === null || ago === undefined ? null : nowMs - ago, overrideId: null,
      };
    });
    return { observer, seq: 1, createdMs: nowMs - 1000, targets, refusals: [] };
  });
}

/** A whole proposal input: a valid config and an arbitrary view of the world at `nowMs`. */
export function proposalInputArb(options: { forceAllowed: boolean } = { forceAllowed: true }): fc.Arbitrary<ProposalInput> {
  return configArb.chain((config) => fc.record({
    observer: fc.constantFrom(...config.observers),
    snapshots: snapshotsArb(config),
    overrides: overridesArb(config, options),
    signals: signalsArb(config),
    lastApplied: lastAppliedArb(config),
  }).chain((w) => previousArb(config, w.observer).map((previous): ProposalInput => ({
    config, observer: w.observer, nowMs, seq: 2, snapshots: w.snapshots, overrides: w.overrides, overrideEnds: [], signals: w.signals, lastApplied: w.lastApplied, previous,
  }))));
}
