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
  appliedRecord, canonicalJson, computeProposal as computeProposalImpl, decide, latestApplied, planRoute, routingFromRecords, weightTargets, wholeZonePlan,
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
 * Drift (Route 53 showing a state another observer applied, or an out-of-band edit) needs no
 * special case: every pass reads Route 53 first and takes what it shows as the last applied state
 * (`withRouteState`). A proposal's vote to change a target counts only against the state its
 * writer saw (`fromState`), so a region whose replica lags cannot undo a newer decision, and a
 * state kept for lack of a quorum is simply what Route 53 already holds.
 *
 *   A applies "drain x" ──replication (up to ~30 s)──▶ B's replica
 *   B reads Route 53: x drained → last applied = drained; B's stale "x serving" proposals saw
 *   "serving", so they are no votes to move x away from "drained"
 *
 * A decision that changes a target is applied whole for its zone (`wholeZonePlan`), so Route 53
 * never shows half of one decision and half of another.
 */

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

  private async reconcile(decision: Decision, lastApplied: AppliedDecision | null, proposals: readonly Proposal[], nowMs: number, records: readonly RecordSetView[]) {
    const { config, dns, store, observer } = this.deps;
    // Data-plane targets (route53.mode: health-check) never reach the Route 53 control plane.
    const weighted = weightTargets(config);
    const plan = wholeZonePlan(weighted, decision.routing, records, planRoute(weighted, decision.routing, records), new Set());
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
  private async readRouteState(): Promise<RecordSetView[] | DnsError> {
    const weighted = weightTargets(this.deps.config);
    if (weighted.length === 0) return [];
    try {
      return await this.deps.dns.readRecords(weighted.map((t) => t.route53));
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      this.deps.telemetry.warn('Route 53 records unreadable; proposing from the stored last applied record, applying nothing this pass', { code: error.code, message: error.message });
      return error;
    }
  }

  /** One decide pass. Route 53 failures are reported in the outcome; the next pass retries. */
  async run(trigger?: ArbiterEvent): Promise<DecideOutcome> {
    const { config, store } = this.deps;
    const nowMs = this.deps.clock.nowMs();
    // The replica and Route 53 are read at once: a pass's latency is on the failover path.
    const [stored, records] = await Promise.all([store.readView(nowMs), this.readRouteState()]);
    let view = mergeEvent(stored, trigger);
    const lastApplied = records instanceof DnsError ? latestApplied(view.applied) : withRouteState(latestApplied(view.applied), weightTargets(config), records);
    const { proposal, written } = await this.writeProposal(view, lastApplied, nowMs);
    view = mergeEvent(view, { type: 'proposal', observer: this.deps.observer, proposal });
    const decision = decide({ config, nowMs, proposals: view.proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
    await publishVotes(this.deps, decision, nowMs); // before Route 53, which may be down: votes must not wait on it
    if (records instanceof DnsError) {
      // Route 53 could not be read: applying from the stored record alone could undo a newer decision.
      return { proposal, proposalWritten: written, decision, plan: null, applied: null, changeIds: [], error: `${records.code}: ${records.message} (records unreadable; the next pass retries)` };
    }
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
