/**
 * One seeded run: derive every parameter from the seed, run the world (in the scenario's mode:
 * control-plane, or a data-plane mode with Route 53's health checkers attached), run the baseline
 * on the same fault timeline, check the history, measure. `runSimulation(s, seed)` twice gives
 * the same result, byte for byte.
 */
import type { Region } from '../shared/domain';
import { baselineDefaults, runBaseline, type BaselineOptions } from './baseline';
import { checkHistory, finalState, type CheckResult, type FinalState } from './checker';
import { attachHealthChecks, type HealthCheckOptions } from './dataplane/health-checks';
import { resolveFaults } from './faults';
import type { HistoryEntry } from './history';
import { servedFromChanges, truthMetrics, type ServedTransition } from './metrics';
import { GroundTruth } from './truth';
import { SimRandom } from './random';
import type { Scenario } from './scenario';
import { simConfig } from './sim-config';
import { invocationPeriodMs, World, type WorldParams } from './world';

/** DNS resolvers keep an answer for the record's TTL: the last leg of the RTO. */
export const recordTtlMs = 60_000;

export interface SystemMetrics {
  /** Fault onset → Route 53 change submitted (baseline and data-plane modes: health status flips); null if it never happened. */
  detectMs: number | null;
  /** detect + INSYNC + record TTL (baseline and data-plane modes: detect + TTL). */
  rtoMs: number | null;
  /** Drains of a target listed in expect.mustNotDrain during the safety phase. */
  falseFailovers: number;
  flipsMax: number;
  /** Drains of any target that had really been fine for ≥ 30 s, not asked for by an operator (sim/metrics.ts). */
  falseDrains: number;
  /** Longest time a really failing target kept serving (null: nothing really failed). */
  deadServingMsMax: number | null;
  /** Route 53 API calls (every attempt; the baseline and data-plane modes make none). */
  route53Calls: number;
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  mode: Scenario['mode'];
  params: WorldParams;
  check: CheckResult;
  arbiter: SystemMetrics;
  baseline: SystemMetrics;
  history: HistoryEntry[];
  baselineHistory: Array<{ target: Region; atMs: number; healthy: boolean }>;
  eventsRun: number;
}

/** One violation of an invariant (the shape the ground-truth checker reports). */
export interface Violation {
  invariant: string;
  target?: Region;
  atMs: number;
  detail: string;
}

/**
 * Every violation a check reports, whichever shape it has: `{ valid, violations }` (the
 * ground-truth checker) or `{ valid, failedAt }` (the first violation only).
 */
export function violationsOf(check: CheckResult | { valid: boolean; violations?: readonly Violation[]; failedAt?: Violation }): Violation[] {
  const c = check as { valid: boolean; violations?: readonly Violation[]; failedAt?: Violation };
  if (c.violations !== undefined) return [...c.violations];
  if (!c.valid && c.failedAt !== undefined) {
    const { invariant, atMs, detail } = c.failedAt;
    return [{ invariant, atMs, detail }];
  }
  return [];
}

export function deriveParams(scenario: Scenario, seed: number, regions: readonly Region[]): WorldParams {
  const random = new SimRandom(seed).fork('params');
  const skewMax = scenario.world.clockSkewMsMax;
  const fixed = scenario.world.clockSkewMs ?? {};
  const order = [...regions].map((r) => ({ r, k: random.next() })).sort((a, b) => a.k - b.k).map((x) => x.r);
  const drawn = new Map<Region, number>(order.map((r, i) => [r, i === 0 ? skewMax / 2 : i === 1 ? -skewMax / 2 : Math.round(random.uniform(-skewMax / 2, skewMax / 2))]));
  return {
    seed,
    buggify: random.chance(scenario.world.buggifyRate),
    crashRate: scenario.world.crashRate,
    regions: regions.map((region) => ({ region, clockSkewMs: fixed[region] ?? drawn.get(region)!, probeOffsetMs: random.int(0, invocationPeriodMs - 1), decideOffsetMs: random.int(0, invocationPeriodMs - 1) })),
    faults: resolveFaults(scenario, new SimRandom(seed).fork('faults')),
  };
}

function onsetMs(scenario: Scenario, params: WorldParams): number | null {
  const index = scenario.expect.onsetFault ?? (scenario.expect.failOver.length > 0 ? 0 : undefined);
  return index === undefined ? null : params.faults[index]!.atMs;
}

function mustNotDrain(scenario: Scenario, targets: readonly Region[]): Region[] {
  return scenario.expect.mustNotDrain === '*' ? [...targets] : scenario.expect.mustNotDrain;
}

/** Flips, false failovers and detect from served transitions; `insyncMs` adds the change's propagation to the RTO (control plane). */
function servedMetrics(scenario: Scenario, params: WorldParams, transitions: readonly ServedTransition[], targets: readonly Region[], insyncMs: (t: ServedTransition) => number): Pick<SystemMetrics, 'detectMs' | 'rtoMs' | 'falseFailovers' | 'flipsMax'> {
  const onset = onsetMs(scenario, params);
  const flips = new Map<Region, number>();
  let falseFailovers = 0;
  const guarded = mustNotDrain(scenario, targets);
  const serving = new Map<Region, boolean>(targets.map((t) => [t, true]));
  for (const t of transitions) {
    // Two regions applying the same decision at once both UPSERT: a flip is a change of state, not a call.
    if (serving.get(t.target) === t.serving) continue;
    serving.set(t.target, t.serving);
    flips.set(t.target, (flips.get(t.target) ?? 0) + 1);
    if (!t.serving && guarded.includes(t.target) && t.atMs < scenario.safetyMs) falseFailovers += 1;
  }
  const target = scenario.expect.failOver[0];
  const drain = onset === null || target === undefined ? undefined : transitions.find((t) => t.atMs >= onset && t.target === target && !t.serving);
  const detectMs = drain === undefined || onset === null ? null : drain.atMs - onset;
  const rtoMs = drain === undefined || detectMs === null ? null : detectMs + insyncMs(drain) + recordTtlMs;
  return { detectMs, rtoMs, falseFailovers, flipsMax: Math.max(0, ...flips.values()) };
}

/**
 * Runs one scenario from one seed, in the scenario's mode; `dataPlane` adds what a data-plane run
 * may carry beside the scenario (a flood on the gates).
 * @example const result = await runSimulation(loadScenario('failover-hard-outage'), 42);
 */
export async function runSimulation(scenario: Scenario, seed: number, baseline: BaselineOptions = baselineDefaults, dataPlane: HealthCheckOptions = {}): Promise<SimulationResult> {
  const config = simConfig(scenario);
  const params = deriveParams(scenario, seed, config.observers);
  const world = new World(config, scenario, params, new SimRandom(seed).fork('world'));
  const endMs = scenario.safetyMs + scenario.livenessMs;
  const model = scenario.mode === 'control-plane' ? null : attachHealthChecks(world, new SimRandom(seed).fork(`dataplane-${scenario.mode}`), endMs, dataPlane);
  await world.run();
  const observed = await finalState(world, endMs);
  const final: FinalState = model === null ? observed : { ...observed, route53: Object.fromEntries([...model.calculated].map(([t, healthy]) => [t, healthy ? 'serving' : 'drained'])) };
  const skews = params.regions.map((r) => r.clockSkewMs);
  const check = checkHistory({ config, scenario, history: world.history, final, clockSkewMsMax: Math.max(...skews) - Math.min(...skews), faults: params.faults });
  const targets = config.targets.map((t) => t.region);
  const baselineRandom = new SimRandom(seed).fork('baseline');
  const baselineHistory = targets.flatMap((target) => runBaseline(target, world.timeline, endMs, baselineRandom.fork(target), baseline).map((t) => ({ target, ...t })));
  const overrides = world.history.of('override');
  const groundTruth = new GroundTruth(config, params.faults);
  const indicted = (target: string, atMs: number) => groundTruth.indictedBy(target, atMs) !== null;
  const truth = (transitions: readonly ServedTransition[]) => truthMetrics({ config, timeline: world.timeline, transitions, overrides, safetyMs: scenario.safetyMs, indicted });
  const served = servedFromChanges(world.history.entries);
  const insync = new Map(world.history.of('dns-change').map((c) => [c.atMs, c.insyncAtMs - c.atMs]));
  const baselineServed = baselineHistory.map((b) => ({ target: b.target, atMs: b.atMs, serving: b.healthy }));
  return {
    scenario: scenario.name,
    seed,
    mode: scenario.mode,
    params,
    check,
    arbiter: { ...servedMetrics(scenario, params, served, targets, (t) => insync.get(t.atMs) ?? 0), ...truth(served), route53Calls: world.history.of('route53-call').length },
    baseline: { ...servedMetrics(scenario, params, baselineServed, targets, () => 0), ...truth(baselineServed), route53Calls: 0 },
    history: world.history.entries,
    baselineHistory,
    eventsRun: world.scheduler.eventsRun,
  };
}
