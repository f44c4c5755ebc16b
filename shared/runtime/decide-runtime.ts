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
  appliedRecord, canonicalJson, computeProposal as computeProposalImpl, decide, latestApplied, planRoute, routingFromRecords, weightTargets,
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
 * When Route 53 shows, for a target this pass would change, a state this observer's replica never
 * saw applied ("drift"), another observer has most likely applied a newer decision that has not
 * replicated here yet (or this pass was slow: throttled, retried). Undoing it from a stale view
 * flaps the target, so the pass waits once, re-reads its replica and decides again; drift that is
 * still there afterwards is repaired (a lost apply, an out-of-band edit).
 *
 *   A applies "serve x" ──replication (~1 s)──▶ B's replica
 *   B (view still "x drained") reads Route 53: x serving → wait driftSettleMs, re-read → serve x
 */
export const driftSettleMs = 5_000;

export class DecideRuntime {
  constructor(private readonly deps: ObserverDeps) {}

  private ownLatest(view: StoreView): Proposal | undefined {
    return view.proposals.filter((p) => p.observer === this.deps.observer).sort((a, b) => b.seq - a.seq)[0];
  }

  private async writeProposal(view: StoreView, nowMs: number): Promise<{ proposal: Proposal; written: boolean; previous: Proposal | undefined }> {
    const { config, observer } = this.deps;
    const previous = this.ownLatest(view);
    const proposal = computeProposalFor(this.deps, view, nowMs, previous);
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

  private async reconcile(decision: Decision, lastApplied: AppliedDecision | null, proposals: readonly Proposal[], nowMs: number, settle = false) {
    const { config, dns, store, observer } = this.deps;
    // Data-plane targets (route53.mode: health-check) never reach the Route 53 control plane.
    const weighted = weightTargets(config);
    const records = weighted.length === 0 ? [] : await dns.readRecords(weighted.map((t) => t.route53));
    const plan = planRoute(weighted, decision.routing, records);
    if (settle && drifted(plan, lastApplied, routingFromRecords(weighted, records))) return { plan, applied: null, changeIds: [], drift: true };
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
      this.deps.telemetry.info('applied decision to Route 53', { decisionId: decision.id, changes: plan.changes.map((c) => `${c.target}:${c.fromWeight}->${c.toWeight}`), changeIds });
      this.deps.telemetry.metric('DecisionsApplied', 1, 'Count');
      await this.audit({
        kind: 'decision-applied', actor: 'arbiter',
        summary: plan.changes.map((c) => `${c.target} weight ${c.fromWeight} → ${c.toWeight}`).join(', '),
        details: { decisionId: decision.id, routing: decision.routing, supporters: decision.supporters, changeIds, proposals: proposals.map((p) => ({ observer: p.observer, seq: p.seq, createdMs: p.createdMs })) },
      }, nowMs, decision.id);
    }
    return { plan, applied, changeIds };
  }

  /** One decide pass. Route 53 failures are reported in the outcome; the next pass retries. */
  async run(trigger?: ArbiterEvent): Promise<DecideOutcome> {
    const { config, store } = this.deps;
    const nowMs = this.deps.clock.nowMs();
    let view = mergeEvent(await store.readView(nowMs), trigger);
    const { proposal, written } = await this.writeProposal(view, nowMs);
    view = mergeEvent(view, { type: 'proposal', observer: this.deps.observer, proposal });
    let lastApplied = latestApplied(view.applied);
    let decision = decide({ config, nowMs, proposals: view.proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
    await publishVotes(this.deps, decision, nowMs); // before Route 53, which may be down: votes must not wait on it
    try {
      const first = await this.reconcile(decision, lastApplied, view.proposals, nowMs, true);
      if (!('drift' in first)) return { proposal, proposalWritten: written, decision, plan: first.plan, applied: first.applied, changeIds: first.changeIds, error: null };
      this.deps.telemetry.warn('Route 53 differs from the last applied decision; waiting for replication before reconciling', { settleMs: driftSettleMs });
      await this.deps.clock.sleepMs(driftSettleMs);
      const settledMs = this.deps.clock.nowMs();
      view = mergeEvent(mergeEvent(await store.readView(settledMs), trigger), { type: 'proposal', observer: this.deps.observer, proposal });
      lastApplied = latestApplied(view.applied);
      decision = decide({ config, nowMs: settledMs, proposals: view.proposals, lastApplied, proposalFreshnessMs: config.probe.verdictFreshnessMs });
      const { plan, applied, changeIds } = await this.reconcile(decision, lastApplied, view.proposals, settledMs);
      return { proposal, proposalWritten: written, decision, plan, applied, changeIds, error: null };
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      this.deps.telemetry.error('Route 53 change failed; the next reconcile retries', { decisionId: decision.id, code: error.code, message: error.message });
      this.deps.telemetry.metric('ApplyFailures', 1, 'Count');
      return { proposal, proposalWritten: written, decision, plan: null, applied: null, changeIds: [], error: `${error.code}: ${error.message}` };
    }
  }
}

/** Route 53 shows, for a target the plan would change, a state other than the last applied one. */
function drifted(plan: RoutePlan, lastApplied: AppliedDecision | null, shown: Record<string, 'serving' | 'drained' | null>): boolean {
  return plan.changes.some((c) => shown[c.target] !== null && shown[c.target] !== (lastApplied?.routing[c.target] ?? 'serving'));
}

function computeProposalFor(deps: ObserverDeps, view: StoreView, nowMs: number, previous: Proposal | undefined): Proposal {
  return computeProposalImpl({
    config: deps.config,
    observer: deps.observer,
    nowMs,
    seq: (previous?.seq ?? 0) + 1,
    snapshots: view.snapshots,
    overrides: view.overrides,
    overrideEnds: view.overrideEnds,
    signals: view.signals,
    lastApplied: latestApplied(view.applied),
    previous: previous ?? null,
  });
}
