/**
 * The verdict machine of one (observer, target) pair.
 *
 *   healthy ──fail──▶ suspect ──fail × (failureThreshold − 1)──▶ unhealthy
 *      ▲                 │ pass                                     │
 *      └─────────────────┘◀──────── pass × recoveryThreshold ───────┘
 *
 * A first failure makes the target `suspect` and sets `confirmNow`: the runtime re-probes at
 * once (up to `probe.confirmCount` times, `confirmSpacingMs` apart) and asks peers to probe,
 * so a real outage is confirmed in seconds rather than whole intervals (DESIGN principle 8).
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

function grayReason(quantiles: ReadonlyArray<number | null>, endpoints: readonly EndpointConfig[], probe: ProbeConfig): string | null {
  for (let i = 0; i < endpoints.length; i += 1) {
    const q = quantiles[i];
    const limit = endpoints[i]?.latencyMsMax;
    if (q !== null && q !== undefined && limit !== undefined && q > limit) {
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
  const gray = availabilityFailure === undefined ? grayReason(quantiles, endpoints, probe) : null;
  const failed = availabilityFailure !== undefined || gray !== null;
  const reason = availabilityFailure?.reason ?? gray ?? evaluations.map((e) => e.reason).join('; ');

  const consecutiveFailures = failed ? verdict.consecutiveFailures + 1 : 0;
  const consecutivePasses = failed ? 0 : verdict.consecutivePasses + 1;
  let status = verdict.status;
  if (failed) {
    if (consecutiveFailures >= probe.failureThreshold) status = 'unhealthy';
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
    reason,
  };
  return { verdict: next, confirmNow: status === 'suspect', changed: status !== verdict.status, failed };
}

/**
 * A `confirm` alarm counts as one failed round: the target turns suspect and is re-probed now,
 * but only probes can carry it further to unhealthy.
 */
export function markSuspectBySignal(verdict: TargetVerdict, reason: string, nowMs: number): VerdictStep {
  if (verdict.status !== 'healthy') return { verdict, confirmNow: verdict.status === 'suspect', changed: false, failed: false };
  const next: TargetVerdict = { ...verdict, status: 'suspect', consecutiveFailures: Math.max(1, verdict.consecutiveFailures), consecutivePasses: 0, changedMs: nowMs, reason };
  return { verdict: next, confirmNow: true, changed: true, failed: true };
}
