/**
 * GET /status: every target's routing state and why, from this region's replica and Route 53.
 * Read-only; a Route 53 read failure is reported in the body, never as a 500. A data-plane target
 * (route53.mode: health-check) has no record Arbiter changes: instead of reading Route 53 it shows
 * this observer's vote, as its gate answers it (recomputed from the replica).
 */
import {
  configHash, activeOverrides, bindingMode, dataPlaneTargets, gateVotes, latestApplied, latestSnapshots, quorumSize, routingFromRecords, tallyTarget, voteMechanism, weightTargets,
  type BindingMode, type Override, type Region, type RoutingState, type Tally, type Vote, type VoteMechanism,
} from '../../domain';
import { ArbiterError, type DrillRecord, type Heartbeat } from '../../ports';
import type { OperatorDeps } from './api-types';

/** Running drills shown in a status (newest first). */
export const statusDrillsMax = 20;

export interface TargetStatus {
  target: Region;
  /** The state of the last applied decision (serving before any decision). */
  routing: RoutingState;
  /** How Arbiter moves this target's traffic. */
  binding: BindingMode;
  /** What Route 53 shows now; null if the record could not be read, or for a data-plane target. */
  route53: RoutingState | null;
  /** Data-plane targets: this observer's vote (what its gate answers). */
  vote: { mechanism: VoteMechanism; vote: Vote } | null;
  tally: Tally;
  verdicts: Record<Region, { status: string; reason: string; probedMs: number; writtenMs: number; fresh: boolean } | null>;
  proposals: Record<Region, { state: RoutingState; cause: string; reason: string; seq: number; createdMs: number } | null>;
  override: Override | null;
}

export interface StatusBody {
  observer: Region;
  nowMs: number;
  quorum: number;
  targets: TargetStatus[];
  /** `configMatches` false: that observer proposes under another config (its proposals do not vote). */
  observers: Array<{ observer: Region; heartbeats: Heartbeat[]; proposal: { seq: number; createdMs: number; configHash: string | null } | null; configMatches: boolean }>;
  lastApplied: { decisionId: string; observer: Region; decidedMs: number; appliedMs: number; changeId: string | null; routing: Record<Region, RoutingState> } | null;
  activeOverrides: Override[];
  runningDrills: DrillRecord[];
  problems: string[];
  apiUrls?: Record<Region, string>;
}

async function readRoute53(deps: OperatorDeps, problems: string[]): Promise<Record<Region, RoutingState | null>> {
  const weighted = weightTargets(deps.config);
  if (weighted.length === 0) return {};
  try {
    return routingFromRecords(weighted, await deps.dns.readRecords(weighted.map((t) => t.route53)));
  } catch (error) {
    if (!(error instanceof ArbiterError)) throw error;
    problems.push(`Route 53 could not be read: ${error.message}`);
    return Object.fromEntries(weighted.map((t) => [t.region, null]));
  }
}

/**
 * @example const body = await buildStatus(deps); body.targets[0].tally.unhealthy
 */
export async function buildStatus(deps: OperatorDeps): Promise<StatusBody> {
  const { config } = deps;
  const nowMs = deps.clock.nowMs();
  const view = await deps.store.readView(nowMs);
  const problems: string[] = [];
  const route53 = await readRoute53(deps, problems);
  const snapshots = latestSnapshots(view.snapshots);
  const applied = latestApplied(view.applied);
  const active = activeOverrides(view.overrides, view.overrideEnds, nowMs);
  const freshnessMs = config.probe.verdictFreshnessMs;
  const votes = dataPlaneTargets(config).length === 0 ? {} : gateVotes({ config, nowMs, proposals: view.proposals, applied: view.applied, observer: deps.observer, ownSnapshot: latestSnapshots(view.snapshots).get(deps.observer) ?? null });
  const latestProposal = new Map(config.observers.map((o) => [o, view.proposals.filter((p) => p.observer === o).sort((a, b) => b.seq - a.seq)[0] ?? null]));
  const targets: TargetStatus[] = config.targets.map((binding) => {
    const target = binding.region;
    const verdicts: TargetStatus['verdicts'] = {};
    const proposals: TargetStatus['proposals'] = {};
    for (const observer of config.observers) {
      const snapshot = snapshots.get(observer);
      const verdict = snapshot?.verdicts[target];
      verdicts[observer] = snapshot === undefined || verdict === undefined ? null : { status: verdict.status, reason: verdict.reason, probedMs: verdict.probedMs, writtenMs: snapshot.writtenMs, fresh: nowMs - snapshot.writtenMs <= freshnessMs };
      const proposal = latestProposal.get(observer);
      const mine = proposal?.targets[target];
      proposals[observer] = proposal === null || proposal === undefined || mine === undefined ? null : { state: mine.state, cause: mine.cause, reason: mine.reason, seq: proposal.seq, createdMs: proposal.createdMs };
    }
    return {
      target, routing: applied?.routing[target] ?? 'serving', binding: bindingMode(binding), route53: route53[target] ?? null,
      vote: bindingMode(binding) === 'health-check' ? { mechanism: voteMechanism(binding), vote: votes[target] ?? 'no-drain' } : null,
      tally: tallyTarget({ target, observers: config.observers, snapshots, nowMs, freshnessMs }), verdicts, proposals,
      override: active.find((o) => o.target === target) ?? null,
    };
  });
  const drills = await deps.store.listDrills(statusDrillsMax);
  return {
    observer: deps.observer, nowMs, quorum: quorumSize(config.observers.length), targets,
    observers: config.observers.map((observer) => {
      const proposal = latestProposal.get(observer);
      const hash = proposal?.configHash ?? null;
      return { observer, heartbeats: view.heartbeats.filter((h) => h.observer === observer), proposal: proposal ? { seq: proposal.seq, createdMs: proposal.createdMs, configHash: hash } : null, configMatches: hash === null || hash === configHash(config) };
    }),
    lastApplied: applied === null ? null : { decisionId: applied.decisionId, observer: applied.observer, decidedMs: applied.decidedMs, appliedMs: applied.appliedMs, changeId: applied.changeId, routing: applied.routing },
    activeOverrides: active,
    runningDrills: drills.filter((d) => d.status === 'running'),
    problems,
    ...(deps.apiUrls !== undefined ? { apiUrls: deps.apiUrls } : {}),
  };
}
