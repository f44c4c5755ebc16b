/**
 * The baseline: plain Route 53 health checks on weighted records, in the same world on the same
 * faults. Modelled on the documented behaviour:
 *   - checkers in `checkerLocationsCount` locations, each checking every `intervalMs` (10 s fast or
 *     30 s standard), with its own phase;
 *   - a checker calls the endpoint unhealthy after `failureThreshold` failures in a row and healthy
 *     again after as many passes;
 *   - the endpoint is healthy while more than 18% of checkers say so;
 *   - a check passes when the TCP connection opens within 4 s and the answer comes within 2 s
 *     after that, so a 1.5 s-slow answer passes (gray failures are invisible);
 *   - checkers sit in AWS's own locations: one observer's bad path does not touch them, a target's
 *     outage or loss does.
 * No change batch is involved: DNS answers follow the health status (detect = status flip).
 */
import type { Region } from '../shared/domain';
import type { FaultTimeline } from './faults';
import type { SimRandom } from './random';

export const checkerLocationsCount = 15;
export const healthyFractionMin = 0.18;
export const connectTimeoutMs = 4_000;
export const responseTimeoutMs = 2_000;

export interface BaselineOptions {
  intervalMs: 10_000 | 30_000;
  failureThreshold: number;
}

export const baselineDefaults: BaselineOptions = { intervalMs: 10_000, failureThreshold: 3 };

/** Health status transitions of one target's health check over [0, endMs). */
export function runBaseline(target: Region, timeline: FaultTimeline, endMs: number, random: SimRandom, options: BaselineOptions = baselineDefaults): Array<{ atMs: number; healthy: boolean }> {
  const checkers = Array.from({ length: checkerLocationsCount }, () => ({ phaseMs: random.uniform(0, options.intervalMs), fails: 0, passes: 0, healthy: true }));
  const checks: Array<{ atMs: number; checker: number }> = [];
  checkers.forEach((c, i) => {
    for (let t = c.phaseMs; t < endMs; t += options.intervalMs) checks.push({ atMs: Math.round(t), checker: i });
  });
  checks.sort((a, b) => a.atMs - b.atMs || a.checker - b.checker);
  const transitions: Array<{ atMs: number; healthy: boolean }> = [];
  let healthy = true;
  for (const check of checks) {
    const c = checkers[check.checker]!;
    const condition = timeline.targetCondition(target, check.atMs);
    const answerMs = 20 + random.uniform(0, 150) + (condition.latencyMs ?? 0);
    const pass = !condition.down && !random.chance(condition.lossRate) && answerMs <= connectTimeoutMs + responseTimeoutMs;
    c.fails = pass ? 0 : c.fails + 1;
    c.passes = pass ? c.passes + 1 : 0;
    if (c.fails >= options.failureThreshold) c.healthy = false;
    if (c.passes >= options.failureThreshold) c.healthy = true;
    const fraction = checkers.filter((k) => k.healthy).length / checkers.length;
    const now = fraction > healthyFractionMin;
    if (now !== healthy) {
      healthy = now;
      transitions.push({ atMs: check.atMs + Math.round(answerMs), healthy });
    }
  }
  return transitions;
}
