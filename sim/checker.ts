/**
 * The checker, Jepsen style: it reads a recorded history (never the live world) and answers
 * `valid` or `failedAt` with the step and the invariant. Safety invariants (DESIGN.md) are checked
 * at every Route 53 change, the only step at which traffic moves; liveness is checked at the end
 * of the run, after the faults stopped: Route 53 and every live observer's view must agree and
 * every change must be INSYNC within the scenario's liveness bound.
 */
import { latestApplied, quorumSize, type Region, type RoutingState, type ValidConfig } from '../shared/domain';
import type { History, HistoryEntry } from './history';
import type { Scenario } from './scenario';
import type { World } from './world';

export type InvariantName =
  | 'min-serving'
  | 'quorum-evidence'
  | 'minority-never-moves-traffic'
  | 'fail-static'
  | 'flips-bounded'
  | 'must-fail-over'
  | 'convergence'
  | 'expired-override-leaves-nothing-drained';

export type CheckResult = { valid: true } | { valid: false; failedAt: { atMs: number; step: number; invariant: InvariantName; detail: string } };

/** What the world looked like when the run ended (taken by the runner, read by the checker). */
export interface FinalState {
  endMs: number;
  route53: Record<Region, RoutingState>;
  views: Array<{ region: Region; applied: Record<Region, RoutingState> | null; proposal: Record<Region, RoutingState> | null }>;
}

export interface CheckInput {
  config: ValidConfig;
  scenario: Scenario;
  history: History;
  final: FinalState;
  /** Largest clock difference between any two regions: evidence windows are widened by it. */
  clockSkewMsMax: number;
}

function flipsPerHourMax(config: ValidConfig): number {
  return config.safety.flipCooldownMs === 0 ? Number.POSITIVE_INFINITY : Math.floor(3_600_000 / config.safety.flipCooldownMs) + 1;
}

class Evidence {
  private readonly status = new Map<string, { status: string; lastUnhealthyMs: number }>();

  see(e: Extract<HistoryEntry, { kind: 'verdict' }>): void {
    const key = `${e.observer}|${e.target}`;
    const known = this.status.get(key) ?? { status: 'healthy', lastUnhealthyMs: Number.NEGATIVE_INFINITY };
    this.status.set(key, { status: e.status, lastUnhealthyMs: e.status === 'unhealthy' ? e.atMs : known.lastUnhealthyMs });
  }

  /** Observers that judged `target` unhealthy now or within `windowMs`. */
  unhealthyObservers(config: ValidConfig, target: Region, atMs: number, windowMs: number): Region[] {
    return config.observers.filter((o) => {
      const s = this.status.get(`${o}|${target}`);
      return s !== undefined && (s.status === 'unhealthy' || atMs - s.lastUnhealthyMs <= windowMs);
    });
  }
}

/** Checks a history; the first violated invariant wins. */
export function checkHistory(input: CheckInput): CheckResult {
  const { config, scenario, history } = input;
  const weights: Record<Region, number> = Object.fromEntries(config.targets.map((t) => [t.region, t.route53.weight]));
  const flips = new Map<Region, number[]>();
  const evidence = new Evidence();
  const overrides: Array<Extract<HistoryEntry, { kind: 'override' }>> = [];
  const mustNotDrain = scenario.expect.mustNotDrain === '*' ? config.targets.map((t) => t.region) : scenario.expect.mustNotDrain;
  const windowMs = config.probe.verdictFreshnessMs + input.clockSkewMsMax + config.probe.intervalMs;
  const fail = (atMs: number, step: number, invariant: InvariantName, detail: string): CheckResult => ({ valid: false, failedAt: { atMs, step, invariant, detail } });
  const drained = new Set<Region>();
  for (const [step, e] of history.entries.entries()) {
    if (e.kind === 'verdict') evidence.see(e);
    if (e.kind === 'override') overrides.push(e);
    if (e.kind !== 'dns-change') continue;
    const active = overrides.filter((o) => o.atMs <= e.atMs && e.atMs < o.expiresAtMs + input.clockSkewMsMax);
    for (const change of e.changes) {
      const before = weights[change.target] ?? 0;
      weights[change.target] = change.toWeight;
      if ((before > 0) === (change.toWeight > 0)) continue;
      const times = [...(flips.get(change.target) ?? []), e.atMs];
      flips.set(change.target, times);
      if (times.filter((t) => e.atMs - t < 3_600_000).length > flipsPerHourMax(config)) return fail(e.atMs, step, 'flips-bounded', `${change.target} flipped more than ${flipsPerHourMax(config)} times within an hour`);
      if (scenario.expect.failStatic && e.atMs < scenario.safetyMs) return fail(e.atMs, step, 'fail-static', `${e.observer} changed ${change.target} to weight ${change.toWeight} while no quorum should exist`);
      if (change.toWeight > 0) continue;
      drained.add(change.target);
      const byOverride = active.some((o) => o.target === change.target && o.action === 'drain');
      const judges = evidence.unhealthyObservers(config, change.target, e.atMs, windowMs);
      if (!byOverride && judges.length < quorumSize(config.observers.length)) return fail(e.atMs, step, 'quorum-evidence', `${e.observer} drained ${change.target} with only [${judges.join(', ')}] judging it unhealthy (quorum ${quorumSize(config.observers.length)})`);
      if (!byOverride && mustNotDrain.includes(change.target)) return fail(e.atMs, step, 'minority-never-moves-traffic', `${e.observer} drained healthy target ${change.target} (decision ${e.decisionId})`);
    }
    const serving = Object.values(weights).filter((w) => w > 0).length;
    const forced = active.some((o) => o.force && o.action === 'drain');
    if (!forced && serving < config.safety.minServing) return fail(e.atMs, step, 'min-serving', `${serving} targets serving after ${e.changeId} (minServing ${config.safety.minServing})`);
  }
  return checkEnd(input, drained, fail);
}

function checkEnd(input: CheckInput, drained: ReadonlySet<Region>, fail: (atMs: number, step: number, invariant: InvariantName, detail: string) => CheckResult): CheckResult {
  const { scenario, history, final } = input;
  const step = history.entries.length;
  for (const target of scenario.expect.failOver) {
    if (!drained.has(target)) return fail(scenario.safetyMs, step, 'must-fail-over', `${target} was never drained during the safety phase`);
  }
  const overridesLive = history.of('override').some((o) => o.expiresAtMs + input.clockSkewMsMax > final.endMs);
  const drainedAtEnd = Object.entries(final.route53).filter(([, s]) => s === 'drained').map(([t]) => t);
  if (!overridesLive && drainedAtEnd.length > 0) {
    const invariant = history.of('override').length > 0 ? 'expired-override-leaves-nothing-drained' : 'convergence';
    return fail(final.endMs, step, invariant, `faults and overrides are over but Route 53 still drains [${drainedAtEnd.join(', ')}] after ${scenario.livenessMs} ms of liveness`);
  }
  const pending = history.of('dns-change').filter((c) => c.insyncAtMs > final.endMs);
  if (pending.length > 0) return fail(final.endMs, step, 'convergence', `change ${pending[0]!.changeId} still PENDING at the end`);
  const truth = JSON.stringify(final.route53);
  for (const view of final.views) {
    if (view.applied !== null && JSON.stringify(normalise(view.applied, final.route53)) !== truth) return fail(final.endMs, step, 'convergence', `${view.region}'s applied view ${JSON.stringify(view.applied)} differs from Route 53 ${truth}`);
    if (view.proposal !== null && JSON.stringify(normalise(view.proposal, final.route53)) !== truth) return fail(final.endMs, step, 'convergence', `${view.region}'s proposal ${JSON.stringify(view.proposal)} differs from Route 53 ${truth}`);
  }
  return { valid: true };
}

/** Same key order as the reference, so JSON comparison is about values only. */
function normalise(routing: Record<Region, RoutingState>, reference: Record<Region, RoutingState>): Record<Region, RoutingState> {
  return Object.fromEntries(Object.keys(reference).map((k) => [k, routing[k] ?? 'serving']));
}

/** Takes the final state from a world (the runner calls it once the scheduler has stopped). */
export async function finalState(world: World, endMs: number): Promise<FinalState> {
  const route53: Record<Region, RoutingState> = {};
  for (const target of world.config.targets) route53[target.region] = (world.route53.weightOf(target.route53.setIdentifier) ?? 0) > 0 ? 'serving' : 'drained';
  const views: FinalState['views'] = [];
  for (const region of world.config.observers) {
    if (!world.up(region)) continue;
    const view = await world.replica(region).readView(endMs);
    const applied = latestApplied(view.applied);
    const own = view.proposals.find((p) => p.observer === region);
    views.push({ region, applied: applied?.routing ?? null, proposal: own === undefined ? null : Object.fromEntries(Object.values(own.targets).map((t) => [t.target, t.state])) });
  }
  return { endMs, route53, views };
}
