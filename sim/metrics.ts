/**
 * What a run measured, judged against the fault timeline (what was really failing), for Arbiter
 * and for the Route 53 health-check baseline alike: both reduce to the served state of each
 * target over time (Route 53 weights, or health-check status) — `ServedTransition`s.
 *
 * Really failing (at true time t): the target's application is down (target fault, flap down
 * phase, region-down) or gray (every answer slower than its endpoint's latencyMsMax, or at least
 * `grayLossRateMin` of answers lost), as every checker would see it, or indicted by an alarm in
 * ALARM (`indicted`: the config declares such an alarm the failure's evidence, as the checker's
 * ground truth does); one observer's bad path is not the target failing.
 */
import type { Region, ValidConfig } from '../shared/domain';
import type { FaultTimeline } from './faults';
import type { HistoryEntry } from './history';

export interface ServedTransition {
  target: Region;
  atMs: number;
  serving: boolean;
}

/** A target losing at least this share of its answers is failing (5 % loss is a healthy target on a lossy network). */
export const grayLossRateMin = 0.2;
/** Sampling step over the fault timeline (faults are piecewise constant at this resolution). */
export const truthStepMs = 1_000;
/** A drain of a target fine for this long (and not asked for by an operator) is a false drain. */
export const fineForFalseDrainMs = 30_000;

/** Intervals [startMs, endMs) during which `target` really failed, within [0, untilMs). */
export function failingIntervals(timeline: FaultTimeline, config: ValidConfig, target: Region, untilMs: number, indicted: (target: Region, atMs: number) => boolean = () => false): Array<{ startMs: number; endMs: number }> {
  const latencyMsMax = Math.min(...(config.targets.find((t) => t.region === target)?.endpoints.map((e) => e.latencyMsMax) ?? [Number.POSITIVE_INFINITY]));
  const out: Array<{ startMs: number; endMs: number }> = [];
  let open: number | null = null;
  for (let t = 0; t <= untilMs; t += truthStepMs) {
    const c = timeline.targetCondition(target, t);
    const failing = t < untilMs && (c.down || (c.latencyMs ?? 0) > latencyMsMax || c.lossRate >= grayLossRateMin || indicted(target, t));
    if (failing && open === null) open = t;
    if (!failing && open !== null) {
      out.push({ startMs: open, endMs: t });
      open = null;
    }
  }
  return out;
}

/** Served transitions from a control-plane history (each accepted change batch). */
export function servedFromChanges(history: readonly HistoryEntry[]): ServedTransition[] {
  const out: ServedTransition[] = [];
  for (const e of history) {
    if (e.kind === 'dns-change') for (const c of e.changes) out.push({ target: c.target, atMs: e.atMs, serving: c.toWeight > 0 });
    if (e.kind === 'health-check') out.push({ target: e.target, atMs: e.atMs, serving: e.healthy });
  }
  return out;
}

export interface TruthMetrics {
  /** Drains of a target that had really been fine for ≥ 30 s, not asked for by an active drain override. */
  falseDrains: number;
  /** Longest time a really failing target kept serving within one failing interval (null: nothing failed). */
  deadServingMsMax: number | null;
}

export function truthMetrics(input: {
  config: ValidConfig;
  timeline: FaultTimeline;
  transitions: readonly ServedTransition[];
  overrides: ReadonlyArray<{ target: Region; action: string; atMs: number; expiresAtMs: number }>;
  safetyMs: number;
  /** Whether an indicting alarm is in ALARM for the target (GroundTruth.indictedBy). */
  indicted?: (target: Region, atMs: number) => boolean;
}): TruthMetrics {
  const { config, timeline, transitions, overrides, safetyMs, indicted } = input;
  let falseDrains = 0;
  let deadServingMsMax: number | null = null;
  for (const { region: target } of config.targets) {
    const intervals = failingIntervals(timeline, config, target, safetyMs, indicted);
    const own = transitions.filter((t) => t.target === target).sort((a, b) => a.atMs - b.atMs);
    let serving = true;
    for (const t of own) {
      if (!t.serving && serving) {
        const asked = overrides.some((o) => o.target === target && o.action === 'drain' && o.atMs <= t.atMs && t.atMs < o.expiresAtMs);
        const lastFailEnd = Math.max(Number.NEGATIVE_INFINITY, ...intervals.filter((i) => i.startMs <= t.atMs).map((i) => Math.min(i.endMs, t.atMs)));
        const failingNow = intervals.some((i) => i.startMs <= t.atMs && t.atMs < i.endMs);
        if (!asked && !failingNow && t.atMs - lastFailEnd >= fineForFalseDrainMs) falseDrains += 1;
      }
      serving = t.serving;
    }
    for (const i of intervals) {
      const before = own.filter((t) => t.atMs <= i.startMs);
      const drainedAtStart = before.length > 0 && !before[before.length - 1]!.serving;
      const drain = own.find((t) => t.atMs > i.startMs && t.atMs < i.endMs && !t.serving);
      const servedMs = drainedAtStart ? 0 : (drain?.atMs ?? i.endMs) - i.startMs;
      deadServingMsMax = Math.max(deadServingMsMax ?? 0, servedMs);
    }
  }
  return { falseDrains, deadServingMsMax };
}
