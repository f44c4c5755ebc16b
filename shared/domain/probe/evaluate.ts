/**
 * Judges one probe result against its endpoint's expectations.
 *
 * A single slow answer still passes here: slowness is judged over a window by the verdict
 * machine (gray failure), so one slow request does not make a target suspect.
 *
 * @example
 *   evaluateProbe(endpoint, { target: 'eu-west-1', endpointIndex: 0, startedMs: 0, latencyMs: 80, status: 503 })
 *   // → { pass: false, reason: 'status 503 outside 200-299', ... }
 */
import type { EndpointConfig } from '../config';
import type { ProbeEvaluation, ProbeResult } from '../types';

export function evaluateProbe(endpoint: EndpointConfig, result: ProbeResult): ProbeEvaluation {
  const base = { endpointIndex: result.endpointIndex, latencyMs: result.latencyMs, startedMs: result.startedMs };
  if (result.error !== undefined) {
    return { ...base, pass: false, answered: false, reason: `${result.error.kind}: ${result.error.message}` };
  }
  if (result.status === undefined) {
    return { ...base, pass: false, answered: false, reason: 'no answer' };
  }
  if (result.latencyMs > endpoint.timeoutMs) {
    return { ...base, pass: false, answered: false, reason: `answered after ${result.latencyMs} ms, beyond timeoutMs ${endpoint.timeoutMs}` };
  }
  const { min, max } = endpoint.expectStatus;
  if (result.status < min || result.status > max) {
    return { ...base, pass: false, answered: true, reason: `status ${result.status} outside ${min}-${max}` };
  }
  if (endpoint.bodyContains !== undefined && !(result.bodyExcerpt ?? '').includes(endpoint.bodyContains)) {
    return { ...base, pass: false, answered: true, reason: `body does not contain ${JSON.stringify(endpoint.bodyContains)}` };
  }
  return { ...base, pass: true, answered: true, reason: `status ${result.status} in ${result.latencyMs} ms` };
}

/**
 * Nearest-rank quantile of samples (q in (0, 1]); null for no samples.
 * @example quantile([100, 100, 1500], 0.9) // → 1500
 */
export function quantile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}
