/**
 * The verdict machine of one (observer, target) pair.
 *
 *   healthy ──fail──▶ suspect ──fail × (failureThreshold − 1)──▶ unhealthy
 *      ▲                 │ pass                                     │
 *      └─────────────────┘◀──────── pass × recoveryThreshold ───────┘
 *
 * A first failure makes the target `suspect` and sets `confirmNow`: the runtime re-probes at
 * once (`probe.confirmCount` times, `confirmSpacingMs` apart; then every round, 2 s by default)
 * and asks peers to probe, so a real outage is confirmed in seconds rather than whole
 * intervals (DESIGN principle 8). Unhealthy also needs the failures to have lasted
 * `failureMinDurationMs` between the first and the last failing probe sent: a blip shorter than
 * that (10 s by default) never makes a target unhealthy, however many probes it fails.
 *
 * Gray failure: per endpoint, a window of the last `latencyWindowSize` answered latencies; when
 * its `latencyQuantile` exceeds `latencyMsMax`, the round fails even though every answer was 2xx.
 */
import { invariant } from '../assert';
import type { EndpointConfig, ProbeConfig } from '../config';
import { quantile } from '../probe/evaluate';
import type { ProbeEvaluation, Region, TargetVerdict, VerdictSnapshot } from '../types';

/** Fewest samples before the latency quantile is trusted: one slow request is not a trend. */
export const latencySamplesMin = 3;

export interface VerdictStep {
  verdict: TargetVerdict;
  /** The target just became suspect (or is still suspect): re-probe now and ask peers to. */
  confirmNow: boolean;
  /** The status changed in this step. */
  changed: boolean;
  /** The round failed (availability or gray), for logs. */
  failed: boolean;
}

/** A new target starts healthy: Arbiter moves traffic only on evidence. */
export function initialVerdict(target: Region, endpointCount: number, nowMs: number): TargetVerdict {
  return {
    target,
    status: 'healthy',
    consecutiveFailures: 0,
    consecutivePasses: 0,
    latencySamplesMs: Array.from({ length: endpointCount }, () => []),
    latencyQuantileMs: Array.from({ length: endpointCount }, () => null),
    lastLatencyMs: null,
    changedMs: nowMs,
    probedMs: nowMs,
    reason: 'no probe yet',
  };
}

function slidingWindows(verdict: TargetVerdict, evaluations: readonly ProbeEvaluation[], endpoints: readonly EndpointConfig[], probe: ProbeConfig) {
  const samples = endpoints.map((_, i) => [...(verdict.latencySamplesMs[i] ?? [])]);
  for (const evaluation of evaluations) {
    const window = samples[evaluation.endpointIndex];
    if (window === undefined || !evaluation.answered) continue;
    window.push(evaluation.latencyMs);
    while (window.length > probe.latencyWindowSize) window.shift();
  }
  const quantiles = samples.map((window) => (window.length >= latencySamplesMin ? quantile(window, probe.latencyQuantile) : null));
  return { samples, quantiles };
}

/**
 * A round fails as gray when an endpoint's window quantile is above its limit and this round's own
 * answer from it is too: the window remembers a slow blip after it ends, the current answer does not.
 */
function grayReason(quantiles: ReadonlyArray<number | null>, evaluations: readonly ProbeEvaluation[], endpoints: readonly EndpointConfig[], probe: ProbeConfig): string | null {
  for (let i = 0; i < endpoints.length; i += 1) {
    const q = quantiles[i];
    const limit = endpoints[i]?.latencyMsMax;
    const current = evaluations.filter((e) => e.endpointIndex === i && e.answered).map((e) => e.latencyMs);
    if (q !== null && q !== undefined && limit !== undefined && q > limit && current.some((l) => l > limit)) {
      return `p${Math.round(probe.latencyQuantile * 100)} latency ${q} ms > latencyMsMax ${limit} ms (endpoint ${i})`;
    }
  }
  return null;
}

/**
 * Advances one verdict by one probe round (one evaluation per endpoint, or a subset on confirmation).
 *
 * @example
 *   const { verdict, confirmNow } = stepVerdict(v, [{ endpointIndex: 0, pass: false, answered: false, latencyMs: 2000, reason: 'timeout' }], endpoints, probe, now);
 */
export function stepVerdict(
  verdict: TargetVerdict,
  evaluations: readonly ProbeEvaluation[],
  endpoints: readonly EndpointConfig[],
  probe: ProbeConfig,
  nowMs: number,
): VerdictStep {
  invariant(evaluations.length > 0, `stepVerdict(${verdict.target}): a round needs at least one evaluation`);
  const { samples, quantiles } = slidingWindows(verdict, evaluations, endpoints, probe);
  const availabilityFailure = evaluations.find((e) => !e.pass);
  const gray = availabilityFailure === undefined ? grayReason(quantiles, evaluations, endpoints, probe) : null;
  const failed = availabilityFailure !== undefined || gray !== null;
  const sentMs = evaluations.map((e) => e.startedMs ?? nowMs);
  // Evidence is ordered by when it was sent, not when it came back: a round sent before the latest
  // result of the other kind was already answered for a later moment, and is stale. Without this a
  // confirmation sent during a blip, timing out after a later pass, restarted the run of failures
  // from before that pass, and a second blip then completed it (generated gate 144: a false drain).
  const passedMs = verdict.passedMs ?? null;
  // A run of failures that began before the latest pass is no run: it only survives in a verdict
  // merged from two writers (withPassesOf), where the pass was the other one's.
  const broken = verdict.failingSinceMs != null && passedMs !== null && verdict.failingSinceMs < passedMs;
  const failingSince = broken ? null : (verdict.failingSinceMs ?? null);
  const stale = failed ? passedMs !== null && Math.max(...sentMs) < passedMs : failingSince !== null && Math.max(...sentMs) < failingSince;
  if (stale) return { verdict, confirmNow: verdict.status === 'suspect', changed: false, failed: false };
  const failingSinceMs = failed ? (failingSince ?? Math.min(...sentMs.filter((ms) => passedMs === null || ms >= passedMs))) : null;
  const failedForMs = failingSinceMs === null ? 0 : Math.max(...sentMs) - failingSinceMs;
  const consecutiveFailures = failed ? (broken ? 0 : verdict.consecutiveFailures) + 1 : 0;
  const consecutivePasses = failed ? 0 : verdict.consecutivePasses + 1;
  const lasting = failedForMs >= probe.failureMinDurationMs;
  const reason = availabilityFailure?.reason ?? gray ?? evaluations.map((e) => e.reason).join('; ');
  let status = verdict.status;
  if (failed) {
    if (consecutiveFailures >= probe.failureThreshold && lasting) status = 'unhealthy';
    else if (status === 'healthy') status = 'suspect';
  } else if (status === 'suspect') {
    status = 'healthy';
  } else if (status === 'unhealthy' && consecutivePasses >= probe.recoveryThreshold) {
    status = 'healthy';
  }
  const latencies = evaluations.filter((e) => e.answered).map((e) => e.latencyMs);
  const next: TargetVerdict = {
    target: verdict.target,
    status,
    consecutiveFailures: Math.min(consecutiveFailures, 1000),
    consecutivePasses: Math.min(consecutivePasses, 1000),
    latencySamplesMs: samples,
    latencyQuantileMs: quantiles,
    lastLatencyMs: latencies.length > 0 ? Math.max(...latencies) : verdict.lastLatencyMs,
    changedMs: status === verdict.status ? verdict.changedMs : nowMs,
    probedMs: nowMs,
    failingSinceMs,
    passedMs: failed ? passedMs : Math.max(passedMs ?? Number.NEGATIVE_INFINITY, ...sentMs),
    reason: failed && status === 'suspect' && consecutiveFailures >= probe.failureThreshold ? `${reason} (failing for ${failedForMs} ms of the ${probe.failureMinDurationMs} ms needed)` : reason,
  };
  return { verdict: next, confirmNow: status === 'suspect', changed: status !== verdict.status, failed };
}

/**
 * The stored snapshot re-read after a concurrent writer (a probe-now invocation beside the loop),
 * with the passes this writer has seen and not written (a healthy verdict is rewritten only every
 * verdictRefreshMs): per target, the later `passedMs` of the two. A failure the other writer stored
 * that was sent before such a pass is then stale, and a run of failures it began before it is broken.
 *
 * @example withPassesOf(stored, memory).verdicts['eu-west-1'].passedMs // → max of both
 */
export function withPassesOf(stored: VerdictSnapshot, memory: VerdictSnapshot | null): VerdictSnapshot {
  if (memory === null) return stored;
  const verdicts = { ...stored.verdicts };
  for (const [target, own] of Object.entries(memory.verdicts)) {
    const base = verdicts[target];
    if (base === undefined || own.passedMs == null || (base.passedMs != null && base.passedMs >= own.passedMs)) continue;
    verdicts[target] = { ...base, passedMs: own.passedMs };
  }
  return { ...stored, verdicts };
}

/**
 * A `confirm` alarm counts as one failed round: the target turns suspect and is re-probed now,
 * but only probes can carry it further to unhealthy.
 */
export function markSuspectBySignal(verdict: TargetVerdict, reason: string, nowMs: number): VerdictStep {
  if (verdict.status !== 'healthy') return { verdict, confirmNow: verdict.status === 'suspect', changed: false, failed: false };
  const next: TargetVerdict = { ...verdict, status: 'suspect', consecutiveFailures: Math.max(1, verdict.consecutiveFailures), consecutivePasses: 0, changedMs: nowMs, failingSinceMs: verdict.failingSinceMs ?? nowMs, reason };
  return { verdict: next, confirmNow: true, changed: true, failed: true };
}
