/**
 * Route 53's health checkers in the data-plane mode (every target in `route53.mode: health-check`),
 * reading the observers' gate votes in a running World:
 *
 *   child:  per observer and target, an Inverted HTTPS check on the observer's gate, probed by
 *           gateCheckerCount(config) checkers every `dataPlane.checkIntervalSeconds` with their
 *           own phases; a checker flips after `gateFailureThreshold` answers in a row; the check's
 *           underlying status is healthy while more than 18 % of checkers see a 2xx (a drain
 *           vote), then inverted. The gate answers its settled votes (gateVotes, with its own
 *           observer as decider) over its region's replica (cached gateCacheMs); a region that is
 *           down, or whose store is unavailable, does not answer 2xx (no drain), nor does a gate
 *           whose request a flood got refused (GateFlood).
 *   CALCULATED per target: healthy while healthy children ≥ calculatedThreshold(n) (every child:
 *   a live drain vote holds a drain, dead gates abstain); every transition is a `health-check`
 *   history entry (what DNS serves).
 */
import {
  calculatedHealthy, calculatedThreshold, gateCheckerCount, gateRequestIntervalSeconds, gateFailureThreshold, gateVotes, latestSnapshots, validateConfig,
  type Region, type ValidConfig,
} from '../../shared/domain';
import { gateCacheMs } from '../../shared/adapters/aws/dataplane-gate';
import { healthyFractionMin } from '../baseline';
import type { History } from '../history';
import type { SimRandom } from '../random';
import type { World } from '../world';

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

/** What a data-plane run adds to a scenario's world: today only a flood on the gates. */
export interface HealthCheckOptions {
  flood?: GateFlood;
}

/** How often Route 53 probes each gate child (`dataPlane.checkIntervalSeconds`). */
export function gateCheckIntervalMs(config: ValidConfig): number {
  return gateRequestIntervalSeconds(config) * 1000;
}

/** The scenario's config with every target in health-check mode (gate votes), and `dataPlane` merged over the config's. */
export function dataPlaneConfig(base: ValidConfig, dataPlane: Partial<ValidConfig['dataPlane']> = {}): ValidConfig {
  const input = { ...base, safety: { ...base.safety }, dataPlane: { ...base.dataPlane, ...dataPlane }, targets: base.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const, vote: 'gate' as const } })) };
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`data-plane config is not valid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return result.config;
}

/** Route 53's view of the children and the CALCULATED checks, with every transition recorded. */
export class HealthCheckModel {
  readonly childHealthy = new Map<string, boolean>();
  readonly calculated = new Map<Region, boolean>();
  readonly transitions: Array<{ target: Region; atMs: number; healthy: boolean }> = [];

  private readonly threshold: number;

  constructor(private readonly config: ValidConfig, private readonly history: History) {
    this.threshold = calculatedThreshold(config.observers.length);
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
    const now = calculatedHealthy(children, this.threshold);
    if (now === this.calculated.get(target)) return;
    this.calculated.set(target, now);
    this.transitions.push({ target, atMs, healthy: now });
    this.history.add({ atMs, kind: 'health-check', target, healthy: now, ...(now ? {} : { child: observer }) });
  }
}

/** What GateAnswers needs from the world: which gates answer, what each votes, where answers are written. */
export interface GateAnswersDeps {
  targets: readonly Region[];
  nowMs(): number;
  /** Whether `observer`'s gate answers at all (its region up, its replica readable); otherwise every path reads "no drain". */
  answers(observer: Region): boolean;
  /** The targets `observer`'s gate votes drained now (gateVotes over its replica). */
  votes(observer: Region, nowMs: number): Set<Region>;
  record(entry: { atMs: number; kind: 'gate-answer'; observer: Region; target: Region; drain: boolean }): void;
}

/**
 * The observers' gates as Route 53's checkers reach them: each computes every path's answer at
 * once from its replica and caches it gateCacheMs. A `gate-answer` history entry is written when a
 * gate began answering a path otherwise — when it computed the change, for every target at once,
 * not when a checker of that path first asked (up to a check interval later, Route 53's sampling
 * rather than the gate's act). The checker judges a data-plane drain or release at that time.
 */
export class GateAnswers {
  private readonly cache = new Map<Region, { atMs: number; drained: Set<Region> }>();
  private readonly last = new Map<string, boolean>(); // (gate, target) → its last answer was a drain vote

  constructor(private readonly deps: GateAnswersDeps) {}

  /** The drains `observer`'s gate answers now (null: no answer, read as "no drain" on every path). */
  drains(observer: Region): Set<Region> | null {
    if (!this.deps.answers(observer)) {
      this.answeredAll(observer, null);
      return null;
    }
    const nowMs = this.deps.nowMs();
    const hit = this.cache.get(observer);
    if (hit !== undefined && nowMs - hit.atMs < gateCacheMs) return hit.drained;
    const drained = this.deps.votes(observer, nowMs);
    this.cache.set(observer, { atMs: nowMs, drained });
    this.answeredAll(observer, drained);
    return drained;
  }

  /** One request's answer (a refused request reads "no drain" for that request only). */
  answered(observer: Region, target: Region, drain: boolean): void {
    const key = `${observer}|${target}`;
    if ((this.last.get(key) ?? false) === drain) return;
    this.last.set(key, drain);
    this.deps.record({ atMs: this.deps.nowMs(), kind: 'gate-answer', observer, target, drain });
  }

  private answeredAll(observer: Region, drained: ReadonlySet<Region> | null): void {
    for (const target of this.deps.targets) this.answered(observer, target, drained !== null && drained.has(target));
  }
}

export function scheduleGateCheckers(world: World, model: HealthCheckModel, random: SimRandom, endMs: number, flood?: GateFlood): void {
  const { config } = world;
  const intervalMs = gateCheckIntervalMs(config);
  const checkerCount = gateCheckerCount(config);
  const floodRandom = random.fork('flood');
  const refused = (observer: Region) => flood !== undefined && flood.observers.includes(observer) && world.scheduler.nowMs() >= flood.fromMs && floodRandom.chance(flood.refusedRate);
  const skew = new Map(world.params.regions.map((r) => [r.region, r.clockSkewMs]));
  const gates = new GateAnswers({
    targets: config.targets.map((t) => t.region),
    nowMs: () => world.scheduler.nowMs(),
    answers: (observer) => world.up(observer) && world.storeUp(observer),
    votes: (observer, nowMs) => {
      const view = world.replica(observer).viewNow(nowMs + skew.get(observer)!);
      const ownSnapshot = latestSnapshots(view.snapshots).get(observer) ?? null;
      const votes = gateVotes({ config, nowMs: nowMs + skew.get(observer)!, proposals: view.proposals, applied: view.applied, observer, ownSnapshot });
      return new Set(Object.entries(votes).filter(([, v]) => v === 'drain').map(([t]) => t));
    },
    record: (entry) => world.history.add(entry),
  });
  for (const observer of config.observers) for (const { region: target } of config.targets) {
    const checkers = Array.from({ length: checkerCount }, () => ({ phaseMs: random.uniform(0, intervalMs), sees2xx: 0, sees4xx: 0, up: false }));
    const upCount = { n: 0 }; // checkers that see a 2xx (a drain vote), kept as they flip
    checkers.forEach((checker) => {
      for (let t = checker.phaseMs; t < endMs; t += intervalMs) {
        world.scheduler.atSync(Math.round(t), () => {
          const throttled = refused(observer);
          const drained = throttled ? null : gates.drains(observer);
          const answered2xx = drained !== null && drained.has(target);
          gates.answered(observer, target, answered2xx);
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

/** Attaches Route 53's health checkers on the gates to a world that has not run yet. */
export function attachHealthChecks(world: World, random: SimRandom, endMs: number, options: HealthCheckOptions = {}): HealthCheckModel {
  const model = new HealthCheckModel(world.config, world.history);
  scheduleGateCheckers(world, model, random, endMs, options.flood);
  return model;
}
