/**
 * The decide side of an observer: read, propose, decide, reconcile Route 53.
 *
 *   view     = local replica ∪ triggering event
 *   last     = newest applied record in the view (ordered by Route 53's change count, no clock)
 *   proposal = computeProposal(view, last)     → written + published when it changes or is due
 *   decision = decide(every fresh proposal)    → a quorum per target, else the last state holds;
 *                                                and never a change this observer does not vote for
 *   apply    = only when the decision changes something, or on the scheduled pass: take Route 53's
 *              state (weights + register) from the newest applied record, or read it (a scheduled
 *              pass with nothing to change, and a retry, read), re-propose and re-decide from it, plan, and send
 *              one compare-and-swap batch per zone (the register's exact DELETE + CREATE with the
 *              weights). A batch planned from a stale read is refused whole (`conflict`): the pass
 *              re-reads and re-plans once; a second refusal is left to the next pass.
 *
 * Route 53 is called only when there may be something to do, and a change usually costs one call,
 * so a storm of events does not become a storm of calls against the account's Route 53 quota.
 */
import {
  adoptedRecord, appliedFromRoute53, appliedRecord, canonicalJson, dataPlaneTargets, evaluateProbe, gateVotes, stepVerdict, configHash, latestSnapshots, peersOf, rememberedProposals, rememberedSnapshots, computeProposal as computeProposalImpl, decide, latestApplied, nextRegister, normaliseZoneId, planRoute, quorumSize,
  recordsAfter, registerName, routingFromRecords, unvotedDrains, votedDrains, drainVotedMs, weightTargets, wholeZonePlan, zonesOf,
  type RecordSetView, type Region, type RegisterSwap, type AppliedDecision, type ArbiterEvent, type Decision, type Proposal, type RoutePlan, type VerdictSnapshot,
} from '../domain';
import { ConflictError, DnsError, type AuditEntry, type RegisterRef, type StoreView } from '../ports';
import type { ObserverDeps } from './deps';
import { mergeEvent } from './view';

/** Compare-and-swap attempts per pass: one plan, and one re-plan after a refused batch. */
export const applyAttemptsMax = 2;
/** Passes per invocation when a concurrent pass of the same region wins the proposal write. */
export const passAttemptsMax = 3;
/** Waits before passing again when Route 53 was throttled or unavailable (within decide's 30 s timeout). */
export const applyRetryDelaysMs = [3_000, 6_000] as const;
/** A probe drain is late once this observer's own unhealthy verdict is older than this many probe rounds. */
export const lateDrainRounds = 2;
/**
 * An answer from Route 53 (a result, or a refusal other than unavailable) seen by this container
 * within this long, with no "unavailable" since, lets a late drain skip its fresh read: Route 53 is
 * answering, so the probe the drain follows follows any outage. Without it every new invocation
 * during a throttling storm spent the one token Route 53 refilled on that read, and its change was
 * throttled (failover-route53-throttling-storm, detect p95 29.8 s against the baseline's 29.5 s).
 */
export const route53AnswerFreshMs = 10_000;
/**
 * How long a late drain waits, after this observer's confirming probe, for peers' rounds sent since
 * (one probe interval, a probe's timeout, and time for their snapshots to replicate), at most.
 */
export function lateEvidenceWaitMs(intervalMs: number, timeoutMs: number): number {
  return Math.min(intervalMs + timeoutMs + 2_000, 15_000);
}
/** How often a late drain re-reads the store while it waits for peers' rounds. */
export const lateEvidencePollMs = 1_000;
const retryableDnsCodes: ReadonlySet<string> = new Set(['throttled', 'unavailable', 'prior-request']);

export interface DecideOutcome {
  proposal: Proposal;
  proposalWritten: boolean;
  decision: Decision;
  plan: RoutePlan | null;
  applied: AppliedDecision | null;
  changeIds: string[];
  error: string | null;
  /** The change failed for a reason that may pass in seconds (throttling, an outage). */
  retryable?: boolean;
}

/**
 * What the proposal remembers that ages: a newer snapshot of an observer that judges something
 * failing is stored (not published) so that when it was first seen keeps it counting (tally); so is
 * an override end it learnt (from an event, before its replica has it), or the next pass forgets it.
 */
function memoryKey(p: Proposal | undefined): string {
  if (p === undefined) return '';
  return canonicalJson({
    e: Object.entries(p.evidence ?? {}).filter(([, e]) => Object.values(e.statuses).some((s) => s !== 'healthy')).map(([o, e]) => [o, e.seq]),
    o: (p.overrideEnds ?? []).map((end) => end.overrideId),
    v: p.votedDrains ?? {},
  });
}

function proposalKey(p: Proposal | undefined): string {
  if (p === undefined) return '';
  // A change in whether a healthy quorum is being timed must be written too, or the recovery hold restarts every pass.
  // A proposal made against another applied state (epoch) must be written again, or its votes to change do not count.
  return canonicalJson({ e: p.fromEpoch ?? null, t: Object.values(p.targets).map((t) => [t.target, t.state, t.cause, t.fromState, t.fromSinceMs ?? null, t.fromSeenMs ?? null, t.healthyQuorumSinceMs !== null, t.ownRoundPassed === true]), r: p.refusals.map((r) => [r.target, r.rule]) });
}

export class DecideRuntime {
  /** Route 53 answered this invocation (a result, or a refusal other than unavailable): a late drain's probe that follows it follows any outage. */
  private route53Answered = false;
  /** When this container (one runtime per Lambda container, kept across invocations) last heard Route 53 answer, and last found it unavailable. */
  private route53LastAnswerMs: number | null = null;
  private route53LastUnavailableMs: number | null = null;

  /** Route 53 answered in this invocation, or recently in this container with no "unavailable" since (route53AnswerFreshMs). */
  private route53Answering(nowMs: number): boolean {
    if (this.route53Answered) return true;
    const answer = this.route53LastAnswerMs;
    const unavailable = this.route53LastUnavailableMs;
    return answer !== null && nowMs - answer <= route53AnswerFreshMs && (unavailable === null || unavailable < answer);
  }

  private noteRoute53(answered: boolean): void {
    if (answered) {
      this.route53Answered = true;
      this.route53LastAnswerMs = this.deps.clock.nowMs();
    } else {
      this.route53LastUnavailableMs = this.deps.clock.nowMs();
    }
  }

  constructor(private readonly deps: ObserverDeps) {}

  private ownLatest(view: StoreView): Proposal | undefined {
    return view.proposals.filter((p) => p.observer === this.deps.observer).sort((a, b) => b.seq - a.seq)[0];
  }

  private async writeProposal(proposal: Proposal, previous: Proposal | undefined, nowMs: number): Promise<{ proposal: Proposal; written: boolean }> {
    const { config, observer } = this.deps;
    const refreshDue = previous === undefined || nowMs - previous.createdMs >= config.probe.verdictRefreshMs;
    const votesChanged = proposalKey(previous) !== proposalKey(proposal);
    if (!refreshDue && !votesChanged && memoryKey(previous) === memoryKey(proposal)) return { proposal: previous!, written: false };
    await this.deps.store.putProposal(proposal);
    // Peers are woken only by a change of votes (or the refresh), not by what this observer remembers.
    if (refreshDue || votesChanged) await this.deps.bus.publish([{ type: 'proposal', observer, proposal }]);
    const newRefusals = proposal.refusals.filter((r) => !previous?.refusals.some((p) => p.target === r.target && p.rule === r.rule));
    for (const refusal of newRefusals) {
      this.deps.telemetry.warn('safety rule refused an automatic action', { ...refusal });
      this.deps.telemetry.metric('SafetyRefusals', 1, 'Count');
      // One id per refused target and rule: two refusals in one pass must not collide on the audit key.
      await this.audit({ kind: 'refusal', actor: 'arbiter', summary: refusal.message, details: { ...refusal, proposalSeq: proposal.seq } }, nowMs, `${refusal.target}-${refusal.rule}`);
    }
    return { proposal, written: true };
  }

  private async audit(entry: Omit<AuditEntry, 'id' | 'atMs' | 'observer'>, nowMs: number, idSuffix?: string): Promise<void> {
    const id = `${nowMs.toString().padStart(15, '0')}-${this.deps.observer}-${entry.kind}-${idSuffix ?? Math.floor(nowMs % 1e6)}`;
    await this.deps.store.appendAudit({ ...entry, id, atMs: nowMs, observer: this.deps.observer });
  }

  private registers(): RegisterRef[] {
    const weighted = weightTargets(this.deps.config);
    return zonesOf(weighted).map((zone) => ({ hostedZoneId: zone, name: registerName(zone, weighted)! }));
  }

  /** What Route 53 holds now (weights and registers), or the error that kept it from being read. */
  private async readRoute53(): Promise<RecordSetView[] | DnsError> {
    const weighted = weightTargets(this.deps.config);
    try {
      const records = await this.deps.dns.readRecords(weighted.map((t) => t.route53), this.registers());
      this.noteRoute53(true);
      return records;
    } catch (error) {
      if (!(error instanceof DnsError)) throw error;
      this.noteRoute53(error.code !== 'unavailable');
      this.deps.telemetry.warn('Route 53 records unreadable; applying nothing this pass', { code: error.code, message: error.message });
      return error;
    }
  }

  /**
   * The last applied state: weight targets as Route 53 shows them (weights, and the registers'
   * hysteresis times); data-plane targets, whose votes are their application, as the newest
   * applied record says.
   */
  private appliedShown(records: readonly RecordSetView[], nowMs: number, stored: AppliedDecision | null): AppliedDecision {
    const weighted = weightTargets(this.deps.config);
    const shown = appliedFromRoute53(weighted, records, routingFromRecords(weighted, records), nowMs);
    if (stored === null) return shown;
    const voted = this.deps.config.targets.filter((t) => !weighted.includes(t)).map((t) => t.region);
    const pick = <T>(from: Record<string, T> | undefined, into: Record<string, T>) => Object.fromEntries([...Object.entries(into), ...voted.filter((t) => from?.[t] !== undefined).map((t) => [t, from![t]!] as const)]);
    return { ...shown, routing: pick(stored.routing, shown.routing), lastFlipMs: pick(stored.lastFlipMs, shown.lastFlipMs), lastRestoreMs: pick(stored.lastRestoreMs ?? {}, shown.lastRestoreMs ?? {}) };
  }

  /**
   * Applies a decision against the Route 53 state it was planned from: one batch per zone that
   * changes, each carrying its register swap. Returns the change ids, or throws DnsError.
   */
  private async applyPlanned(decision: Decision, shown: AppliedDecision, records: readonly RecordSetView[]): Promise<{ plan: RoutePlan; changeIds: string[]; after: RecordSetView[] }> {
    const weighted = weightTargets(this.deps.config);
    const plan = wholeZonePlan(weighted, decision.routing, records, planRoute(weighted, decision.routing, records), new Set());
    if (plan.missing.length > 0) this.deps.telemetry.error('bound Route 53 records not found', { missing: plan.missing });
    const changeIds: string[] = [];
    const swaps: RegisterSwap[] = [];
    let after: RecordSetView[] = [...records];
    for (const [zone, changes] of Object.entries(plan.byZone)) {
      // Stamped just before sending: the flip happens no earlier than this.
      const register = nextRegister(normaliseZoneId(zone), weighted, records, shown, decision.routing, decision.id, this.deps.clock.nowMs()) ?? undefined;
      const { changeId } = await this.deps.dns.applyChanges(zone, changes, decision.id, register);
      changeIds.push(changeId);
      if (register !== undefined) swaps.push(register);
      after = recordsAfter(after, changes, register === undefined ? [] : [register]);
    }
    return { plan, changeIds, after };
  }

  private async recordApplied(decision: Decision, shown: AppliedDecision, plan: RoutePlan, changeIds: string[], after: RecordSetView[], proposals: readonly Proposal[], nowMs: number, ownSnapshot: VerdictSnapshot | null): Promise<AppliedDecision> {
    const { store, observer } = this.deps;
    const unvoted = unvotedDrains({ config: this.deps.config, nowMs, lastApplied: shown, proposals, observer: this.deps.observer, ownSnapshot });
    const applied = { ...appliedRecord(observer, decision, shown, changeIds[0] ?? null, this.deps.clock.nowMs(), (shown.epoch ?? 0) + changeIds.length, unvoted), route53: after };
    await store.putApplied(applied);
    await this.deps.bus.publish([{ type: 'applied', observer, applied }]);
    if (changeIds.length === 0) return applied;
    const moved = plan.changes.filter((c) => c.fromWeight !== c.toWeight).map((c) => `${c.target} weight ${c.fromWeight} → ${c.toWeight}`);
    this.deps.telemetry.info('applied decision to Route 53', { decisionId: decision.id, changes: moved, changeIds });
    this.deps.telemetry.metric('DecisionsApplied', 1, 'Count');
    await this.audit({
      kind: 'decision-applied', actor: 'arbiter', summary: moved.join(', '),
      details: { decisionId: decision.id, routing: decision.routing, supporters: decision.supporters, changeIds, epoch: applied.epoch, proposals: proposals.map((p) => ({ observer: p.observer, seq: p.seq, createdMs: p.createdMs })) },
    }, nowMs, decision.id);
    return applied;
  }

  /** Weight targets the decision drains on probe evidence (not an alarm, not an operator) that Route 53 still shows serving. */
  private probeDrains(decision: Decision, shown: AppliedDecision | null, proposal: Proposal): Region[] {
    return decision.changed.filter((t) => decision.routing[t] === 'drained' && (shown?.routing[t] ?? 'serving') === 'serving'
      && weightTargets(this.deps.config).some((w) => w.region === t)
      && proposal.targets[t]?.cause === 'quorum-unhealthy');
  }

  /** Probe drains whose target passed this observer's latest probe round. */
  private answeringNow(view: StoreView, drains: readonly Region[]): Region[] {
    const own = latestSnapshots(view.snapshots).get(this.deps.observer);
    return own === undefined ? [] : drains.filter((t) => (own.verdicts[t]?.consecutivePasses ?? 0) > 0);
  }

  /**
   * Probe drains that are late: this observer did not itself judge the target unhealthy within the
   * last lateDrainRounds rounds. A drain that waited (Route 53 down or throttled, a slow quorum) may
   * outlive its fault, so it is sent only after Route 53 has answered (route53Answering; else it is
   * read first, and a read refused by throttling counts), on a probe of the target taken after that
   * answer (answeringProbe), and when a quorum of rounds sent since that probe fails it
   * (unconfirmedLate).
   */
  private lateDrains(view: StoreView, drains: readonly Region[], nowMs: number): Region[] {
    const own = latestSnapshots(view.snapshots).get(this.deps.observer);
    const lateMs = lateDrainRounds * this.deps.config.probe.intervalMs;
    return drains.filter((t) => {
      const verdict = own?.verdicts[t];
      return verdict === undefined || verdict.status !== 'unhealthy' || nowMs - verdict.changedMs > lateMs;
    });
  }

  /**
   * The targets of `targets` that pass a probe of every endpoint now, judged as a probe round is:
   * stepped through this observer's own verdict (availability, and the latency window for a gray
   * failure), so a target that answers slowly still fails. A target this observer has no verdict
   * for passes when every endpoint passes.
   */
  private async answeringProbe(view: StoreView, targets: readonly Region[]): Promise<Region[]> {
    const own = latestSnapshots(view.snapshots).get(this.deps.observer);
    // Every target at once: a down target's probe takes its whole timeout, and the drains wait for the slowest.
    const passed = await Promise.all(targets.map(async (region) => {
      const target = this.deps.config.targets.find((t) => t.region === region);
      if (target === undefined) return false;
      const results = await Promise.all(target.endpoints.map((endpoint, i) => this.deps.prober.probe(region, i, endpoint)));
      const evaluations = results.map((result, i) => evaluateProbe(target.endpoints[i]!, result));
      const verdict = own?.verdicts[region];
      return verdict === undefined
        ? evaluations.every((e) => e.pass)
        : stepVerdict(verdict, evaluations, target.endpoints, this.deps.config.probe, this.deps.clock.nowMs()).verdict.consecutivePasses > 0;
    }));
    return targets.filter((_, i) => passed[i]);
  }

  /**
   * The late drains of `targets` that no quorum of observers has failed in rounds sent since
   * `sinceMs` (this observer's confirming probe, which failed, is one of them): the same quorum of
   * fresh evidence any drain needs, taken after the wait that made the drain late. The confirming
   * probe is one observer's word, and the deciding observer may be the impaired one; a peer's
   * verdict may still read unhealthy only because recoveryThreshold passes have not accrued, and a
   * round from before the probe says nothing about now. Peers' rounds come every probe interval:
   * the pass waits for them (lateEvidenceWaitMs), and stops early once so many have passed that no
   * quorum can fail the target. Without a quorum by then (peers dead, or their snapshots not yet
   * replicated) the drain is held, as a decision without a quorum of fresh evidence is (fail
   * static); the next pass decides again.
   *
   * Peers' rounds are read as every pass reads them: the replica, and what this observer's own
   * proposal remembers. Under replication lag a peer's round reaches this region first as its event,
   * which wakes another pass of this observer; that pass remembers the round in its proposal, written
   * to this replica at once, and this pass reads it there. Reading the replica alone held every late
   * drain for as long as the lag lasted (generated control-plane 301 and 355: a dead region left
   * serving for over 120 s while every live observer failed it).
   */
  private async unconfirmedLate(targets: readonly Region[], sinceMs: number): Promise<Region[]> {
    const { config, store, clock, observer } = this.deps;
    const quorum = quorumSize(config.observers.length);
    // A round is stamped when it finished. A pass that finished after sinceMs answered after it; a
    // failure may have been sent up to a timeout before it finished (a timed-out probe sent while
    // the target was still down), so it counts only once it finished at least a timeout after.
    const timeoutMs = (region: Region) => Math.max(...(config.targets.find((t) => t.region === region)?.endpoints ?? []).map((e) => e.timeoutMs), 0);
    const deadlineMs = sinceMs + Math.max(...targets.map((t) => lateEvidenceWaitMs(config.probe.intervalMs, timeoutMs(t))));
    for (;;) {
      const view = await store.readView(clock.nowMs());
      const own = rememberedProposals(view.proposals, null).find((p) => p.observer === observer) ?? null;
      const { latest: snapshots } = rememberedSnapshots(view.snapshots, own);
      const unconfirmed: Region[] = [];
      let waiting = false;
      for (const target of targets) {
        // Each of the quorum judges the target unhealthy, this observer too: its failed probe alone is one round.
        let failing = snapshots.get(observer)?.verdicts[target]?.status === 'unhealthy' ? 1 : 0;
        let passing = 0;
        for (const peer of config.observers) {
          const verdict = peer === observer ? undefined : snapshots.get(peer)?.verdicts[target];
          if (verdict === undefined) continue;
          if (verdict.consecutiveFailures === 0 && verdict.probedMs >= sinceMs) passing += 1;
          else if (verdict.consecutiveFailures > 0 && verdict.status === 'unhealthy' && verdict.probedMs - timeoutMs(target) >= sinceMs) failing += 1;
        }
        if (failing >= quorum) continue;
        unconfirmed.push(target);
        if (config.observers.length - passing >= quorum) waiting = true; // a quorum may still fail it
      }
      if (!waiting || clock.nowMs() >= deadlineMs) return unconfirmed;
      await clock.sleepMs(Math.min(lateEvidencePollMs, deadlineMs - clock.nowMs()));
    }
  }

  /**
   * Data plane: a newer applied decision learned from a peer (its record, or its event merged into
   * this view) that routes otherwise than this observer's own record becomes its own record, so its
   * own replica holds it. The next pass and
   * this observer's gate, which read the replica alone, then never fall back to an older decision:
   * under replication lag a pass that heard the event and the next that did not would otherwise
   * alternate between the two, and the gate would keep voting a released drain from the older one.
   * A failed write is reported; the next pass tries again. Open: the write is not conditional on
   * the decision's age, so a concurrent pass of the same region that read before another wrote a
   * newer record can overwrite it with this older one (as its own data-plane apply can), until a
   * later pass decides again.
   */
  /** The record written, which this pass then plans from (it keeps what this observer saw), or null. */
  private async adoptApplied(view: StoreView, newest: AppliedDecision | null): Promise<AppliedDecision | null> {
    const { config, observer, store, telemetry } = this.deps;
    if (newest === null || newest.observer === observer || dataPlaneTargets(config).length === 0) return null;
    // Its own record already holds that routing (the same change decided here too): rewriting it would only delay its replication.
    const own = latestApplied(view.applied.filter((a) => a.observer === observer));
    if (own !== null && canonicalJson(own.routing) === canonicalJson(newest.routing)) return null;
    const adopted = adoptedRecord(observer, newest, own, this.deps.clock.nowMs());
    try {
      await store.putApplied(adopted);
      return adopted;
    } catch (error) {
      telemetry.warn('could not record a peer\'s newer applied decision as this observer\'s; the next pass tries again', { decisionId: newest.decisionId, from: newest.observer, error: String(error) });
      return null;
    }
  }

  /** Peers proposing under another config do not vote: say so (rolling deploys mix versions for minutes). */
  private reportConfigMismatch(view: StoreView, nowMs: number): void {
    const hash = configHash(this.deps.config);
    const others = view.proposals.filter((p) => p.configHash !== undefined && p.configHash !== hash && nowMs - p.createdMs <= this.deps.config.probe.verdictFreshnessMs);
    if (others.length === 0) return;
    this.deps.telemetry.warn('observers propose under another config; their proposals do not vote', { configHash: hash, others: others.map((p) => `${p.observer}:${p.configHash}`) });
    this.deps.telemetry.metric('ConfigMismatch', others.length, 'Count');
  }

  /** Proposal and decision from a view and a last applied state (nothing written). */
  private plan(view: StoreView, lastApplied: AppliedDecision | null, nowMs: number): { proposal: Proposal; previous: Proposal | undefined; decision: Decision; proposals: Proposal[] } {
    const previous = this.ownLatest(view);
    // Monotonic: what the previous pass knew (its proposal remembers it) counts as if read again.
    const known = rememberedProposals(view.proposals, previous ?? null);
    const proposal = { ...computeProposalFor(this.deps, view, lastApplied, nowMs, previous), peers: peersOf(known, this.deps.observer) };
    const proposals = rememberedProposals(mergeEvent({ ...view, proposals: known }, { type: 'proposal', observer: this.deps.observer, proposal }).proposals, null);
    const merged = { proposals };
    const decision = decide({ config: this.deps.config, nowMs, proposals, lastApplied, proposalFreshnessMs: this.deps.config.probe.verdictFreshnessMs, decider: { observer: this.deps.observer, targets: weightTargets(this.deps.config).map((t) => t.region) } });
    return { proposal, previous, decision, proposals: merged.proposals };
  }

  /**
   * One decide pass. Route 53 failures are reported in the outcome; the next pass retries. A pass
   * that loses the conditional write of its proposal to a concurrent pass of the same region starts
   * again from the store (which now holds the winner's proposal) and the same trigger.
   */
  async run(trigger?: ArbiterEvent): Promise<DecideOutcome> {
    // One runtime serves every invocation of a warm container: an answer from an earlier one says nothing about now.
    this.route53Answered = false;
    for (let attempt = 1; ; attempt += 1) {
      let outcome: DecideOutcome;
      try {
        outcome = await this.pass(trigger);
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= passAttemptsMax) throw error;
        this.deps.telemetry.warn('a concurrent decide pass wrote first; deciding again from the store', { attempt });
        continue;
      }
      // A change Route 53 could not take now (throttled, unavailable) is tried again within this
      // invocation, a few seconds later: nothing else may wake a decider before the next schedule.
      if (outcome.retryable !== true || attempt > applyRetryDelaysMs.length) return outcome;
      this.deps.telemetry.warn('Route 53 could not take the change; trying again shortly', { attempt, error: outcome.error });
      await this.deps.clock.sleepMs(applyRetryDelaysMs[attempt - 1]!);
    }
  }

  /**
   * The drains this pass's data-plane decision has its gate vote at once, recorded now rather than
   * by the next pass (up to a schedule period later): a restore's cooldown counts from the earliest
   * recorded vote (drainVotedMs), so a late record only delays every restore. The proposal is
   * written again (memory only: no event) when its record of votes changes.
   */
  private async recordVotesOf(applied: AppliedDecision, proposal: Proposal, proposals: readonly Proposal[], ownSnapshot: VerdictSnapshot | null): Promise<{ proposal: Proposal; written: boolean }> {
    const nowMs = this.deps.clock.nowMs();
    const own = proposals.filter((p) => p.observer !== this.deps.observer).concat(proposal);
    const voted = votedDrains({ config: this.deps.config, nowMs, lastApplied: applied, proposals: own, observer: this.deps.observer, ownSnapshot });
    if (canonicalJson(voted) === canonicalJson(proposal.votedDrains ?? {})) return { proposal, written: false };
    const { votedDrains: _previous, ...rest } = proposal;
    const next: Proposal = { ...rest, seq: proposal.seq + 1, createdMs: nowMs, ...(Object.keys(voted).length === 0 ? {} : { votedDrains: voted }) };
    try {
      await this.deps.store.putProposal(next);
    } catch (error) {
      // A concurrent pass of this observer wrote a newer proposal: it records the votes, or the next pass does (a later anchor, a longer hold).
      if (error instanceof ConflictError) return { proposal, written: false };
      throw error;
    }
    return { proposal: next, written: true };
  }

  private async pass(trigger?: ArbiterEvent): Promise<DecideOutcome> {
    const { config, store } = this.deps;
    const nowMs = this.deps.clock.nowMs();
    const view = mergeEvent(await store.readView(nowMs), trigger);
    this.reportConfigMismatch(view, nowMs);
    // This observer's own newest round, which its gate settles its votes with (SettleInput.ownSnapshot).
    const ownSnapshot = latestSnapshots(view.snapshots).get(this.deps.observer) ?? null;
    const newest = latestApplied(view.applied);
    const stored = (await this.adoptApplied(view, newest)) ?? newest;
    // Planned from what the newest applied record says Route 53 holds (weights and the register's
    // hysteresis times) when it says, exactly as the re-plan after reading does: the two agree, so a
    // pass never writes one proposal and then another (each a new event for every peer).
    let planned = this.plan(view, stored?.route53 === undefined ? stored : this.appliedShown(stored.route53, nowMs, stored), nowMs);
    // Written before Route 53 is touched: peers must not wait on the control plane for this vote.
    let written = await this.writeProposal(planned.proposal, planned.previous, nowMs);
    const weighted = weightTargets(config);
    const scheduled = trigger === undefined;
    const mayChange = planned.decision.changed.some((t) => weighted.some((w) => w.region === t));
    const lateBeforeRead = this.lateDrains(view, this.probeDrains(planned.decision, stored, planned.proposal), nowMs);
    let error: string | null = null;
    let retryable = false;
    let result: { plan: RoutePlan | null; applied: AppliedDecision | null; changeIds: string[] } = { plan: null, applied: null, changeIds: [] };
    if (weighted.length > 0 && (scheduled || mayChange)) {
      for (let attempt = 1; attempt <= applyAttemptsMax; attempt += 1) {
        // A change is planned from the state the newest applied record left in Route 53, when it says:
        // the compare-and-swap refuses the batch if that is stale, and the second attempt reads. A
        // scheduled pass with nothing to change reads, to find drift and converge.
        // A late drain is planned from a fresh read: Route 53 answering now is the moment its probe must follow.
        const rememberable = mayChange && attempt === 1 ? stored?.route53 : undefined;
        const remembered = lateBeforeRead.length === 0 || this.route53Answering(this.deps.clock.nowMs()) ? rememberable : undefined;
        let records = remembered ?? await this.readRoute53();
        // A late drain's read refused by throttling is still Route 53 answering: the probe below follows
        // it, and the change is planned from the remembered state (the compare-and-swap refuses it if
        // stale). Giving up here left every new pass of a throttling storm spending the token Route 53
        // refilled on a read, then throttled on its change.
        if (records instanceof DnsError && records.code !== 'unavailable' && rememberable !== undefined) records = rememberable;
        if (records instanceof DnsError) {
          error = `${records.code}: ${records.message} (records unreadable; the next pass retries)`;
          retryable = mayChange && retryableDnsCodes.has(records.code);
          break;
        }
        const shown = this.appliedShown(records, nowMs, stored);
        const own = mergeEvent(view, { type: 'proposal', observer: this.deps.observer, proposal: written.proposal });
        planned = this.plan(own, shown, nowMs);
        if (proposalKey(planned.proposal) !== proposalKey(written.proposal) || memoryKey(planned.proposal) !== memoryKey(written.proposal)) written = await this.writeProposal(planned.proposal, written.proposal, nowMs);
        const drains = this.probeDrains(planned.decision, shown, planned.proposal);
        const answering = this.answeringNow(view, drains);
        const late = answering.length === 0 ? this.lateDrains(view, drains, nowMs) : [];
        const probedMs = this.deps.clock.nowMs();
        answering.push(...await this.answeringProbe(view, late));
        const unconfirmed = answering.length === 0 && late.length > 0 ? await this.unconfirmedLate(late, probedMs) : [];
        // The pass waited for peers' rounds: it decides again on what the store holds now, and sends
        // only if that still decides the same (a concurrent pass, or peers, may have moved on).
        let moved = false;
        if (answering.length === 0 && late.length > 0 && unconfirmed.length === 0) {
          const readMs = this.deps.clock.nowMs();
          const now = mergeEvent(mergeEvent(await store.readView(readMs), trigger), { type: 'proposal', observer: this.deps.observer, proposal: written.proposal });
          moved = canonicalJson(this.plan(now, shown, readMs).decision.routing) !== canonicalJson(planned.decision.routing);
        }
        if (answering.length > 0 || unconfirmed.length > 0 || moved) {
          // This observer's own latest probe of a target the decision would drain passed, or no quorum of
          // rounds since its confirming probe fails a late one: the fault may just have ended (a
          // drain retried past it, a Route 53 outage ending with the region's). Send nothing this pass;
          // the next one decides on fresher verdicts.
          if (answering.length > 0) this.deps.telemetry.warn('drain held: the target answered this observer\'s latest probe', { targets: answering, decisionId: planned.decision.id });
          else if (unconfirmed.length > 0) this.deps.telemetry.warn('drain held: no quorum of rounds since this observer\'s confirming probe fails the target', { targets: unconfirmed, decisionId: planned.decision.id });
          else this.deps.telemetry.warn('drain held: the decision changed while the pass waited for peers\' rounds', { targets: late, decisionId: planned.decision.id });
          // Record what Route 53 was found to hold, so later passes start from it (and agree with this one).
          if ((shown.epoch ?? 0) > (stored?.epoch ?? -1)) {
            const found: AppliedDecision = { ...shown, observer: this.deps.observer, appliedMs: this.deps.clock.nowMs(), route53: [...records] };
            await store.putApplied(found);
            result = { ...result, applied: found };
          }
          break;
        }
        try {
          const { plan, changeIds, after } = await this.applyPlanned(planned.decision, shown, records);
          this.noteRoute53(true);
          const applied = changeIds.length > 0 || (shown.epoch ?? 0) > (stored?.epoch ?? -1) || planned.decision.changed.length > 0
            ? await this.recordApplied(planned.decision, shown, plan, changeIds, after, planned.proposals, nowMs, ownSnapshot) : null;
          result = { plan, applied, changeIds };
          error = null;
          retryable = false;
          break;
        } catch (e) {
          if (!(e instanceof DnsError)) throw e;
          error = `${e.code}: ${e.message}`;
          this.noteRoute53(e.code !== 'unavailable');
          retryable = retryableDnsCodes.has(e.code);
          this.deps.telemetry.error('Route 53 change failed', { decisionId: planned.decision.id, code: e.code, message: e.message, attempt });
          this.deps.telemetry.metric(e.code === 'conflict' ? 'ApplyConflicts' : 'ApplyFailures', 1, 'Count');
          if (e.code !== 'conflict') break;
        }
      }
    }
    // Data-plane targets are applied by the votes themselves: their decision is recorded as applied at once.
    const votedChange = planned.decision.changed.some((t) => !weighted.some((w) => w.region === t));
    if (votedChange && result.applied === null) {
      const base = stored ?? null;
      const unvoted = unvotedDrains({ config, nowMs, lastApplied: base, proposals: planned.proposals, observer: this.deps.observer, ownSnapshot });
      const applied = { ...appliedRecord(this.deps.observer, planned.decision, base, null, this.deps.clock.nowMs(), base?.epoch, unvoted), ...(base?.route53 === undefined ? {} : { route53: base.route53 }) };
      await store.putApplied(applied);
      await this.deps.bus.publish([{ type: 'applied', observer: this.deps.observer, applied }]);
      result = { ...result, applied };
      written = await this.recordVotesOf(applied, written.proposal, planned.proposals, ownSnapshot);
    }
    return { proposal: written.proposal, proposalWritten: written.written, decision: planned.decision, ...result, error, retryable: error !== null && retryable };
  }
}

function computeProposalFor(deps: ObserverDeps, view: StoreView, lastApplied: AppliedDecision | null, nowMs: number, previous: Proposal | undefined): Proposal {
  const dataPlane = dataPlaneTargets(deps.config).length > 0;
  // What this observer's gate answers is settled with its own newest snapshot, as the gate settles it.
  const ownSnapshot = latestSnapshots(view.snapshots).get(deps.observer) ?? null;
  const voted = dataPlane ? votedDrains({ config: deps.config, nowMs, lastApplied, proposals: view.proposals, observer: deps.observer, ownSnapshot }) : {};
  // What this observer's gate answers now, from the same view: a drain it answers is never marked
  // ownRoundPassed, which would withdraw it (Route 53 reads that as a restore).
  const gateNow = dataPlane ? gateVotes({ config: deps.config, nowMs, proposals: view.proposals, applied: view.applied, observer: deps.observer, ownSnapshot }) : {};
  const proposal = computeProposalImpl({
    gateDrains: new Set(Object.entries(gateNow).filter(([, vote]) => vote === 'drain').map(([target]) => target)),
    unvoted: unvotedDrains({ config: deps.config, nowMs, lastApplied, proposals: view.proposals, observer: deps.observer, ownSnapshot }),
    drainVotedMs: drainVotedMs({ lastApplied, proposals: view.proposals, voted }),
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
  return Object.keys(voted).length === 0 ? proposal : { ...proposal, votedDrains: voted };
}


