/**
 * The decide side of an observer: read, propose, decide, reconcile Route 53.
 *
 *   view = local replica ∪ triggering event
 *   proposal = computeProposal(view)          → written + published when it changes or is due
 *   decision = decide(every fresh proposal)   → a quorum per target, else the last state holds
 *   plan     = planRoute(decision, Route 53)  → UPSERT what differs, tagged with the decision id
 *
 * Running it twice, or in every region at once, is harmless: the plan of a state Route 53
 * already shows is empty, and each region writes only its own items.
 */
import {
  appliedRecord, canonicalJson, computeProposal as computeProposalImpl, decide, latestApplied, planRoute, quorumSize, routingFromRecords, weightTargets, wholeZonePlan,
  type RecordSetView, type Routing, type TargetConfig,
  type AppliedDecision, type ArbiterEvent, type Decision, type Proposal, type RoutePlan,
} from '../domain';
import { DnsError, type AuditEntry, type StoreView } from '../ports';
import type { ObserverDeps } from './deps';
import { mergeEvent } from './view';
import { publishVotes } from './dataplane-votes';

export interface DecideOutcome {
  proposal: Proposal;
  proposalWritten: boolean;
  decision: Decision;
  plan: RoutePlan | null;
  applied: AppliedDecision | null;
  changeIds: string[];
  error: string | null;
}

function proposalKey(p: Proposal | undefined): string {
  if (p === undefined) return '';
  // A change in whether a healthy quorum is being timed must be written too, or the recovery hold restarts every pass.
  return canonicalJson({ t: Object.values(p.targets).map((t) => [t.target, t.state, t.cause, t.healthyQuorumSinceMs !== null]), r: p.refusals.map((r) => [r.target, r.rule]) });
}

/**
 * Drift: Route 53 shows, for a target, a state other than the last applied decision this observer
 * knows, and this pass's decision would put it back. Most often another observer applied a newer
 * decision that has not replicated here yet (lag spikes reach tens of seconds); undoing it from a
 * stale view flaps the target. So a pass changes a target at once only when its decision moves
 * away from the last applied state (a quorum of proposals that saw that state); a repair of drift
 * waits until the same drift has been seen for `driftRepairAfterMs`, longer than replication lag,
 * and is then applied (a lost apply, an out-of-band edit).
 *
 *   A applies "drain x" ──replication (up to ~30 s)──▶ B's replica
 *   B (view still "x serving") reads Route 53: x drained → drift, held ... B's replica catches up → no drift
 *
 * A repair is made only toward a state a quorum of proposals supports: a state kept for lack of a
 * quorum (fail static) never overwrites what Route 53 holds, since the "last applied" record it
 * comes from is ordered by the deciders' clocks, which may be skewed.
 * Only a pass whose decision changes nothing holds a repair: a decision that changes a target is
 * applied whole, so Route 53 never shows half of one decision and half of another.
 * The first sighting lives in memory per config object (a Lambda container, a simulated world):
 * a new container starts the wait again, which only delays a repair, never hastens one.
 */
export const driftRepairAfterMs = 90_000;

const driftSightings = new WeakMap<object, Map<string, number>>();

export class DecideRuntime {
  constructor(private readonly deps: ObserverDeps) {}

  private ownLatest(view: StoreView): Proposal | undefined {
    return view.proposals.filter((p) => p.observer === this.deps.observer).sort((a, b) => b.seq - a.seq)[0];
  }

  private async writeProposal(view: StoreView, lastApplied: AppliedDecision | null, nowMs: number): Promise<{ proposal: Proposal; written: boolean; previous: Proposal | undefined }> {
    const { config, observer } = this.deps;
    const previous = this.ownLatest(view);
    const proposal = computeProposalFor(this.deps, view, lastApplied, nowMs, previous);
    const refreshDue = previous === undefined || nowMs - previous.createdMs >= config.probe.verdictRefreshMs;
    if (!refreshDue && proposalKey(previous) === proposalKey(proposal)) return { proposal: previous!, written: false, previous };
    await this.deps.store.putProposal(proposal);
    if (proposalKey(previous) !== proposalKey(proposal) || refreshDue) {
      await this.deps.bus.publish([{ type: 'proposal', observer, proposal }]);
    }
    const newRefusals = proposal.refusals.filter((r) => !previous?.refusals.some((p) => p.target === r.target && p.rule === r.rule));
    for (const refusal of newRefusals) {
      this.deps.telemetry.warn('safety rule refused an automatic action', { ...refusal });
      this.deps.telemetry.metric('SafetyRefusals', 1, 'Count');
      // One id per refused target and rule: two refusals in one pass must not collide on the audit key.
      await this.audit({ kind: 'refusal', actor: 'arbiter', summary: refusal.message, details: { ...refusal, proposalSeq: proposal.seq } }, nowMs, `${refusal.target}-${refusal.rule}`);
    }
    return { proposal, written: true, previous };
  }

  private async audit(entry: Omit<AuditEntry, 'id' | 'atMs' | 'observer'>, nowMs: number, idSuffix?: string): Promise<void> {
    const id = `${nowMs.toString().padStart(15, '0')}-${this.deps.observer}-${entry.kind}-${idSuffix ?? Math.floor(nowMs % 1e6)}`;
    await this.deps.store.appendAudit({ ...entry, id, atMs: nowMs, observer: this.deps.observer });
  }

  /** The targets whose drift repair must wait (seen for less than `driftRepairAfterMs`). */
  private heldDrift(plan: RoutePlan, decision: Decision, lastApplied: AppliedDecision | null, nowMs: number): Set<string> {
    const seen = driftSightings.get(this.deps.config) ?? new Map<string, number>();
    driftSightings.set(this.deps.config, seen);
    const key = (target: string) => `${this.deps.observer}|${target}`;
    const drifting = new Set(plan.changes.filter((c) => decision.routing[c.target] === (lastApplied?.routing[c.target] ?? 'serving')).map((c) => c.target));
    for (const { region } of this.deps.config.targets) if (!drifting.has(region)) seen.delete(key(region));
    if (decision.changed.length > 0) return new Set();
    const held = new Set<string>();
    const quorum = quorumSize(this.deps.config.observers.length);
    for (const target of drifting) {
      // Fail static means the state Route 53 holds: a state kept only for lack of a quorum (no
      // supporters) is never written back over it, however old the drift.
      if ((decision.supporters[target]?.length ?? 0) < quorum) {
        held.add(target);
        continue;
      }
      const firstSeenMs = seen.get(key(target)) ?? nowMs;
      seen.set(key(target), firstSeenMs);
      if (nowMs - firstSeenMs < driftRepairAfterMs) held.add(target);
    }
    if (held.size > 0) this.deps.telemetry.warn('Route 53 differs from the last applied decision known here; holding the repair while replication catches up', { targets: [...held], driftRepairAfterMs });
    return held;
  }

  private async reconcile(decision: Decision, lastApplied: AppliedDecision | null, proposals: readonly Proposal[], nowMs: number, recordsRead: RecordSetView[] | null) {
    const { config, dns, store, observer } = this.deps;
    // Data-plane targets (route53.mode: health-check) never reach the Route 53 control plane.
    const weighted = weightTargets(config);
    const records = recordsRead ?? (weighted.length === 0 ? [] : await dns.readRecords(weighted.map((t) => t.route53)));
    const planned = planRoute(weighted, decision.routing, records);
    const held = this.heldDrift(planned, decision, lastApplied, nowMs);
    const plan = wholeZonePlan(weighted, decision.routing, records, planned, held);
    if (plan.missing.length > 0) this.deps.telemetry.error('bound Route 53 records not found', { missing: plan.missing });
    const changeIds: string[] = [];
    for (const [zone, changes] of Object.entries(plan.byZone)) {
      const { changeId } = await dns.applyChanges(zone, changes, decision.id);
      changeIds.push(changeId);
    }
    const routingChanged = decision.changed.length > 0;
    if (changeIds.length === 0 && !routingChanged) return { plan, applied: null, changeIds };
    const applied = appliedRecord(observer, decision, lastApplied, changeIds[0] ?? null, this.deps.clock.nowMs());
    await store.putApplied(applied);
    await this.deps.bus.publish([{ type: 'applied', observer, applied }]);
    if (changeIds.length > 0) {
      this.deps.telemetry.info('applied decision to Route 53', { decisionId: decision.id, changes: plan.changes.filter((c) => c.fromWeight !== c.toWeight).map((c) => `${c.target}:${c.fromWeight}->${c.toWeight}`), changeIds });
      this.deps.telemetry.metric('DecisionsApplied', 1, 'Count');
      await this.audit({
        kind: 'decision-applied', actor: 'arbiter',
        summary: plan.changes.filter((c) => c.fromWeight !== c.toWeight).map((c) => `${c.target} weight ${c.fromWeight} → ${c.toWeight}`).join(', '),
        details: { decisionId: decision.id, routing: decision.routing, supporters: decision.supporters, changeIds, proposals: proposals.map((p) => ({ observer: p.observer, seq: p.seq, createdMs: p.createdMs })) },
      }, nowMs, decision.id);
    }
    return { plan, applied, changeIds };
  }

  /**
   * What Route 53 holds now, read before proposing: it is the state actually applied. The applied
   * records in the store are ordered by their deciders' clocks, which may be skewed, so a region
   * could otherwise take an older decision for the newest. Null when Route 53 cannot be read (the
   * stored records then stand in; the apply will fail and be retried anyway).
   */
  private async readRouteState(): Promise<RecordSetView[] | null> {
    const weighted = weightTargets(this.deps.config);
    if (weighted.length === 0) return [];
    try {
      return await this.deps.dns.readRecords(weighted.map((t) => t.route53));
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      this.deps.telemetry.warn('Route 53 records unreadable; using the last applied record in the store', { code: error.code });
      return null;
    }
  }

  /** One decide pass. Route 53 failures are reported in the outcome; the next pass retries. */
  async run(trigger?: ArbiterEvent): Promise<DecideOutcome> {
    const { config, store } = this.deps;
    const nowMs = this.deps.clock.nowMs();
    // The replica and Route 53 are read at once: a pass's latency is on the failover path.
    const [stored, records] = await Promise.all([store.readView(nowMs), this.readRouteState()]);
    let view = mergeEvent(stored, trigger);
    const lastApplied = records === null ? latestApplied(view.applied) : withRouteState(latestApplied(view.applied), weightTargets(config), records);
    const { proposal, written } = await this.writeProposal(view, lastApplied, nowMs);
    view = mergeEvent(view, { type: 'proposal', observer: this.deps.observer, proposal });
    const decision = decide({ config, nowMs, proposals: view.proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
    await publishVotes(this.deps, decision, nowMs); // before Route 53, which may be down: votes must not wait on it
    try {
      const { plan, applied, changeIds } = await this.reconcile(decision, lastApplied, view.proposals, nowMs, records);
      return { proposal, proposalWritten: written, decision, plan, applied, changeIds, error: null };
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      this.deps.telemetry.error('Route 53 change failed; the next reconcile retries', { decisionId: decision.id, code: error.code, message: error.message });
      this.deps.telemetry.metric('ApplyFailures', 1, 'Count');
      return { proposal, proposalWritten: written, decision, plan: null, applied: null, changeIds: [], error: `${error.code}: ${error.message}` };
    }
  }
}

function computeProposalFor(deps: ObserverDeps, view: StoreView, lastApplied: AppliedDecision | null, nowMs: number, previous: Proposal | undefined): Proposal {
  return computeProposalImpl({
    config: deps.config,
    observer: deps.observer,
    nowMs,
    seq: (previous?.seq ?? 0) + 1,
    snapshots: view.snapshots,
    overrides: view.overrides,
    overrideEnds: view.overrideEnds,
    signals: view.signals,
    lastApplied,
    previous: previous ?? null,
  });
}


/**
 * The last applied decision with each weighted target's state as Route 53 shows it. Where the two
 * differ, the flip time is taken as the stored decision's (unknown otherwise): hysteresis then
 * counts from no later than the real flip.
 */
export function withRouteState(stored: AppliedDecision | null, weighted: readonly TargetConfig[], records: readonly RecordSetView[]): AppliedDecision | null {
  const shown = routingFromRecords(weighted, records);
  const routing: Routing = { ...(stored?.routing ?? {}) };
  const lastFlipMs: Record<string, number | null> = { ...(stored?.lastFlipMs ?? {}) };
  let differs = false;
  for (const target of weighted) {
    const state = shown[target.region];
    if (state === null || state === undefined || state === (routing[target.region] ?? 'serving')) continue;
    routing[target.region] = state;
    lastFlipMs[target.region] = stored?.decidedMs ?? null;
    differs = true;
  }
  if (!differs) return stored;
  return { observer: stored?.observer ?? 'route53', decisionId: stored?.decisionId ?? 'route53-state', decidedMs: stored?.decidedMs ?? 0, appliedMs: stored?.appliedMs ?? 0, changeId: stored?.changeId ?? null, routing, lastFlipMs };
}
