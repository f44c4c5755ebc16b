/**
 * The checker, Jepsen style: it reads a recorded history (never the live world) and judges every
 * state Route 53 actually served against the fault timeline (ground truth, sim/truth.ts), never
 * against what the runtime believed. It reports every violation of a run, not only the first.
 *
 * At every served change (a Route 53 change batch, or in data-plane runs a health-check flip):
 *   false-drain                 automation drained a target that was not really failing
 *   quorum-evidence             … or that fewer than a quorum of live observers judged unhealthy
 *   must-not-drain              the scenario says this target may not be drained at all
 *   min-serving / max-drained   the safety rules, automation's drains counted apart from operators'
 *   cooldown                    an automatic restore closer than flipCooldownMs to the drain (skew allowed)
 *   recovery-hold               an automatic restore without a live quorum healthy for the whole hold
 *                               (a held drain released in the same batch as a new drain is neither;
 *                               in data-plane runs, released first and that drain within voteSettleMs)
 *   restore-while-failing       a really failing target restored (a serve pin excepted)
 *   lost-update                 a change planned from a state older than the one it overwrote;
 *                               one decision applied more than once
 *   flips-bounded, fail-static  as before
 * Over time:
 *   dead-left-serving           a really failing target kept serving past the scenario's bound while
 *                               a quorum of observers was alive and linked and a drain was allowed
 *   held-drain-blocks-failover  … because maxDrained was used up by a target that is fine again
 *   override-honoured           an operator's drain/serve reached Route 53 within a bound, or a
 *                               safety rule refused it by name
 * At the end: must-fail-over, convergence, expired-override-leaves-nothing-drained.
 */
import { latestApplied, quorumSize, voteReadEstimateMs, voteSettleMs, type Region, type RoutingState, type ValidConfig, type VerdictStatus } from '../shared/domain';
import type { ActiveFault } from './faults';
import type { History, HistoryEntry } from './history';
import type { Scenario } from './scenario';
import { GroundTruth } from './truth';
import type { World } from './world';

export type InvariantName =
  | 'false-drain'
  | 'quorum-evidence'
  | 'must-not-drain'
  | 'min-serving'
  | 'max-drained'
  | 'cooldown'
  | 'recovery-hold'
  | 'restore-while-failing'
  | 'held-drain-blocks-failover'
  | 'lost-update'
  | 'dead-left-serving'
  | 'override-honoured'
  | 'fail-static'
  | 'flips-bounded'
  | 'must-fail-over'
  | 'convergence'
  | 'expired-override-leaves-nothing-drained';

export interface Violation {
  invariant: InvariantName;
  target: Region | null;
  atMs: number;
  step: number;
  detail: string;
}

export type CheckResult = { valid: true; violations: [] } | { valid: false; failedAt: Violation; violations: Violation[] };

/** A target fine for this long before automation drains it is a false drain whatever else is true. */
export const fineForFalseDrainMs = 30_000;
/** A really failing target must be drained within this bound unless the scenario states its own. */
export const deadLeftServingBoundMsDefault = 120_000;
/** An operator's override must reach Route 53 (or be refused by a named rule) within this bound. */
export const overrideHonouredBoundMs = 60_000;
/** Violations kept per run (the count beyond is reported in the last one). */
export const violationsMax = 100;

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
  /** Largest clock difference between any two regions: time comparisons allow for it. */
  clockSkewMsMax: number;
  /** The run's fault timeline (ground truth). Absent: an empty timeline. */
  faults?: readonly ActiveFault[];
}

function flipsPerHourMax(config: ValidConfig): number {
  return config.safety.flipCooldownMs === 0 ? Number.POSITIVE_INFINITY : Math.floor(3_600_000 / config.safety.flipCooldownMs) + 1;
}

type OverrideEntry = Extract<HistoryEntry, { kind: 'override' }>;

/** Each (observer, target) verdict as a step function of true time. */
class VerdictTimeline {
  private readonly steps = new Map<string, Array<{ atMs: number; status: VerdictStatus }>>();

  see(observer: Region, target: Region, atMs: number, status: VerdictStatus): void {
    const key = `${observer}|${target}`;
    const list = this.steps.get(key) ?? [];
    list.push({ atMs, status });
    this.steps.set(key, list);
  }

  private list(observer: Region, target: Region) {
    return this.steps.get(`${observer}|${target}`) ?? [];
  }

  /** The status at `atMs` (healthy before any verdict: observers start healthy). */
  statusAt(observer: Region, target: Region, atMs: number): VerdictStatus {
    let status: VerdictStatus = 'healthy';
    for (const s of this.list(observer, target)) {
      if (s.atMs > atMs) break;
      status = s.status;
    }
    return status;
  }

  /** Whether the status was `status` at some moment of [fromMs, toMs]. */
  wasAt(observer: Region, target: Region, status: VerdictStatus, fromMs: number, toMs: number): boolean {
    if (this.statusAt(observer, target, fromMs) === status) return true;
    return this.list(observer, target).some((s) => s.atMs >= fromMs && s.atMs <= toMs && s.status === status);
  }

  /** Whether the status was `status` throughout [fromMs, toMs]. */
  throughout(observer: Region, target: Region, status: VerdictStatus, fromMs: number, toMs: number): boolean {
    if (this.statusAt(observer, target, fromMs) !== status) return false;
    return !this.list(observer, target).some((s) => s.atMs > fromMs && s.atMs <= toMs && s.status !== status);
  }
}

interface ServedChange {
  atMs: number;
  step: number;
  by: string;
  decisionId: string | null;
  changeId: string | null;
  changes: Array<{ target: Region; fromWeight: number | null; toWeight: number }>;
  /** A data-plane drain: the observer whose gate child failed the CALCULATED check. */
  gate?: Region;
}

/** The served changes of a run: Route 53 change batches, or data-plane health-check flips. */
function servedChanges(history: History, weights: Record<Region, number>): ServedChange[] {
  const out: ServedChange[] = [];
  for (const [step, raw] of history.entries.entries()) {
    const e = raw as HistoryEntry;
    if (e.kind === 'dns-change') out.push({ atMs: e.atMs, step, by: e.observer, decisionId: e.decisionId, changeId: e.changeId, changes: e.changes });
    if (e.kind === 'health-check') out.push({ atMs: e.atMs, step, by: 'route53-health-checks', decisionId: null, changeId: null, changes: [{ target: e.target, fromWeight: null, toWeight: e.healthy ? (weights[e.target] ?? 1) : 0 }], ...(e.child !== undefined ? { gate: e.child } : {}) });
  }
  return out;
}

class Overrides {
  private readonly list: Array<{ entry: OverrideEntry; endMs: number }> = [];

  constructor(history: History, private readonly skewMs: number) {
    const ends = new Map<string, number>();
    for (const raw of history.entries) {
      const e = raw as { kind: string; atMs: number; id?: string; overrideId?: string };
      if (e.kind === 'override-end') ends.set(e.overrideId ?? e.id ?? '', e.atMs);
    }
    for (const entry of history.of('override')) this.list.push({ entry, endMs: Math.min(entry.expiresAtMs, ends.get(entry.id) ?? Number.POSITIVE_INFINITY) });
  }

  all() {
    return this.list;
  }

  /** The newest override of `target` active at `atMs` (its end widened by the skew: readers' clocks differ). */
  active(target: Region, atMs: number): OverrideEntry | null {
    const live = this.list.filter((o) => o.entry.target === target && o.entry.atMs <= atMs && atMs < o.endMs + this.skewMs);
    return live.length === 0 ? null : live[live.length - 1]!.entry;
  }

  /** An override of `target` was active at some moment of [fromMs, toMs]. */
  touched(target: Region, fromMs: number, toMs: number): boolean {
    return this.list.some((o) => o.entry.target === target && o.entry.atMs <= toMs && o.endMs + this.skewMs > fromMs);
  }
}

/** Per drained target: why it was drained (operator, forced operator, automation) and when. */
type DrainCause = 'automatic' | 'operator' | 'forced';

class Report {
  readonly violations: Violation[] = [];
  private dropped = 0;

  add(invariant: InvariantName, target: Region | null, atMs: number, step: number, detail: string): void {
    if (this.violations.length < violationsMax) this.violations.push({ invariant, target, atMs, step, detail });
    else this.dropped += 1;
  }

  result(): CheckResult {
    if (this.violations.length === 0) return { valid: true, violations: [] };
    const violations = [...this.violations].sort((a, b) => a.atMs - b.atMs || a.step - b.step);
    if (this.dropped > 0) violations.push({ ...violations[violations.length - 1]!, detail: `${this.dropped} more violations not listed` });
    return { valid: false, failedAt: violations[0]!, violations };
  }
}

/** Checks a history against the fault timeline; returns every violation found. */
export function checkHistory(input: CheckInput): CheckResult {
  const { config, scenario, history } = input;
  const truth = new GroundTruth(config, input.faults ?? []);
  const report = new Report();
  const skew = input.clockSkewMsMax;
  const quorum = quorumSize(config.observers.length);
  const configured: Record<Region, number> = Object.fromEntries(config.targets.map((t) => [t.region, t.route53.weight]));
  const weights: Record<Region, number> = { ...configured };
  const overrides = new Overrides(history, skew);
  const verdicts = new VerdictTimeline();
  for (const e of history.of('verdict')) verdicts.see(e.observer, e.target, e.atMs, e.status);
  const refusals = history.entries.filter((e) => (e as { kind: string }).kind === 'refusal') as unknown as Array<{ atMs: number; target: Region; rule: string }>;
  const mustNotDrain = scenario.expect.mustNotDrain === '*' ? config.targets.map((t) => t.region) : scenario.expect.mustNotDrain;
  const evidenceWindowMs = config.probe.verdictFreshnessMs + skew + config.probe.intervalMs;
  const flips = new Map<Region, number[]>();
  const drainCause = new Map<Region, DrainCause>();
  const lastFlip = new Map<Region, { atMs: number; drained: boolean; automatic: boolean }>();
  const decisionChanges = new Map<string, string[]>();
  const drainedEver = new Set<Region>();
  const changes = servedChanges(history, configured);
  const mode = (scenario as { mode?: string }).mode;
  const settleMs = mode === 'gate' ? voteSettleMs(config) : null;
  // Data plane: when each gate began the run of drain answers Route 53's checkers read.
  const gateAnswers = history.entries.flatMap((e) => (e.kind === 'gate-answer' ? [e] : []));
  const gateReadMs = voteReadEstimateMs(config);
  /** When `gate` began the drain answers for `target` that still ran at `atMs`; null if it was not answering drain. */
  const gateVoteStart = (gate: Region, target: Region, atMs: number): number | null => {
    let start: number | null = null;
    for (const a of gateAnswers) {
      if (a.atMs > atMs) break;
      if (a.observer === gate && a.target === target) start = a.drain ? a.atMs : null;
    }
    return start;
  };
  /**
   * The earliest start, within gateReadMs before `atMs`, of the drain answers for `target` some gate
   * still ran at `atMs`; null if none. A gate other than the one whose child flipped (`flipped`)
   * counts only if it was alive at the flip and its run lasted gateReadMs, by when its own checkers
   * were bound to have read it: then it would have drained the target by itself.
   */
  const firstRunningVote = (target: Region, atMs: number, flipped: Region): number | null => {
    const starts = config.observers.flatMap((o) => {
      const start = gateVoteStart(o, target, atMs);
      if (start === null || atMs - start > gateReadMs) return [];
      return o === flipped || (truth.alive(o, atMs) && gateVoteStart(o, target, start + gateReadMs) === start) ? [start] : [];
    });
    return starts.length === 0 ? null : Math.min(...starts);
  };
  /** The observers alive at `atMs` that judged `target` unhealthy within the evidence window before it: a drain's quorum of evidence. */
  const unhealthyJudges = (target: Region, atMs: number): Region[] =>
    config.observers.filter((o) => truth.alive(o, atMs) && verdicts.wasAt(o, target, 'unhealthy', atMs - evidenceWindowMs, atMs));
  /** When the last gate to stop voting `target` drained began the "no drain" answers still running at `atMs`; null if none answered it. */
  const gateReleaseStart = (target: Region, atMs: number): number | null => {
    const starts = new Map<Region, number | null>();
    for (const a of gateAnswers) {
      if (a.atMs > atMs) break;
      if (a.target !== target) continue;
      if (a.drain) starts.set(a.observer, null);
      else if ((starts.get(a.observer) ?? null) === null) starts.set(a.observer, a.atMs);
    }
    const released = [...starts.values()];
    return released.length === 0 || released.includes(null) ? null : Math.max(...(released as number[]));
  };

  const weightsBefore = new Map<ServedChange, Record<Region, number>>();
  const before = (c: ServedChange, target: Region) => weightsBefore.get(c)?.[target];
  for (const c of changes) {
    const before = { ...weights };
    weightsBefore.set(c, before);
    let moved = false;
    for (const change of c.changes) {
      const actual = before[change.target] ?? 0;
      if (change.fromWeight !== null && change.fromWeight !== actual) {
        report.add('lost-update', change.target, c.atMs, c.step, `${c.by}'s change ${c.changeId} (decision ${c.decisionId}) was planned from ${change.target} weight ${change.fromWeight} but Route 53 held ${actual}`);
      }
      if (change.toWeight !== actual) moved = true;
      weights[change.target] = change.toWeight;
    }
    if (moved && c.decisionId !== null) {
      const ids = [...(decisionChanges.get(c.decisionId) ?? []), c.changeId ?? '?'];
      decisionChanges.set(c.decisionId, ids);
      if (ids.length > 1) report.add('lost-update', null, c.atMs, c.step, `decision ${c.decisionId} applied ${ids.length} times (changes ${ids.join(', ')})`);
    }
    for (const change of c.changes) {
      const wasServing = (before[change.target] ?? 0) > 0;
      const nowServing = change.toWeight > 0;
      if (wasServing === nowServing) continue;
      checkFlip(c, change.target, nowServing);
    }
    checkSafetyRules(c);
  }

  function checkFlip(c: ServedChange, target: Region, serving: boolean): void {
    const times = [...(flips.get(target) ?? []), c.atMs];
    flips.set(target, times);
    if (times.filter((t) => c.atMs - t < 3_600_000).length > flipsPerHourMax(config)) report.add('flips-bounded', target, c.atMs, c.step, `${target} flipped more than ${flipsPerHourMax(config)} times within an hour`);
    if (scenario.expect.failStatic && c.atMs < scenario.safetyMs) report.add('fail-static', target, c.atMs, c.step, `${c.by} changed ${target} to ${serving ? 'serving' : 'drained'} while no quorum should exist`);
    const override = overrides.active(target, c.atMs);
    const previous = lastFlip.get(target);
    if (!serving) {
      drainedEver.add(target);
      const byOperator = override !== null && override.action === 'drain';
      drainCause.set(target, byOperator ? (override.force ? 'forced' : 'operator') : 'automatic');
      lastFlip.set(target, { atMs: c.atMs, drained: true, automatic: !byOperator });
      if (byOperator) return;
      // Data plane: Arbiter's act is the first drain answer among the gates still answering drain at
      // the flip; Route 53's checkers take up to voteReadEstimateMs to read it (as a change batch is
      // judged when it is sent, not at INSYNC). Any one child voting drain flips the CALCULATED check,
      // so which child's checkers happened to read first (c.gate) is Route 53's phase, not Arbiter's
      // act: a gate joining a vote already running drains nothing the first would not have, if that
      // first vote was alive and lasted long enough to be read on its own.
      // A flip later than voteReadEstimateMs after every running answer began is judged at the flip.
      const votedMs = c.gate !== undefined ? firstRunningVote(target, c.atMs, c.gate) : null;
      const actMs = votedMs ?? c.atMs;
      const failing = truth.failing(target, actMs);
      if (failing === null) {
        const fine = truth.fineThroughout(target, c.atMs - fineForFalseDrainMs, c.atMs);
        const endedMs = truth.lastFailingEndMs(target, c.atMs);
        const why = fine ? `had been fine for at least ${fineForFalseDrainMs / 1000} s` : endedMs !== null && endedMs < c.atMs ? `its fault had ended ${c.atMs - endedMs} ms before` : 'was degraded but not failing';
        report.add('false-drain', target, c.atMs, c.step, `${c.by} drained ${target}, which ${why} (decision ${c.decisionId ?? 'health check'})`);
      }
      if (mustNotDrain.includes(target)) report.add('must-not-drain', target, c.atMs, c.step, `${c.by} drained ${target}, which the scenario says may not be drained`);
      // The evidence is judged at the same act: the live observers and their verdicts when the drain was sent (or first answered).
      const judges = unhealthyJudges(target, actMs);
      // An indicting alarm in ALARM is evidence for every observer (the config says so).
      if (judges.length < quorum && truth.indictedBy(target, actMs) === null) report.add('quorum-evidence', target, c.atMs, c.step, `${c.by} drained ${target} with only [${judges.join(', ')}] of the live observers judging it unhealthy (quorum ${quorum})`);
      return;
    }
    drainCause.delete(target);
    const pinned = override !== null && override.action === 'serve';
    const automatic = !pinned && previous?.automatic === true && !overrides.touched(target, previous.atMs, c.atMs);
    lastFlip.set(target, { atMs: c.atMs, drained: false, automatic });
    const failing = truth.failing(target, c.atMs);
    if (failing !== null && !pinned) report.add('restore-while-failing', target, c.atMs, c.step, `${c.by} restored ${target} while it was really failing (${failing})`);
    // A held drain released in the same batch as a new drain (maxDrained counts only drains whose cause holds);
    // in the data plane, where every target flips alone, released first and followed by the drain within the settle time.
    const released = c.changes.some((ch) => ch.target !== target && ch.toWeight <= 0 && (before(c, ch.target) ?? 0) > 0) || releasedForNewDrain(c, target);
    if (!automatic || previous === undefined || released) return;
    const sinceDrainMs = c.atMs - previous.atMs;
    if (sinceDrainMs < config.safety.flipCooldownMs - skew) report.add('cooldown', target, c.atMs, c.step, `${c.by} restored ${target} ${sinceDrainMs} ms after its drain (flipCooldownMs ${config.safety.flipCooldownMs}, skew ${skew} ms)`);
    const holdFromMs = c.atMs - config.safety.recoveryHoldMs + skew;
    const healthy = config.observers.filter((o) => truth.alive(o, holdFromMs) && truth.alive(o, c.atMs) && verdicts.throughout(o, target, 'healthy', holdFromMs, c.atMs));
    if (healthy.length < quorum) report.add('recovery-hold', target, c.atMs, c.step, `${c.by} restored ${target} with only [${healthy.join(', ')}] judging it healthy for the whole ${config.safety.recoveryHoldMs} ms hold (quorum ${quorum})`);
  }

  /**
   * Data plane: a restore of `target` made room for a new drain. It is one swap when a live quorum
   * judged `target` healthy when Arbiter released it (a drain held only by hysteresis; judged at the
   * same act as the new failure below, not at Route 53's later read of it), automation's drains
   * were at maxDrained before it, and a target that was really failing at the restore and serving
   * is drained by automation (no operator's drain override) within voteSettleMs after it, `target`
   * serving until then (the votes settle the release before voting the drain, so Route 53 never
   * shows both drained). "Failing at the restore" is judged when Arbiter released it: the last
   * gate's first "no drain" answer of the run Route 53 read, if the flip came within
   * voteReadEstimateMs of it (as a drain is judged at its first drain answer). A new target whose
   * failure ended within that voteSettleMs, undrained, counts too if a live quorum judged it
   * unhealthy at the release: the release was due when it was made, and draining the target after
   * it recovered would be a false drain.
   */
  function releasedForNewDrain(c: ServedChange, target: Region): boolean {
    if (settleMs === null) return false;
    const releasedMs = gateReleaseStart(target, c.atMs);
    const actMs = releasedMs !== null && c.atMs - releasedMs <= gateReadMs ? releasedMs : c.atMs;
    const judgedHealthy = config.observers.filter((o) => truth.alive(o, actMs) && verdicts.statusAt(o, target, actMs) === 'healthy');
    if (judgedHealthy.length < quorum) return false;
    const weightsThen = weightsBefore.get(c) ?? {};
    const automaticDrains = Object.entries(weightsThen).filter(([t, w]) => w <= 0 && t !== target && (drainCause.get(t) ?? 'automatic') === 'automatic').length + 1;
    if (automaticDrains < config.safety.maxDrained) return false;
    const endMs = c.atMs + settleMs;
    const newFailure = (t: Region) => t !== target && (weightsThen[t] ?? 0) > 0 && truth.failing(t, actMs) !== null;
    const drainedInWindow = new Set<Region>();
    for (const next of changes) {
      if (next.atMs <= c.atMs || next === c) continue;
      if (next.atMs > endMs) break;
      // Drained again before the new drain: this restore made room for nothing.
      if (next.changes.some((ch) => ch.target === target && ch.toWeight <= 0)) return false;
      const drainsNew = next.changes.some((ch) => newFailure(ch.target) && ch.toWeight <= 0 && overrides.active(ch.target, next.atMs)?.action !== 'drain');
      if (drainsNew) return true;
      for (const ch of next.changes) if (ch.toWeight <= 0) drainedInWindow.add(ch.target);
    }
    // The new failure ended, undrained, before its drain was due; it counts only if a live quorum judged it unhealthy at the release (the evidence a drain needs).
    return Object.keys(weightsThen).some((t) => newFailure(t) && !drainedInWindow.has(t) && truth.failing(t, endMs) === null && unhealthyJudges(t, actMs).length >= quorum);
  }

  function checkSafetyRules(c: ServedChange): void {
    const drained = Object.entries(weights).filter(([, w]) => w <= 0).map(([t]) => t);
    const serving = Object.keys(weights).length - drained.length;
    // Who holds each drain now: an operator's drain override in force on a target automation had
    // drained makes it the operator's (the protocol counts it so); otherwise whoever drained it.
    const causeNow = (t: Region): DrainCause => {
      const override = overrides.active(t, c.atMs);
      if (override !== null && override.action === 'drain') return override.force ? 'forced' : 'operator';
      return drainCause.get(t) ?? 'automatic';
    };
    const forced = drained.filter((t) => causeNow(t) === 'forced').length;
    const minServing = Math.min(config.safety.minServing, config.targets.length);
    if (serving + forced < minServing) report.add('min-serving', null, c.atMs, c.step, `${serving} targets serving after ${c.changeId ?? 'a health-check flip'} (minServing ${config.safety.minServing}; ${forced} forced drains excused)`);
    const automatic = drained.filter((t) => causeNow(t) === 'automatic');
    if (automatic.length > config.safety.maxDrained) report.add('max-drained', null, c.atMs, c.step, `automation drains [${automatic.join(', ')}] after ${c.changeId ?? 'a health-check flip'} (maxDrained ${config.safety.maxDrained})`);
  }

  checkDeadLeftServing(input, truth, changes, overrides, report);
  checkOverridesHonoured(input, truth, changes, overrides, refusals, report);
  checkEnd(input, drainedEver, report);
  return report.result();
}

/**
 * Sweeps true time: for each target, how long it has been really failing and still serving while a
 * quorum of observers was alive and linked, Route 53 could be changed (control-plane runs), no
 * operator pinned it serving, and the safety rules allowed one more drain.
 */
function checkDeadLeftServing(input: CheckInput, truth: GroundTruth, changes: readonly ServedChange[], overrides: Overrides, report: Report): void {
  const { config, scenario } = input;
  const boundMs = (scenario.expect as { detectBoundMs?: number }).detectBoundMs ?? deadLeftServingBoundMsDefault;
  const quorum = quorumSize(config.observers.length);
  const endMs = scenario.safetyMs + scenario.livenessMs;
  const dataPlane = (scenario as { mode?: string }).mode !== undefined && (scenario as { mode?: string }).mode !== 'control-plane';
  const times = new Set<number>(truth.edges(endMs));
  for (const c of changes) times.add(c.atMs);
  const points = [...times].sort((a, b) => a - b);
  const weights: Record<Region, number> = Object.fromEntries(config.targets.map((t) => [t.region, t.route53.weight]));
  const causes = new Map<Region, boolean>(); // drained target → drained by an operator
  const waited = new Map<Region, { ms: number; blockedBy: Region[] | null; reported: boolean }>();
  let next = 0;
  for (let i = 0; i < points.length; i += 1) {
    const atMs = points[i]!;
    while (next < changes.length && changes[next]!.atMs <= atMs) {
      for (const ch of changes[next]!.changes) {
        if ((weights[ch.target] ?? 0) > 0 && ch.toWeight <= 0) causes.set(ch.target, overrides.active(ch.target, changes[next]!.atMs)?.action === 'drain');
        if (ch.toWeight > 0) causes.delete(ch.target);
        weights[ch.target] = ch.toWeight;
      }
      next += 1;
    }
    const untilMs = points[i + 1] ?? endMs;
    const spanMs = untilMs - atMs;
    if (spanMs <= 0) continue;
    const linked = truth.linkedObservers(atMs).length >= quorum;
    const route53Up = dataPlane || truth.route53ControlPlaneUp(atMs);
    const drained = Object.entries(weights).filter(([, w]) => w <= 0).map(([t]) => t);
    const automatic = drained.filter((t) => causes.get(t) !== true);
    const servingCount = config.targets.length - drained.length;
    for (const { region: target } of config.targets) {
      const state = waited.get(target) ?? { ms: 0, blockedBy: null, reported: false };
      const failing = truth.failing(target, atMs) !== null;
      if (!failing || (weights[target] ?? 0) <= 0) {
        waited.delete(target);
        continue;
      }
      const pinned = overrides.active(target, atMs)?.action === 'serve';
      const minServingAllows = servingCount - 1 >= Math.min(config.safety.minServing, config.targets.length);
      const heldFine = automatic.filter((t) => truth.failing(t, atMs) === null);
      const maxDrainedAllows = automatic.length < config.safety.maxDrained || heldFine.length > 0;
      if (!linked || !route53Up || pinned || !minServingAllows || !maxDrainedAllows) {
        waited.set(target, state);
        continue;
      }
      const before = state.ms;
      state.ms += spanMs;
      state.blockedBy = automatic.length >= config.safety.maxDrained ? heldFine : null;
      if (!state.reported && state.ms > boundMs) {
        state.reported = true;
        const crossedMs = atMs + (boundMs - before);
        if (state.blockedBy !== null && state.blockedBy.length > 0) report.add('held-drain-blocks-failover', target, crossedMs, -1, `${target} is really failing and still serving after ${boundMs} ms: maxDrained ${config.safety.maxDrained} is used up by [${state.blockedBy.join(', ')}], which ${state.blockedBy.length === 1 ? 'is' : 'are'} fine again`);
        else report.add('dead-left-serving', target, crossedMs, -1, `${target} is really failing and still serving after ${boundMs} ms while ${truth.linkedObservers(atMs).length} observers are alive and linked (quorum ${quorum})`);
      }
      waited.set(target, state);
    }
  }
}

function checkOverridesHonoured(input: CheckInput, truth: GroundTruth, changes: readonly ServedChange[], overrides: Overrides, refusals: ReadonlyArray<{ atMs: number; target: Region; rule: string }>, report: Report): void {
  const { config, scenario } = input;
  const dataPlane = (scenario as { mode?: string }).mode !== undefined && (scenario as { mode?: string }).mode !== 'control-plane';
  for (const { entry, endMs } of overrides.all()) {
    const deadlineMs = entry.atMs + overrideHonouredBoundMs;
    if (endMs < deadlineMs) continue; // ended before its bound: nothing to demand
    if (!dataPlane && !truth.route53ControlPlaneUp(entry.atMs)) continue;
    if (config.observers.filter((o) => truth.linked(o, entry.atMs)).length < quorumSize(config.observers.length)) continue;
    const wanted = entry.action === 'drain' ? 0 : 1;
    let weight = config.targets.find((t) => t.region === entry.target)?.route53.weight ?? 0;
    let reached = false;
    for (const c of changes) {
      if (c.atMs > deadlineMs) break;
      for (const ch of c.changes) if (ch.target === entry.target) weight = ch.toWeight;
      if (c.atMs >= entry.atMs && (weight > 0 ? 1 : 0) === wanted) reached = true;
    }
    if (!reached && servedAt(changes, entry.atMs, entry.target, config) === wanted) reached = true;
    const refused = refusals.some((r) => r.target === entry.target && r.atMs >= entry.atMs && r.atMs <= deadlineMs);
    if (!reached && !refused) report.add('override-honoured', entry.target, deadlineMs, -1, `override ${entry.id} (${entry.action} ${entry.target}) did not reach Route 53 within ${overrideHonouredBoundMs} ms and no safety rule refused it`);
  }
}

/** 1 if `target` was serving at `atMs` (the state an override may already find), else 0. */
function servedAt(changes: readonly ServedChange[], atMs: number, target: Region, config: ValidConfig): number {
  let weight = config.targets.find((t) => t.region === target)?.route53.weight ?? 0;
  for (const c of changes) {
    if (c.atMs > atMs) break;
    for (const ch of c.changes) if (ch.target === target) weight = ch.toWeight;
  }
  return weight > 0 ? 1 : 0;
}

function checkEnd(input: CheckInput, drained: ReadonlySet<Region>, report: Report): void {
  const { scenario, history, final } = input;
  const step = history.entries.length;
  for (const target of scenario.expect.failOver) {
    if (!drained.has(target)) report.add('must-fail-over', target, scenario.safetyMs, step, `${target} was never drained during the safety phase`);
  }
  const overridesLive = history.of('override').some((o) => o.expiresAtMs + input.clockSkewMsMax > final.endMs);
  const drainedAtEnd = Object.entries(final.route53).filter(([, s]) => s === 'drained').map(([t]) => t);
  if (!overridesLive && drainedAtEnd.length > 0) {
    const invariant = history.of('override').length > 0 ? 'expired-override-leaves-nothing-drained' : 'convergence';
    report.add(invariant, null, final.endMs, step, `faults and overrides are over but Route 53 still drains [${drainedAtEnd.join(', ')}] after ${scenario.livenessMs} ms of liveness`);
  }
  const pending = history.of('dns-change').filter((c) => c.insyncAtMs > final.endMs);
  if (pending.length > 0) report.add('convergence', null, final.endMs, step, `change ${pending[0]!.changeId} still PENDING at the end`);
  const truthJson = JSON.stringify(final.route53);
  for (const view of final.views) {
    if (view.applied !== null && JSON.stringify(normalise(view.applied, final.route53)) !== truthJson) report.add('convergence', null, final.endMs, step, `${view.region}'s applied view ${JSON.stringify(view.applied)} differs from Route 53 ${truthJson}`);
    if (view.proposal !== null && JSON.stringify(normalise(view.proposal, final.route53)) !== truthJson) report.add('convergence', null, final.endMs, step, `${view.region}'s proposal ${JSON.stringify(view.proposal)} differs from Route 53 ${truthJson}`);
  }
}

/** Same key order as the reference, so JSON comparison is about values only. */
function normalise(routing: Record<Region, RoutingState>, reference: Record<Region, RoutingState>): Record<Region, RoutingState> {
  return Object.fromEntries(Object.keys(reference).map((k) => [k, routing[k] ?? 'serving']));
}

/** One violation as a line: invariant, target, time, what happened, and the replay command. */
export function formatViolation(v: Violation, replay: string): string {
  return `${v.invariant}${v.target === null ? '' : ` ${v.target}`} at ${v.atMs} ms: ${v.detail} — replay: ${replay}`;
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
