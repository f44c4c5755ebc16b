/**
 * A shadow drill: what Arbiter would do if `target` failed now, computed with the real core on a
 * hypothetical view (every observer judging the target unhealthy), without touching Route 53.
 *
 * Predicted time to INSYNC, worst case, from the moment the target fails:
 *
 *   fail ──▶ next probe round (≤ intervalMs) ──▶ confirmations (confirmSpacingMs each; further
 *   rounds while failureThreshold is not reached) ──▶ events + decide (eventDeliveryEstimateMs)
 *   ──▶ Route 53 PENDING → INSYNC (route53InsyncEstimateMs)
 * For a data-plane target (route53.mode: health-check) the last step is Route 53's health checks
 * reading the votes instead (voteReadEstimateMs), and no record changes.
 */
import {
  bindingMode, dataPlaneTargets, decide, drainVotedMs, initialVerdict, latestApplied, latestSnapshots, planRoute, computeProposal, unvotedDrains, votedDrains, voteReadEstimateMs, weightTargets,
  type ProbeConfig, type Proposal, type RecordSetView, type Refusal, type Region, type ValidConfig, type VerdictSnapshot,
} from '../../domain';
import type { StoreView } from '../../ports';

/** Cross-region EventBridge delivery plus a decide pass: an estimate, measured by evacuate drills. */
export const eventDeliveryEstimateMs = 2_000;
/** Route 53 documents that changes reach every authoritative server within 60 s. */
export const route53InsyncEstimateMs = 60_000;

export interface ShadowPlan {
  target: Region;
  wouldDrain: boolean;
  routing: Record<Region, string>;
  changes: Array<{ target: Region; setIdentifier: string; fromWeight: number | null; toWeight: number }>;
  refusals: Refusal[];
  causes: Record<Region, string>;
  missingRecords: Region[];
  /** insyncMs: until Route 53 acts (INSYNC of the change, or for a data-plane target its health checks reading the votes). */
  predicted: { detectionMs: number; decisionMs: number; insyncMs: number; totalMs: number };
}

/** Worst-case time from failure to `unhealthy`, from the probe settings. */
export function predictedDetectionMs(probe: ProbeConfig): number {
  const failuresPerRound = 1 + probe.confirmCount;
  const rounds = Math.ceil(probe.failureThreshold / failuresPerRound);
  const byThreshold = rounds * probe.intervalMs + Math.min(probe.failureThreshold - 1, probe.confirmCount) * probe.confirmSpacingMs;
  // Unhealthy also needs failureMinDurationMs between the first and last failing probe sent.
  return Math.max(byThreshold, probe.intervalMs + probe.failureMinDurationMs);
}

function hypotheticalSnapshots(config: ValidConfig, view: StoreView, target: Region, nowMs: number): VerdictSnapshot[] {
  const latest = latestSnapshots(view.snapshots);
  const endpoints = config.targets.find((t) => t.region === target)?.endpoints.length ?? 1;
  return config.observers.map((observer) => {
    const base = latest.get(observer);
    const failed = { ...initialVerdict(target, endpoints, nowMs), status: 'unhealthy' as const, consecutiveFailures: config.probe.failureThreshold, reason: 'shadow drill: assumed failed' };
    return { observer, seq: (base?.seq ?? 0) + 1, writtenMs: nowMs, verdicts: { ...(base?.verdicts ?? {}), [target]: failed } };
  });
}

/**
 * @example const plan = shadowPlan(config, view, records, 'eu-west-1', nowMs); plan.changes // the UPSERTs Arbiter would send
 */
export function shadowPlan(config: ValidConfig, view: StoreView, records: readonly RecordSetView[], target: Region, nowMs: number): ShadowPlan {
  const snapshots = hypotheticalSnapshots(config, view, target, nowMs);
  const lastApplied = latestApplied(view.applied);
  const proposals: Proposal[] = config.observers.map((observer) => {
    const previous = view.proposals.filter((p) => p.observer === observer).sort((a, b) => b.seq - a.seq)[0] ?? null;
    const ownSnapshot = snapshots.find((s) => s.observer === observer) ?? null;
    const voted = dataPlaneTargets(config).length === 0 ? {} : votedDrains({ config, nowMs, lastApplied, proposals: view.proposals, observer, ownSnapshot });
    return computeProposal({ config, observer, nowMs, seq: (previous?.seq ?? 0) + 1, snapshots, overrides: view.overrides, overrideEnds: view.overrideEnds, signals: view.signals, lastApplied, previous, unvoted: unvotedDrains({ config, nowMs, lastApplied, proposals: view.proposals, observer, ownSnapshot }), drainVotedMs: drainVotedMs({ lastApplied, proposals: view.proposals, voted }) });
  });
  const decision = decide({ config, nowMs, proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
  // Data-plane targets never have their records changed: only weight targets can appear here.
  const plan = planRoute(weightTargets(config), decision.routing, records);
  const refusals = [...decision.refusals, ...proposals.flatMap((p) => p.refusals)].filter((r, i, all) => all.findIndex((o) => o.target === r.target && o.rule === r.rule) === i);
  const detectionMs = predictedDetectionMs(config.probe);
  const decisionMs = detectionMs + eventDeliveryEstimateMs;
  const binding = config.targets.find((t) => t.region === target);
  const routeMs = binding !== undefined && bindingMode(binding) === 'health-check' ? voteReadEstimateMs(config) : route53InsyncEstimateMs;
  return {
    target,
    wouldDrain: decision.routing[target] === 'drained',
    routing: decision.routing,
    changes: plan.changes.map((c) => ({ target: c.target, setIdentifier: c.record.setIdentifier, fromWeight: c.fromWeight, toWeight: c.toWeight })),
    refusals,
    causes: Object.fromEntries(Object.entries(proposals[0]?.targets ?? {}).map(([t, p]) => [t, `${p.cause}: ${p.reason}`])),
    missingRecords: plan.missing,
    predicted: { detectionMs, decisionMs, insyncMs: decisionMs + routeMs, totalMs: decisionMs + routeMs },
  };
}
