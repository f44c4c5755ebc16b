/** What the dashboard shows, read from the local control plane in one JSON document. */
import type { Region } from '../../shared/domain';
import type { DrillRecord } from '../../shared/ports';
import type { StatusBody } from '../../shared/runtime/operator/status';
import type { LocalWorld } from './local-world';
import type { SampleApp, SampleMode } from './sample-app';
import type { TimelineEntry } from './timeline';

/** Drill reports shown. */
export const dashboardDrillsMax = 8;

export interface MatrixCell {
  observer: Region;
  target: Region;
  status: 'healthy' | 'suspect' | 'unhealthy' | 'unknown';
  reason: string;
  latencyMs: number | null;
  quantileMs: number | null;
  probedMs: number | null;
}

export interface DashboardState {
  name: string;
  nowMs: number;
  observers: Region[];
  targets: Region[];
  apiObserver: Region;
  samples: Array<{ region: Region; mode: SampleMode; url: string; requests: number }>;
  weights: Array<{ target: Region; setIdentifier: string; weight: number | null; configuredWeight: number }>;
  matrix: MatrixCell[];
  proposals: Array<{ observer: Region; seq: number; createdMs: number; targets: Record<Region, { state: string; cause: string; reason: string }> } | { observer: Region; seq: null }>;
  status: StatusBody | { error: string };
  drills: DrillRecord[];
  timeline: TimelineEntry[];
  timings: { probeIntervalMs: number; recoveryHoldMs: number; flipCooldownMs: number };
}

/**
 * Reads the state: verdicts from each observer's own replica, the status as the API's first
 * observer answers it (through handleApiRequest), weights from the Route 53 stand-in.
 */
export async function readDashboardState(world: LocalWorld, samples: readonly SampleApp[], sampleUrls: Record<Region, string>, afterSeq: number): Promise<DashboardState> {
  const { config } = world;
  const apiRegion = world.regions[0]!;
  const statusResponse = await world.api(apiRegion.observer, { method: 'GET', path: '/status', headers: {}, query: {}, body: null, principal: 'local:dashboard', requestId: 'dashboard' });
  const matrix: MatrixCell[] = [];
  const proposals: DashboardState['proposals'] = [];
  for (const region of world.regions) {
    const snapshot = await region.store.readOwnSnapshot(region.observer);
    for (const target of config.targets) {
      const verdict = snapshot?.verdicts[target.region];
      matrix.push({
        observer: region.observer,
        target: target.region,
        status: verdict?.status ?? 'unknown',
        reason: verdict?.reason ?? 'no verdict yet',
        latencyMs: verdict?.lastLatencyMs ?? null,
        quantileMs: verdict?.latencyQuantileMs[0] ?? null,
        probedMs: verdict?.probedMs ?? null,
      });
    }
    const proposal = region.store.proposals.get(region.observer);
    proposals.push(proposal === undefined ? { observer: region.observer, seq: null } : { observer: region.observer, seq: proposal.seq, createdMs: proposal.createdMs, targets: Object.fromEntries(Object.entries(proposal.targets).map(([t, p]) => [t, { state: p.state, cause: p.cause, reason: p.reason }])) });
  }
  return {
    name: config.name,
    nowMs: world.clock.nowMs(),
    observers: [...config.observers],
    targets: config.targets.map((t) => t.region),
    apiObserver: apiRegion.observer,
    samples: samples.map((s) => ({ region: s.region, mode: s.mode, url: sampleUrls[s.region] ?? '', requests: s.requests })),
    weights: config.targets.map((t) => ({ target: t.region, setIdentifier: t.route53.setIdentifier, weight: world.dns.weightOf(t.route53.setIdentifier), configuredWeight: t.route53.weight })),
    matrix,
    proposals,
    status: statusResponse.statusCode === 200 ? (statusResponse.body as StatusBody) : { error: JSON.stringify(statusResponse.body) },
    drills: await apiRegion.store.listDrills(dashboardDrillsMax),
    timeline: world.timeline.since(afterSeq),
    timings: { probeIntervalMs: config.probe.intervalMs, recoveryHoldMs: config.safety.recoveryHoldMs, flipCooldownMs: config.safety.flipCooldownMs },
  };
}
