/** What the dashboard shows, read from the local control plane in one JSON document. */
import { latestApplied, type Region } from '../../shared/domain';
import type { AuditEntry, DrillRecord } from '../../shared/ports';
import type { StatusBody } from '../../shared/runtime/operator/status';
import type { LocalWorld, ObserverMode } from './local-world';
import type { SampleApp, SampleMode } from './sample-app';
import type { TimelineEntry } from './timeline';

/** Drill reports shown. */
export const dashboardDrillsMax = 8;
/** Audit entries shown (newest first). */
export const dashboardAuditMax = 15;

export interface MatrixCell {
  observer: Region;
  target: Region;
  status: 'healthy' | 'suspect' | 'unhealthy' | 'unknown';
  reason: string;
  latencyMs: number | null;
  /** The window's latency quantile (probe.latencyQuantile), compared with latencyMsMax. */
  quantileMs: number | null;
  latencyMsMax: number;
  probedMs: number | null;
}

export interface ProposalTarget {
  state: string;
  cause: string;
  reason: string;
  /** Since when a quorum judges the target healthy (drives the recovery-hold countdown). */
  healthyQuorumSinceMs: number | null;
}

export interface DashboardState {
  name: string;
  nowMs: number;
  observers: Region[];
  targets: Region[];
  /** The observer whose API the dashboard calls: the first one running. */
  apiObserver: Region;
  /**
   * Each observer's signs of life, from its own replica: when it last wrote its verdicts (probe)
   * and its proposal (decide), and its probe loop's heartbeat item (written when an invocation ends;
   * the local run's loop never ends, so it has none).
   */
  observerStates: Array<{ observer: Region; mode: ObserverMode; heartbeats: { verdicts: number | null; proposal: number | null; probeLoop: number | null } }>;
  samples: Array<{ region: Region; mode: SampleMode; url: string; requests: number }>;
  weights: Array<{ target: Region; setIdentifier: string; weight: number | null; configuredWeight: number }>;
  matrix: MatrixCell[];
  proposals: Array<{ observer: Region; seq: number; createdMs: number; targets: Record<Region, ProposalTarget> } | { observer: Region; seq: null }>;
  status: StatusBody | { error: string };
  /**
   * The last applied decision as the API observer's replica has it, and the last Route 53 change
   * (an observer that finds Route 53 already showing a decision records it with no change of its own).
   */
  lastDecision: {
    decisionId: string; observer: Region; appliedMs: number; changeId: string | null; lastFlipMs: Record<Region, number | null>;
    lastChange: { changeId: string; decisionId: string; observer: Region; appliedMs: number; route53Status: string } | null;
  } | null;
  safety: { minServing: number; maxDrained: number; serving: number; drained: number };
  drills: DrillRecord[];
  audit: AuditEntry[];
  timeline: TimelineEntry[];
  timings: { probeIntervalMs: number; recoveryHoldMs: number; flipCooldownMs: number; latencyQuantile: number; verdictFreshnessMs: number };
}

async function readMatrix(world: LocalWorld): Promise<{ matrix: MatrixCell[]; proposals: DashboardState['proposals']; writtenMs: Record<Region, number | null> }> {
  const matrix: MatrixCell[] = [];
  const proposals: DashboardState['proposals'] = [];
  const writtenMs: Record<Region, number | null> = {};
  for (const region of world.regions) {
    const snapshot = await region.store.readOwnSnapshot(region.observer);
    writtenMs[region.observer] = snapshot?.writtenMs ?? null;
    for (const target of world.config.targets) {
      const verdict = snapshot?.verdicts[target.region];
      matrix.push({
        observer: region.observer, target: target.region, status: verdict?.status ?? 'unknown', reason: verdict?.reason ?? 'no verdict yet',
        latencyMs: verdict?.lastLatencyMs ?? null, quantileMs: verdict?.latencyQuantileMs[0] ?? null, latencyMsMax: target.endpoints[0]?.latencyMsMax ?? 0, probedMs: verdict?.probedMs ?? null,
      });
    }
    const proposal = region.store.proposals.get(region.observer);
    proposals.push(proposal === undefined ? { observer: region.observer, seq: null } : {
      observer: region.observer, seq: proposal.seq, createdMs: proposal.createdMs,
      targets: Object.fromEntries(Object.entries(proposal.targets).map(([t, p]) => [t, { state: p.state, cause: p.cause, reason: p.reason, healthyQuorumSinceMs: p.healthyQuorumSinceMs ?? null }])),
    });
  }
  return { matrix, proposals, writtenMs };
}

/**
 * Reads the state: verdicts from each observer's own replica, the status as the first running
 * observer's API answers it (through handleApiRequest), weights from the Route 53 stand-in.
 */
export async function readDashboardState(world: LocalWorld, samples: readonly SampleApp[], sampleUrls: Record<Region, string>, afterSeq: number): Promise<DashboardState> {
  const { config } = world;
  const apiRegion = world.regions.find((r) => r.mode !== 'stopped') ?? world.regions[0]!;
  const statusResponse = await world.api(apiRegion.observer, { method: 'GET', path: '/status', headers: {}, query: {}, body: null, principal: 'local:dashboard', requestId: 'dashboard' });
  const status = statusResponse.statusCode === 200 ? (statusResponse.body as StatusBody) : { error: String((statusResponse.body as { error?: unknown })?.error ?? `HTTP ${statusResponse.statusCode}`) };
  const { matrix, proposals, writtenMs } = await readMatrix(world);
  const allApplied = [...apiRegion.store.applied.values()];
  const applied = latestApplied(allApplied);
  const changed = allApplied.filter((a) => a.changeId !== null).sort((a, b) => b.appliedMs - a.appliedMs)[0];
  const weights = config.targets.map((t) => ({ target: t.region, setIdentifier: t.route53.setIdentifier, weight: world.dns.weightOf(t.route53.setIdentifier), configuredWeight: t.route53.weight }));
  const drained = weights.filter((w) => w.weight === 0).length;
  const heartbeats = 'observers' in status ? status.observers : [];
  return {
    name: config.name,
    nowMs: world.clock.nowMs(),
    observers: [...config.observers],
    targets: config.targets.map((t) => t.region),
    apiObserver: apiRegion.observer,
    observerStates: world.regions.map((r) => {
      const probeLoop = heartbeats.find((o) => o.observer === r.observer)?.heartbeats.find((h) => h.kind === 'probe')?.writtenMs ?? null;
      const proposal = r.store.proposals.get(r.observer);
      return { observer: r.observer, mode: r.mode, heartbeats: { verdicts: writtenMs[r.observer] ?? null, proposal: proposal?.createdMs ?? null, probeLoop } };
    }),
    samples: samples.map((s) => ({ region: s.region, mode: s.mode, url: sampleUrls[s.region] ?? '', requests: s.requests })),
    weights,
    matrix,
    proposals,
    status,
    lastDecision: applied === null ? null : {
      decisionId: applied.decisionId, observer: applied.observer, appliedMs: applied.appliedMs, changeId: applied.changeId, lastFlipMs: applied.lastFlipMs,
      lastChange: changed === undefined || changed.changeId === null ? null : {
        changeId: changed.changeId, decisionId: changed.decisionId, observer: changed.observer, appliedMs: changed.appliedMs, route53Status: await world.dns.changeStatus(changed.changeId),
      },
    },
    safety: { minServing: config.safety.minServing, maxDrained: config.safety.maxDrained, serving: weights.length - drained, drained },
    drills: await apiRegion.store.listDrills(dashboardDrillsMax),
    audit: (await apiRegion.store.listAudit({ limit: dashboardAuditMax })).entries,
    timeline: world.timeline.since(afterSeq),
    timings: { probeIntervalMs: config.probe.intervalMs, recoveryHoldMs: config.safety.recoveryHoldMs, flipCooldownMs: config.safety.flipCooldownMs, latencyQuantile: config.probe.latencyQuantile, verdictFreshnessMs: config.probe.verdictFreshnessMs },
  };
}
