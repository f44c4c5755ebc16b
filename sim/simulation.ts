/**
 * One seeded run: derive every parameter from the seed, run the world, run the baseline on the
 * same fault timeline, check the history, measure. `runSimulation(s, seed)` twice gives the same
 * result, byte for byte.
 */
import type { Region } from '../shared/domain';
import { baselineDefaults, runBaseline, type BaselineOptions } from './baseline';
import { checkHistory, finalState, type CheckResult } from './checker';
import { resolveFaults } from './faults';
import type { HistoryEntry } from './history';
import { SimRandom } from './random';
import type { Scenario } from './scenario';
import { simConfig } from './sim-config';
import { invocationPeriodMs, World, type WorldParams } from './world';

/** DNS resolvers keep an answer for the record's TTL: the last leg of the RTO. */
export const recordTtlMs = 60_000;

export interface SystemMetrics {
  /** Fault onset → Route 53 change submitted (baseline: health status flips); null if it never happened. */
  detectMs: number | null;
  /** detect + INSYNC + record TTL (baseline: detect + TTL). */
  rtoMs: number | null;
  falseFailovers: number;
  flipsMax: number;
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  params: WorldParams;
  check: CheckResult;
  arbiter: SystemMetrics;
  baseline: SystemMetrics;
  history: HistoryEntry[];
  baselineHistory: Array<{ target: Region; atMs: number; healthy: boolean }>;
  eventsRun: number;
}

export function deriveParams(scenario: Scenario, seed: number, regions: readonly Region[]): WorldParams {
  const random = new SimRandom(seed).fork('params');
  const skewMax = scenario.world.clockSkewMsMax;
  const order = [...regions].map((r) => ({ r, k: random.next() })).sort((a, b) => a.k - b.k).map((x) => x.r);
  const skews = new Map<Region, number>(order.map((r, i) => [r, i === 0 ? skewMax / 2 : i === 1 ? -skewMax / 2 : Math.round(random.uniform(-skewMax / 2, skewMax / 2))]));
  return {
    seed,
    buggify: random.chance(scenario.world.buggifyRate),
    crashRate: scenario.world.crashRate,
    regions: regions.map((region) => ({ region, clockSkewMs: skews.get(region)!, probeOffsetMs: random.int(0, invocationPeriodMs - 1), decideOffsetMs: random.int(0, invocationPeriodMs - 1) })),
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

function arbiterMetrics(scenario: Scenario, params: WorldParams, history: readonly HistoryEntry[], targets: readonly Region[]): SystemMetrics {
  const onset = onsetMs(scenario, params);
  const changes = history.filter((e): e is Extract<HistoryEntry, { kind: 'dns-change' }> => e.kind === 'dns-change');
  const flips = new Map<Region, number>();
  let falseFailovers = 0;
  const guarded = mustNotDrain(scenario, targets);
  const serving = new Map<Region, boolean>(targets.map((t) => [t, true]));
  for (const c of changes) for (const ch of c.changes) {
    // Two regions applying the same decision at once both UPSERT: a flip is a change of state, not a call.
    if (serving.get(ch.target) === ch.toWeight > 0) continue;
    serving.set(ch.target, ch.toWeight > 0);
    flips.set(ch.target, (flips.get(ch.target) ?? 0) + 1);
    if (ch.toWeight === 0 && guarded.includes(ch.target) && c.atMs < scenario.safetyMs) falseFailovers += 1;
  }
  const target = scenario.expect.failOver[0];
  const drain = onset === null || target === undefined ? undefined : changes.find((c) => c.atMs >= onset && c.changes.some((ch) => ch.target === target && ch.toWeight === 0));
  const detectMs = drain === undefined || onset === null ? null : drain.atMs - onset;
  const rtoMs = drain === undefined || detectMs === null ? null : detectMs + (drain.insyncAtMs - drain.atMs) + recordTtlMs;
  return { detectMs, rtoMs, falseFailovers, flipsMax: Math.max(0, ...flips.values()) };
}

function baselineMetrics(scenario: Scenario, params: WorldParams, transitions: SimulationResult['baselineHistory'], targets: readonly Region[]): SystemMetrics {
  const onset = onsetMs(scenario, params);
  const target = scenario.expect.failOver[0];
  const guarded = mustNotDrain(scenario, targets);
  const flip = onset === null ? undefined : transitions.find((t) => t.target === target && !t.healthy && t.atMs >= onset);
  const detectMs = flip === undefined || onset === null ? null : flip.atMs - onset;
  const falseFailovers = transitions.filter((t) => !t.healthy && guarded.includes(t.target) && t.atMs < scenario.safetyMs).length;
  const flips = targets.map((r) => transitions.filter((t) => t.target === r).length);
  return { detectMs, rtoMs: detectMs === null ? null : detectMs + recordTtlMs, falseFailovers, flipsMax: Math.max(0, ...flips) };
}

/**
 * Runs one scenario from one seed.
 * @example const result = await runSimulation(loadScenario('failover-hard-outage'), 42);
 */
export async function runSimulation(scenario: Scenario, seed: number, baseline: BaselineOptions = baselineDefaults): Promise<SimulationResult> {
  const config = simConfig(scenario);
  const params = deriveParams(scenario, seed, config.observers);
  const world = new World(config, scenario, params, new SimRandom(seed).fork('world'));
  await world.run();
  const endMs = scenario.safetyMs + scenario.livenessMs;
  const final = await finalState(world, endMs);
  const skews = params.regions.map((r) => r.clockSkewMs);
  const check = checkHistory({ config, scenario, history: world.history, final, clockSkewMsMax: Math.max(...skews) - Math.min(...skews), faults: params.faults });
  const targets = config.targets.map((t) => t.region);
  const baselineRandom = new SimRandom(seed).fork('baseline');
  const baselineHistory = targets.flatMap((target) => runBaseline(target, world.timeline, endMs, baselineRandom.fork(target), baseline).map((t) => ({ target, ...t })));
  return {
    scenario: scenario.name,
    seed,
    params,
    check,
    arbiter: arbiterMetrics(scenario, params, world.history.entries, targets),
    baseline: baselineMetrics(scenario, params, baselineHistory, targets),
    history: world.history.entries,
    baselineHistory,
    eventsRun: world.scheduler.eventsRun,
  };
}
