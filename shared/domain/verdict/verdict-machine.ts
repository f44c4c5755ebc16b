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
import type { ProbeEvaluation, Region, TargetVerdict } from '../types';

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
  const failingSinceMs = failed ? (verdict.failingSinceMs ?? Math.min(...sentMs)) : null;
  const failedForMs = failingSinceMs === null ? 0 : Math.max(...sentMs) - failingSinceMs;
  const consecutiveFailures = failed ? verdict.consecutiveFailures + 1 : 0;
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
    reason: failed && status === 'suspect' && consecutiveFailures >= probe.failureThreshold ? `${reason} (failing for ${failedForMs} ms of the ${probe.failureMinDurationMs} ms needed)` : reason,
  };
  return { verdict: next, confirmNow: status === 'suspect', changed: status !== verdict.status, failed };
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
