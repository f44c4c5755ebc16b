/**
 * Data-plane mode in the simulator: the same world (real ProbeRuntime and DecideRuntime in every
 * observer region, replicated store, lossy bus, Route 53 control-plane faults), with every target
 * in `route53.mode: health-check`, plus Route 53's health checkers reading the observers' votes:
 *
 *   gate:   per observer and target, an Inverted HTTPS check on the observer's gate, probed by
 *           gateCheckerCount(config) checkers every dataPlane.checkIntervalSeconds with their own phases; a checker flips
 *           after `gateFailureThreshold` answers in a row; the check's underlying status is
 *           healthy while more than 18 % of checkers see a 2xx (a drain vote), then inverted.
 *           The gate answers its settled votes (gateVotes) over its region's replica (cached gateCacheMs);
 *           a region that is down does not answer (no drain).
 *   metric: each decide pass writes the vote as a datapoint (the real runtime hook); the alarm
 *           evaluates once a minute (own phase) over the last 60 s period it can see
 *           (`metricIngestDelayMs` behind), keeps its state without data (TreatMissingData:
 *           ignore); Route 53 reads the alarm state every `alarmReadIntervalMs` (own phase).
 *   CALCULATED per target: healthy while healthy children ≥ calculatedThreshold(n, vote).
 *
 * Detection is the CALCULATED check turning unhealthy; DNS answers follow the health status at
 * once (no change batch), so RTO = detect + record TTL, as for the plain health-check baseline.
 */
import {
  calculatedHealthy, calculatedThreshold, gateCheckerCount, gateRequestIntervalSeconds, gateFailureThreshold, gateVotes, validateConfig,
  type Region, type ValidConfig, type VoteRecord, type VoteWriter,
} from '../../shared/domain';
import { gateCacheMs } from '../../shared/adapters/aws/dataplane-gate';
import { healthyFractionMin } from '../baseline';
import { SimRandom } from '../random';
import { GroundTruth } from '../truth';
import type { Scenario } from '../scenario';
import { simConfig } from '../sim-config';
import { deriveParams, recordTtlMs } from '../simulation';
import { World } from '../world';

export type VoteMechanismSim = 'gate' | 'metric';

/** Standard-resolution alarms evaluate once a minute over a 60 s period. */
export const alarmEvaluationIntervalMs = 60_000;
export const alarmPeriodMs = 60_000;
/** How far behind real time a datapoint becomes visible to an alarm (an assumption: 10 s). */
export const metricIngestDelayMs = 10_000;
/** How often Route 53 reads a CLOUDWATCH_METRIC check's alarm state (an assumption: 30 s). */
export const alarmReadIntervalMs = 30_000;

export interface DataPlaneMetrics {
  detectMs: number | null;
  rtoMs: number | null;
  falseFailovers: number;
  flipsMax: number;
}

export interface DataPlaneResult {
  scenario: string;
  seed: number;
  vote: VoteMechanismSim;
  metrics: DataPlaneMetrics;
  /** CALCULATED check transitions per target. */
  transitions: Array<{ target: Region; atMs: number; healthy: boolean }>;
  /** Route 53 control-plane calls the run made (must be 0: data-plane mode never calls it). */
  controlPlaneCalls: number;
  /** Broken expectations; empty when the run is valid. */
  problems: string[];
}

/**
 * A flood on public gate URLs: each checker request to a flooded gate is refused (Lambda's 429
 * once the reserved concurrency or its request-rate limit is used up) with probability `refusedRate`,
 * from `fromMs` on. A refusal reads as "no drain", as any failed answer does.
 */
export interface GateFlood {
  observers: readonly Region[];
  refusedRate: number;
  fromMs: number;
}

export interface DataPlaneOptions {
  flood?: GateFlood;
  /** How Route 53 reads gate votes (the config's `dataPlane`); absent: the config's defaults. */
  dataPlane?: Partial<ValidConfig['dataPlane']>;
}

/** The scenario's config with every target in health-check mode voting through `vote`. */
export function dataPlaneConfig(base: ValidConfig, vote: VoteMechanismSim, dataPlane: DataPlaneOptions['dataPlane'] = {}): ValidConfig {
  const input = { ...base, safety: { ...base.safety }, dataPlane: { ...base.dataPlane, ...dataPlane }, targets: base.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const, vote } })) };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`data-plane config is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return result.config;
}

/** Route 53's view of the children and the CALCULATED checks, with every transition recorded. */
class HealthCheckModel {
  readonly childHealthy = new Map<string, boolean>();
  readonly calculated = new Map<Region, boolean>();
  readonly transitions: DataPlaneResult['transitions'] = [];

  constructor(private readonly config: ValidConfig, private readonly vote: VoteMechanismSim) {
    for (const t of config.targets) {
      this.calculated.set(t.region, true);
      for (const o of config.observers) this.childHealthy.set(`${o}|${t.region}`, true);
    }
  }

  setChild(observer: Region, target: Region, healthy: boolean, atMs: number): void {
    this.childHealthy.set(`${observer}|${target}`, healthy);
    const children = this.config.observers.map((o) => this.childHealthy.get(`${o}|${target}`)!);
    const now = calculatedHealthy(children, calculatedThreshold(this.config.observers.length, this.vote));
    if (now === this.calculated.get(target)) return;
    this.calculated.set(target, now);
    this.transitions.push({ target, atMs, healthy: now });
  }
}

function scheduleGateCheckers(world: World, model: HealthCheckModel, random: SimRandom, endMs: number, flood?: GateFlood): void {
  const { config } = world;
  const floodRandom = random.fork('flood');
  const gateCheckIntervalMs = gateRequestIntervalSeconds(config) * 1000;
  const refused = (observer: Region) => flood !== undefined && flood.observers.includes(observer) && world.scheduler.nowMs() >= flood.fromMs && floodRandom.chance(flood.refusedRate);
  const cache = new Map<Region, { atMs: number; drained: Set<Region> }>();
  const skew = new Map(world.params.regions.map((r) => [r.region, r.clockSkewMs]));
  const gateDrains = async (observer: Region): Promise<Set<Region> | null> => {
    if (!world.up(observer)) return null;
    const nowMs = world.scheduler.nowMs();
    const hit = cache.get(observer);
    if (hit !== undefined && nowMs - hit.atMs < gateCacheMs) return hit.drained;
    const view = await world.replica(observer).readView(nowMs + skew.get(observer)!);
    const votes = gateVotes({ config, nowMs: nowMs + skew.get(observer)!, proposals: view.proposals, applied: view.applied, observer });
    const drained = new Set(Object.entries(votes).filter(([, v]) => v === 'drain').map(([t]) => t));
    cache.set(observer, { atMs: nowMs, drained });
    return drained;
  };
  for (const observer of config.observers) for (const { region: target } of config.targets) {
    const checkers = Array.from({ length: gateCheckerCount(config) }, () => ({ phaseMs: random.uniform(0, gateCheckIntervalMs), sees2xx: 0, sees4xx: 0, up: false }));
    checkers.forEach((checker) => {
      for (let t = checker.phaseMs; t < endMs; t += gateCheckIntervalMs) {
        world.scheduler.at(Math.round(t), () => {
          const throttled = refused(observer);
          void gateDrains(observer).then((drained) => {
            const answered2xx = !throttled && drained !== null && drained.has(target);
            checker.sees2xx = answered2xx ? checker.sees2xx + 1 : 0;
            checker.sees4xx = answered2xx ? 0 : checker.sees4xx + 1;
            if (checker.sees2xx >= gateFailureThreshold) checker.up = true;
            if (checker.sees4xx >= gateFailureThreshold) checker.up = false;
            const underlyingHealthy = checkers.filter((c) => c.up).length / checkers.length > healthyFractionMin;
            model.setChild(observer, target, !underlyingHealthy, world.scheduler.nowMs()); // Inverted
          });
        });
      }
    });
  }
}

function scheduleMetricAlarms(world: World, model: HealthCheckModel, random: SimRandom, endMs: number): void {
  const { config } = world;
  const datapoints = new Map<string, Array<{ atMs: number; value: number }>>();
  for (const observer of config.observers) {
    const writer: VoteWriter = {
      writeVotes: async (votes: readonly VoteRecord[]) => {
        for (const v of votes) {
          const key = `${v.observer}|${v.target}`;
          const list = datapoints.get(key) ?? [];
          list.push({ atMs: world.scheduler.nowMs(), value: v.vote === 'drain' ? 1 : 0 });
          datapoints.set(key, list);
        }
      },
    };
    world.voteWriters.set(observer, writer);
  }
  for (const observer of config.observers) for (const { region: target } of config.targets) {
    const key = `${observer}|${target}`;
    let alarm = false;
    const evaluationPhaseMs = random.uniform(0, alarmEvaluationIntervalMs);
    for (let t = evaluationPhaseMs; t < endMs; t += alarmEvaluationIntervalMs) {
      world.scheduler.at(Math.round(t), () => {
        const visibleUntilMs = world.scheduler.nowMs() - metricIngestDelayMs;
        const points = (datapoints.get(key) ?? []).filter((p) => p.atMs < visibleUntilMs && p.atMs >= visibleUntilMs - alarmPeriodMs);
        if (points.length > 0) alarm = Math.max(...points.map((p) => p.value)) >= 1; // no data: state kept (TreatMissingData: ignore)
      });
    }
    const readPhaseMs = random.uniform(0, alarmReadIntervalMs);
    for (let t = readPhaseMs; t < endMs; t += alarmReadIntervalMs) {
      world.scheduler.at(Math.round(t), () => model.setChild(observer, target, !alarm, world.scheduler.nowMs()));
    }
  }
}

function measure(scenario: Scenario, world: World, model: HealthCheckModel): { metrics: DataPlaneMetrics; problems: string[] } {
  const problems: string[] = [];
  const onsetIndex = scenario.expect.onsetFault ?? (scenario.expect.failOver.length > 0 ? 0 : undefined);
  const onsetMs = onsetIndex === undefined ? null : world.params.faults[onsetIndex]!.atMs;
  const target = scenario.expect.failOver[0];
  const drain = onsetMs === null ? undefined : model.transitions.find((t) => t.target === target && !t.healthy && t.atMs >= onsetMs);
  const detectMs = drain === undefined || onsetMs === null ? null : drain.atMs - onsetMs;
  const guarded = scenario.expect.mustNotDrain === '*' ? world.config.targets.map((t) => t.region) : scenario.expect.mustNotDrain;
  const falseFailovers = model.transitions.filter((t) => !t.healthy && guarded.includes(t.target) && t.atMs < scenario.safetyMs).length;
  const flipsMax = Math.max(0, ...world.config.targets.map((t) => model.transitions.filter((x) => x.target === t.region && !x.healthy).length));
  for (const failed of scenario.expect.failOver) {
    if (!model.transitions.some((t) => t.target === failed && !t.healthy && t.atMs < scenario.safetyMs)) problems.push(`must-fail-over: ${failed} never turned unhealthy during the safety phase`);
  }
  const moved = model.transitions.find((t) => t.atMs < scenario.safetyMs);
  if (scenario.expect.failStatic && moved !== undefined) problems.push(`fail-static: ${moved.target} turned ${moved.healthy ? 'healthy' : 'unhealthy'} at ${moved.atMs} ms while no quorum should exist`);
  if (falseFailovers > 0) problems.push(`false failover: a guarded target turned unhealthy ${falseFailovers} time(s)`);
  problems.push(...compositionProblems(scenario, world, model));
  const stillDrained = [...model.calculated].filter(([, healthy]) => !healthy).map(([t]) => t);
  if (stillDrained.length > 0) problems.push(`convergence: [${stillDrained.join(', ')}] still unhealthy after ${scenario.livenessMs} ms of liveness`);
  return { metrics: { detectMs, rtoMs: detectMs === null ? null : detectMs + recordTtlMs, falseFailovers, flipsMax }, problems };
}

/**
 * What Route 53 serves, judged in composition (every CALCULATED check together, over time):
 *   min-serving  never fewer than minServing healthy;
 *   max-drained  never more than maxDrained unhealthy (scenarios without operator overrides);
 *   fail-open    a target Route 53 drained never turns healthy while it is really failing
 *                during the safety phase (fail static: a drain is only undone by a quorum).
 */
function compositionProblems(scenario: Scenario, world: World, model: HealthCheckModel): string[] {
  const problems: string[] = [];
  const truth = new GroundTruth(world.config, world.params.faults);
  const operatorDrains = scenario.faults.some((f) => f.kind === 'override');
  const healthyNow = new Map<Region, boolean>(world.config.targets.map((t) => [t.region, true]));
  for (const t of model.transitions) {
    healthyNow.set(t.target, t.healthy);
    const serving = [...healthyNow.values()].filter(Boolean).length;
    if (serving < world.config.safety.minServing) problems.push(`min-serving: ${serving} healthy at ${t.atMs} ms`);
    const drained = world.config.targets.length - serving;
    if (!operatorDrains && drained > world.config.safety.maxDrained) problems.push(`max-drained: ${drained} unhealthy at ${t.atMs} ms (maxDrained ${world.config.safety.maxDrained})`);
    const failing = truth.failing(t.target, t.atMs);
    if (t.healthy && t.atMs < scenario.safetyMs && failing !== null) problems.push(`fail-open: ${t.target} turned healthy at ${t.atMs} ms while ${failing}`);
  }
  return problems;
}

/**
 * Runs one scenario from one seed in data-plane mode.
 * @example const result = await runDataPlaneSimulation(loadScenario('failover-route53-outage-10min'), 7, 'gate');
 */
export async function runDataPlaneSimulation(scenario: Scenario, seed: number, vote: VoteMechanismSim, options: DataPlaneOptions = {}): Promise<DataPlaneResult> {
  const config = dataPlaneConfig(simConfig(scenario), vote, options.dataPlane);
  const params = deriveParams(scenario, seed, config.observers);
  const world = new World(config, scenario, params, new SimRandom(seed).fork('world'));
  const model = new HealthCheckModel(config, vote);
  const endMs = scenario.safetyMs + scenario.livenessMs;
  const random = new SimRandom(seed).fork(`dataplane-${vote}`);
  if (vote === 'gate') scheduleGateCheckers(world, model, random, endMs, options.flood);
  else scheduleMetricAlarms(world, model, random, endMs);
  await world.run();
  const { metrics, problems } = measure(scenario, world, model);
  const controlPlaneCalls = world.history.entries.filter((e) => e.kind === 'dns-change' || e.kind === 'dns-error').length;
  if (controlPlaneCalls > 0) problems.push(`control plane: ${controlPlaneCalls} Route 53 change or error entries in data-plane mode`);
  return { scenario: scenario.name, seed, vote, metrics, transitions: model.transitions, controlPlaneCalls, problems };
}
