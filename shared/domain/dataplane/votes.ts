/**
 * Data-plane mode: how an observer's decision becomes a vote that Route 53 health checkers read.
 *
 * A vote is per observer and target, and only ever says "drain" or "no drain". The CALCULATED
 * health check of a target is healthy while its drain votes stay below the threshold:
 *
 *   observers' votes ──▶ child health checks (one per observer) ──▶ CALCULATED check per target
 *   drain    → child unhealthy                                       healthy  ⇔ healthy children ≥ threshold
 *   no drain → child healthy                                         threshold = n
 *
 * The observer votes what its own decision says (decide(): a quorum of fresh proposals, safety
 * rules across targets, fail static without a quorum), settled so that the votes Route 53 sees
 * from one observer never name more than maxDrained targets (vote-settle.ts). One live decision
 * suffices, so that dead gates never restore a drain (calculatedThreshold). The vote travels
 * through the observer's gate (gate.ts), the only mechanism: CloudWatch-alarm votes were removed
 * (docs/dataplane.md "Why not metric votes").
 */
import type { TargetConfig, ValidConfig } from '../config';

export type BindingMode = 'weight' | 'health-check';
export type VoteMechanism = 'gate';
export type Vote = 'drain' | 'no-drain';

/** A target's binding mode; an absent `route53.mode` is `weight` (the original behaviour). */
export function bindingMode(target: TargetConfig): BindingMode {
  return target.route53.mode ?? 'weight';
}

/** How a `health-check` target's observers vote; an absent `route53.vote` is `gate`. */
export function voteMechanism(target: TargetConfig): VoteMechanism {
  return target.route53.vote ?? 'gate';
}

/** Targets whose weights Arbiter UPSERTs through the Route 53 control plane. */
export function weightTargets(config: ValidConfig): TargetConfig[] {
  return config.targets.filter((t) => bindingMode(t) === 'weight');
}

/** Targets moved only through health checks (the data plane). */
export function dataPlaneTargets(config: ValidConfig): TargetConfig[] {
  return config.targets.filter((t) => bindingMode(t) === 'health-check');
}

/**
 * The CALCULATED check's HealthThreshold: the least number of healthy children ("no drain")
 * that keeps the target healthy. A dead or unreachable gate reads "no drain" (Inverted), so a
 * quorum threshold would fail open: once n − q + 1 observer regions are dead the survivors
 * cannot hold a drain and the first dead region is restored. The threshold is n (every child
 * must be healthy): one live observer's drain vote fails the target. That vote is its decision,
 * which already needs a quorum of fresh proposals including its own to start a drain, and which
 * holds the last applied state where no quorum exists (fail static) — the same evidence the
 * control-plane mode needs before one decider changes a weight.
 *
 * @example calculatedThreshold(3) // → 3; calculatedThreshold(5) // → 5
 */
export function calculatedThreshold(observerCount: number): number {
  if (!Number.isInteger(observerCount) || observerCount < 1) throw new Error(`calculatedThreshold: ${observerCount} observers`);
  return observerCount;
}

/** Route 53 evaluates a CALCULATED check: healthy when at least `threshold` children are healthy. */
export function calculatedHealthy(childrenHealthy: readonly boolean[], threshold: number): boolean {
  return childrenHealthy.filter(Boolean).length >= threshold;
}
