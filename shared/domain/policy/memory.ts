/**
 * Monotonic views. A decide pass sees its local replica plus the one event that woke it, so two
 * passes a few milliseconds apart can see different subsets of the evidence (the replica lags, the
 * events arrive one by one). Each proposal therefore carries what it was computed from — the newest
 * verdict snapshot header and the newest proposal of every observer it knew — and the next pass of
 * the same observer starts from that, merging by (observer, seq): a view never goes backwards, and a
 * drain proposal is not withdrawn because one pass happened to see less than the one before.
 *
 *   pass 1: replica {own ✗} ∪ event {ap ✗}  → 2 of 3 unhealthy → "drain", remembers {own, ap}
 *   pass 2: replica {own ✗} ∪ event {us …}  → remembered ap ✗ still counts (while fresh) → still "drain"
 *
 * Override ends are remembered the same way: an end seen in an event (its item not yet replicated
 * here) keeps its override ended in the next pass, instead of the override coming back for a pass
 * and a stale quorum re-applying it.
 *
 * What is remembered ages exactly like what is read: by its writer's stamps and the freshness windows.
 */
import type { FromStateVote, Override, OverrideEnd, Proposal, PeerVote, Region, TargetVerdict, VerdictSnapshot, VerdictStatus } from '../types';
import { latestSnapshots } from '../quorum/tally';
import { indexEnds } from '../overrides/overrides';

/**
 * The snapshot headers a proposal keeps: enough for a tally (status per target and the write time),
 * and for a late drain's count of failed rounds (when each target's latest round failed, if it did).
 */
export function evidenceOf(snapshots: ReadonlyMap<Region, VerdictSnapshot>, seen: ReadonlyMap<Region, number>): NonNullable<Proposal['evidence']> {
  const evidence: NonNullable<Proposal['evidence']> = {};
  for (const [observer, s] of snapshots) {
    const statuses: Record<Region, VerdictStatus> = {};
    const failedMs: Record<Region, number> = {};
    for (const [target, v] of Object.entries(s.verdicts)) {
      statuses[target] = v.status;
      if (v.consecutiveFailures > 0) failedMs[target] = v.probedMs;
    }
    const seenMs = seen.get(observer);
    evidence[observer] = { seq: s.seq, writtenMs: s.writtenMs, ...(seenMs === undefined ? {} : { seenMs }), statuses, ...(Object.keys(failedMs).length === 0 ? {} : { failedMs }) };
  }
  return evidence;
}

/** A remembered header as a snapshot: a failed latest round is one failure, probed when it was; any other is no round since the write. */
function snapshotFromEvidence(observer: Region, e: NonNullable<Proposal['evidence']>[string]): VerdictSnapshot {
  const verdicts: Record<Region, TargetVerdict> = {};
  for (const [target, status] of Object.entries(e.statuses)) {
    const failedMs = e.failedMs?.[target];
    verdicts[target] = { target, status, consecutiveFailures: failedMs === undefined ? 0 : 1, consecutivePasses: 0, latencySamplesMs: [], latencyQuantileMs: [], lastLatencyMs: null, changedMs: e.writtenMs, probedMs: failedMs ?? e.writtenMs, reason: 'remembered from an earlier pass' };
  }
  return { observer, seq: e.seq, writtenMs: e.writtenMs, verdicts };
}

/**
 * The newest snapshot per observer among those read and those the previous proposal remembered,
 * and when this observer first saw each (its own clock: `nowMs` for a snapshot newer than it remembered).
 */
export function rememberedSnapshots(snapshots: readonly VerdictSnapshot[], previous: Proposal | null, nowMs?: number): { latest: Map<Region, VerdictSnapshot>; seen: Map<Region, number> } {
  const latest = latestSnapshots(snapshots);
  const seen = new Map<Region, number>();
  for (const [observer, e] of Object.entries(previous?.evidence ?? {})) {
    const known = latest.get(observer);
    if (known === undefined || e.seq > known.seq) latest.set(observer, snapshotFromEvidence(observer, e));
    if (e.seenMs !== undefined && (known === undefined || e.seq >= known.seq)) seen.set(observer, e.seenMs);
  }
  if (nowMs !== undefined) for (const observer of latest.keys()) if (!seen.has(observer)) seen.set(observer, nowMs);
  return { latest, seen };
}

/** What a proposal says of one target, as remembered: its vote and the applied state it was made over. */
function fromStateVoteOf(t: FromStateVote): FromStateVote {
  return {
    state: t.state, cause: t.cause,
    ...(t.fromState === undefined ? {} : { fromState: t.fromState }),
    ...(t.fromSinceMs === undefined ? {} : { fromSinceMs: t.fromSinceMs }),
    ...(t.fromSeenMs === undefined ? {} : { fromSeenMs: t.fromSeenMs }),
  };
}

/** A peer's proposal as remembered: its votes, without what it remembered itself. */
export function peerVoteOf(p: Proposal): PeerVote {
  const targets: PeerVote['targets'] = {};
  for (const [target, t] of Object.entries(p.targets)) targets[target] = fromStateVoteOf(t);
  return { seq: p.seq, createdMs: p.createdMs, ...(p.configHash === undefined ? {} : { configHash: p.configHash }), ...(p.fromEpoch === undefined ? {} : { fromEpoch: p.fromEpoch }), targets };
}

function proposalFromPeer(observer: Region, v: PeerVote): Proposal {
  const targets: Proposal['targets'] = {};
  for (const [target, t] of Object.entries(v.targets)) {
    targets[target] = { target, ...fromStateVoteOf(t), reason: 'remembered from an earlier pass', tally: { target, quorum: 0, healthy: 0, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} }, healthyQuorumSinceMs: null, overrideId: null };
  }
  return { observer, seq: v.seq, createdMs: v.createdMs, ...(v.configHash === undefined ? {} : { configHash: v.configHash }), ...(v.fromEpoch === undefined ? {} : { fromEpoch: v.fromEpoch }), targets, refusals: [] };
}

/** Every observer's newest proposal among those read and those `own` remembers (by seq). */
export function rememberedProposals(proposals: readonly Proposal[], own: Proposal | null): Proposal[] {
  const latest = new Map<Region, Proposal>();
  for (const p of proposals) {
    const known = latest.get(p.observer);
    if (known === undefined || p.seq > known.seq) latest.set(p.observer, p);
  }
  for (const [observer, v] of Object.entries(own?.peers ?? {})) {
    const known = latest.get(observer);
    if (known === undefined || v.seq > known.seq) latest.set(observer, proposalFromPeer(observer, v));
  }
  return [...latest.values()];
}

/** What a new proposal remembers of its peers: their newest proposals in the view it decided from. */
export function peersOf(proposals: readonly Proposal[], self: Region): NonNullable<Proposal['peers']> {
  const peers: NonNullable<Proposal['peers']> = {};
  for (const p of rememberedProposals(proposals, null)) if (p.observer !== self) peers[p.observer] = peerVoteOf(p);
  return peers;
}

/**
 * How long an end whose override is not in the view is remembered: an end seen before its override
 * replicates here (replication takes seconds, 120 s in the slowest scenarios). The view holds only
 * unexpired overrides, so an end of an expired one looks the same and must age out too.
 */
export const unmatchedOverrideEndMemoryMs = 600_000;
/** Ends a proposal carries at most (the event schema allows 100): the newest. */
export const rememberedOverrideEndsMax = 50;

/**
 * The override ends read and those the previous proposal remembered, kept while they matter: the
 * end of an override in view that has not expired, or, for at most unmatchedOverrideEndMemoryMs, an
 * end whose override is not in view. So the list stays as short as the overrides in flight.
 */
export function rememberedOverrideEnds(ends: readonly OverrideEnd[], overrides: readonly Override[], previous: Proposal | null, nowMs: number): OverrideEnd[] {
  const kept = [...indexEnds([...(previous?.overrideEnds ?? []), ...ends]).values()].filter((end) => {
    const matching = overrides.filter((o) => o.id === end.overrideId);
    return matching.length === 0 ? nowMs - end.endedMs < unmatchedOverrideEndMemoryMs : matching.some((o) => o.expiresMs > nowMs);
  });
  return kept.sort((a, b) => b.endedMs - a.endedMs || (a.overrideId < b.overrideId ? -1 : 1)).slice(0, rememberedOverrideEndsMax)
    .sort((a, b) => (a.overrideId < b.overrideId ? -1 : a.overrideId > b.overrideId ? 1 : a.endedMs - b.endedMs));
}
