/**
 * Route 53's health checkers in the data-plane modes (every target in `route53.mode: health-check`),
 * reading the observers' votes in a running World:
 *
 *   gate:   per observer and target, an Inverted HTTPS check on the observer's gate, probed by
 *           `checkerLocationsCount` checkers every 10 s with their own phases; a checker flips
 *           after `gateFailureThreshold` answers in a row; the check's underlying status is
 *           healthy while more than 18 % of checkers see a 2xx (a drain vote), then inverted.
 *           The gate answers from gateRouting over its region's replica (cached gateCacheMs);
 *           a region that is down, or whose store is unavailable, does not answer 2xx (no drain).
 *   metric: each decide pass writes the vote as a datapoint (the real runtime hook); the alarm
 *           evaluates once a minute (own phase) over the last 60 s period it can see
 *           (`metricIngestDelayMs` behind), keeps its state without data (TreatMissingData:
 *           ignore); Route 53 reads the alarm state every `alarmReadIntervalMs` (own phase).
 *   CALCULATED per target: healthy while healthy children ≥ calculatedThreshold(n); every
 *   transition is a `health-check` history entry (what DNS serves).
 */
import {
  calculatedHealthy, calculatedThreshold, gateRequestIntervalSeconds, gateFailureThreshold, gateRouting, validateConfig,
  type Region, type ValidConfig, type VoteRecord, type VoteWriter,
} from '../../shared/domain';
import { gateCacheMs } from '../../shared/adapters/aws/dataplane-gate';
import { checkerLocationsCount, healthyFractionMin } from '../baseline';
import type { History } from '../history';
import type { SimRandom } from '../random';
import type { World } from '../world';

export type VoteMechanismSim = 'gate' | 'metric';

export const gateCheckIntervalMs = gateRequestIntervalSeconds * 1000;
/** Standard-resolution alarms evaluate once a minute over a 60 s period. */
export const alarmEvaluationIntervalMs = 60_000;
export const alarmPeriodMs = 60_000;
/** How far behind real time a datapoint becomes visible to an alarm (an assumption: 10 s). */
export const metricIngestDelayMs = 10_000;
/** How often Route 53 reads a CLOUDWATCH_METRIC check's alarm state (an assumption: 30 s). */
export const alarmReadIntervalMs = 30_000;

/** The scenario's config with every target in health-check mode voting through `vote`. */
export function dataPlaneConfig(base: ValidConfig, vote: VoteMechanismSim): ValidConfig {
  const input = { ...base, safety: { ...base.safety }, targets: base.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const, vote } })) };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`data-plane config is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return result.config;
}

/** Route 53's view of the children and the CALCULATED checks, with every transition recorded. */
export class HealthCheckModel {
  readonly childHealthy = new Map<string, boolean>();
  readonly calculated = new Map<Region, boolean>();
  readonly transitions: Array<{ target: Region; atMs: number; healthy: boolean }> = [];

  constructor(private readonly config: ValidConfig, private readonly history: History) {
    for (const t of config.targets) {
      this.calculated.set(t.region, true);
      for (const o of config.observers) this.childHealthy.set(`${o}|${t.region}`, true);
    }
  }

  setChild(observer: Region, target: Region, healthy: boolean, atMs: number): void {
    const key = `${observer}|${target}`;
    if (this.childHealthy.get(key) === healthy) return; // nothing changed: the CALCULATED status cannot either
    this.childHealthy.set(key, healthy);
    const children = this.config.observers.map((o) => this.childHealthy.get(`${o}|${target}`)!);
    const now = calculatedHealthy(children, calculatedThreshold(this.config.observers.length));
    if (now === this.calculated.get(target)) return;
    this.calculated.set(target, now);
    this.transitions.push({ target, atMs, healthy: now });
    this.history.add({ atMs, kind: 'health-check', target, healthy: now });
  }
}

export function scheduleGateCheckers(world: World, model: HealthCheckModel, random: SimRandom, endMs: number): void {
  const { config } = world;
  const cache = new Map<Region, { atMs: number; drained: Set<Region> }>();
  const skew = new Map(world.params.regions.map((r) => [r.region, r.clockSkewMs]));
  const gateDrains = (observer: Region): Set<Region> | null => {
    if (!world.up(observer) || !world.storeUp(observer)) return null; // no answer or a 5xx: not a drain vote
    const nowMs = world.scheduler.nowMs();
    const hit = cache.get(observer);
    if (hit !== undefined && nowMs - hit.atMs < gateCacheMs) return hit.drained;
    const view = world.replica(observer).viewNow(nowMs + skew.get(observer)!);
    const routing = gateRouting({ config, nowMs: nowMs + skew.get(observer)!, proposals: view.proposals, applied: view.applied }).routing;
    const drained = new Set(Object.entries(routing).filter(([, s]) => s === 'drained').map(([t]) => t));
    cache.set(observer, { atMs: nowMs, drained });
    return drained;
  };
  for (const observer of config.observers) for (const { region: target } of config.targets) {
    const checkers = Array.from({ length: checkerLocationsCount }, () => ({ phaseMs: random.uniform(0, gateCheckIntervalMs), sees2xx: 0, sees4xx: 0, up: false }));
    const upCount = { n: 0 }; // checkers that see a 2xx (a drain vote), kept as they flip
    checkers.forEach((checker) => {
      for (let t = checker.phaseMs; t < endMs; t += gateCheckIntervalMs) {
        world.scheduler.atSync(Math.round(t), () => {
          const drained = gateDrains(observer);
          const answered2xx = drained !== null && drained.has(target);
          checker.sees2xx = answered2xx ? checker.sees2xx + 1 : 0;
          checker.sees4xx = answered2xx ? 0 : checker.sees4xx + 1;
          const wasUp = checker.up;
          if (checker.sees2xx >= gateFailureThreshold) checker.up = true;
          if (checker.sees4xx >= gateFailureThreshold) checker.up = false;
          if (checker.up !== wasUp) upCount.n += checker.up ? 1 : -1;
          const underlyingHealthy = upCount.n / checkers.length > healthyFractionMin;
          model.setChild(observer, target, !underlyingHealthy, world.scheduler.nowMs()); // Inverted
        });
      }
    });
  }
}

export function scheduleMetricAlarms(world: World, model: HealthCheckModel, random: SimRandom, endMs: number): void {
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
      world.scheduler.atSync(Math.round(t), () => {
        const visibleUntilMs = world.scheduler.nowMs() - metricIngestDelayMs;
        const points = (datapoints.get(key) ?? []).filter((p) => p.atMs < visibleUntilMs && p.atMs >= visibleUntilMs - alarmPeriodMs);
        if (points.length > 0) alarm = Math.max(...points.map((p) => p.value)) >= 1; // no data: state kept (TreatMissingData: ignore)
      });
    }
    const readPhaseMs = random.uniform(0, alarmReadIntervalMs);
    for (let t = readPhaseMs; t < endMs; t += alarmReadIntervalMs) {
      world.scheduler.atSync(Math.round(t), () => model.setChild(observer, target, !alarm, world.scheduler.nowMs()));
    }
  }
}


/** Attaches Route 53's health checkers for `vote` to a world that has not run yet. */
export function attachHealthChecks(world: World, vote: VoteMechanismSim, random: SimRandom, endMs: number): HealthCheckModel {
  const model = new HealthCheckModel(world.config, world.history);
  if (vote === 'gate') scheduleGateCheckers(world, model, random, endMs);
  else scheduleMetricAlarms(world, model, random, endMs);
  return model;
}
