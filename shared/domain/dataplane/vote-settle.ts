/**
 * Settled votes: what an observer lets Route 53 see, so that maxDrained holds in composition.
 *
 * Every decision obeys maxDrained, but Route 53 does not see decisions: it sees each child check
 * move some time after the vote behind it changed, and a "no drain" takes longer to get through
 * than a "drain" (a gate child needs most checkers to see the 404: each checker's next probe, up
 * to a whole check interval, after the gate's cache).
 * When a decision releases x and drains y (a held drain released for a new failure, or x restored
 * then y failing), Route 53 would show both unhealthy for that lag: two drained with maxDrained 1.
 *
 *   decision     x drained ───────┐ x serving, y drained
 *   Route 53 x   unhealthy ────────────────────────┐ healthy        (release lag, ≤ settle)
 *   Route 53 y   healthy   ─────────────── (vote withheld) ──┐ unhealthy
 *                                 ├──── voteSettleMs ────────┤
 *
 * So a drain decided at or after a restore that is still settling is not voted until the restore
 * has settled: `voteSettleMs` has passed since it, and every fresh proposal in view was made over
 * it (fromState serving: the peer's decision, hence its own vote, no longer holds x). Drains older
 * than the restore, and drains while the count stays within maxDrained, are voted at once.
 *
 * The restore may be one this observer never saw: it was down, or its replica lagged, while x was
 * drained, so its own record has x serving throughout. Its peers' proposals say what their gates
 * answer from (fromState, with the decision time fromSinceMs and, for a state learned late, the
 * time fromSeenMs their gate switched by): x settles while a fresh peer proposal holds it drained,
 * and for voteSettleMs after that peer's gate switched.
 */
import type { ValidConfig } from '../config';
import { freshProposals } from '../decision/decision';
import { clockBoundMs } from '../quorum/tally';
import { rememberedProposals } from '../policy/memory';
import { heldCauses } from '../policy/safety';
import type { AppliedDecision, Proposal, Region, Routing, VerdictSnapshot } from '../types';
import { gateAnswerCacheMs, gateFailureThreshold, gateRequestIntervalSeconds } from './health-checks';
import { dataPlaneTargets, type Vote } from './votes';

/** Unmodelled delay between a child check's status and its CALCULATED parent (a margin, not a measurement). */
export const voteSettleMarginMs = 8_000;

/**
 * The longest a "no drain" takes to reach Route 53, with a margin: the gate's cache, then
 * FailureThreshold checker rounds (each checker's next probe).
 * @example voteSettleMs(config) // → 40_000 at the standard 30 s interval
 */
export function voteSettleMs(config: ValidConfig): number {
  return gateAnswerCacheMs + gateFailureThreshold * gateRequestIntervalSeconds(config) * 1000 + voteSettleMarginMs;
}

export interface SettleInput {
  config: ValidConfig;
  nowMs: number;
  /** The observer's decision: its routing, and the targets it changes from `lastApplied`. */
  routing: Routing;
  changed: readonly Region[];
  lastApplied: AppliedDecision | null;
  /** The proposals the decision was made from (the fresh ones are used). */
  proposals: readonly Proposal[];
  /** The observer whose votes these are: the drains its newest proposal says it voted stay voted. */
  observer?: Region;
  /**
   * That observer's own newest verdict snapshot (its replica holds it as soon as its probe writes
   * it): a drain no gate is known to have voted does not begin while its latest round of the
   * target passed, as with the proposal's `ownRoundPassed`, without waiting for a decide pass to
   * mark it. Absent: the mark alone.
   */
  ownSnapshot?: VerdictSnapshot | null;
}

/**
 * Whether the drain its gate voted at `votedMs` is the one still in force: no restore since (another
 * observer's record of the same drain, or an adopted copy, may stamp it a little later).
 */
function stillVoted(input: SettleInput, target: Region, votedMs: number | undefined): boolean {
  if (votedMs === undefined || input.routing[target] !== 'drained' || input.changed.includes(target)) return false;
  const restoredMs = input.lastApplied?.lastRestoreMs?.[target] ?? null;
  return restoredMs === null || restoredMs < votedMs;
}

/** `observer`'s newest proposal in view. */
function ownNewest(input: SettleInput): Proposal | undefined {
  return input.observer === undefined ? undefined : rememberedProposals(input.proposals, null).find((p) => p.observer === input.observer);
}

/** The drains `observer`'s newest proposal in view says its gate has voted (Proposal.votedDrains). */
function votedBefore(input: SettleInput): Record<Region, number> {
  return ownNewest(input)?.votedDrains ?? {};
}

/** When each data-plane target was last restored, and last drained: now for a change of this decision. */
function changeTimes(input: SettleInput, target: Region): { restoredMs: number | null; drainedMs: number | null } {
  const changedNow = input.changed.includes(target);
  const state = input.routing[target];
  const restoredMs = changedNow && state === 'serving' ? input.nowMs : (input.lastApplied?.lastRestoreMs?.[target] ?? null);
  const drainedMs = changedNow && state === 'drained' ? input.nowMs : (input.lastApplied?.lastFlipMs[target] ?? null);
  return { restoredMs, drainedMs };
}

/**
 * Restored targets whose "no drain" may not have reached Route 53 yet, from any gate, with the time
 * drains must be newer than to wait for them. Per target serving in this decision:
 *   - this observer restored it less than voteSettleMs ago, or a fresh proposal still holds it
 *     drained: settling since that restore;
 *   - a fresh proposal still holds it drained, a drain this observer never saw released (it was
 *     down, or its replica lagged, when the target was drained): that peer's gate votes it, so it
 *     settles since the peer's drain decision (fromSinceMs) — drains decided after it wait;
 *   - a fresh proposal shows it serving since less than voteSettleMs (fromSeenMs: that peer's gate
 *     may have voted it drained until then): settling since the peer's restore decision.
 * The peers' times are their own stamps, carried in their proposals, so a hold ends when that peer's
 * release has settled, not one proposal after it (a peer's newest proposal is all a view holds).
 */
function settlingRestores(input: SettleInput): Map<Region, number> {
  const settling = new Map<Region, number>();
  const settleMs = voteSettleMs(input.config);
  const fresh = freshProposals({ config: input.config, nowMs: input.nowMs, proposals: input.proposals, lastApplied: input.lastApplied, proposalFreshnessMs: input.config.probe.verdictFreshnessMs });
  for (const target of dataPlaneTargets(input.config)) {
    if (input.routing[target.region] !== 'serving') continue;
    const { restoredMs } = changeTimes(input, target.region);
    const since: number[] = [];
    const votes = fresh.map((p) => p.targets[target.region]).filter((t) => t !== undefined);
    const holding = votes.filter((t) => t.fromState === 'drained');
    if (restoredMs !== null && (input.nowMs - restoredMs < settleMs || holding.length > 0)) since.push(restoredMs);
    for (const t of holding) {
      const drainedMs = t.fromSinceMs ?? null;
      if (drainedMs !== null && (restoredMs === null || restoredMs < drainedMs)) since.push(drainedMs);
    }
    for (const t of votes) {
      if (t.fromState !== 'serving' || t.fromSinceMs == null || t.fromSeenMs == null) continue;
      if (input.nowMs - t.fromSeenMs < settleMs) since.push(t.fromSinceMs);
    }
    if (since.length > 0) settling.set(target.region, Math.min(...since));
  }
  return settling;
}

/**
 * This observer's votes for every data-plane target, from its decision, settled (see the header).
 *
 * @example settledVotes({ config, nowMs, routing: { a: 'serving', b: 'drained' }, changed: ['a', 'b'], lastApplied, proposals })
 *   // → { a: 'no-drain', b: 'no-drain' } with maxDrained 1: b is voted once a's restore has settled
 */
export function settledVotes(input: SettleInput): Record<Region, Vote> {
  const votes = composedVotes(input);
  // A drain no gate is known to have voted is still a change for Route 53: as when it was decided,
  // this observer's own proposal must back it. Its own newest proposal restoring it, or holding it
  // only by hysteresis (a quorum judges its target healthy again), means the evidence went away while
  // the vote was withheld: voting it now, as its hold ends, would drain a target that recovered
  // (generated gate 277 run 1: the hold ended 0.1 s after a quorum judged it healthy, and three
  // gates voted it). Not voted, it is unvoted, and the next proposal restores it.
  // Nor does it begin, this decision's change or not, while its own newest proposal says this
  // observer's latest round of the target passed (ownRoundPassed): the verdicts behind a drain
  // outlive its fault by the recoveryThreshold rounds, and a vote begun then drains a target that
  // has just come back (generated gate 177 run 1: withheld 40 s while a release settled, voted 1.9 s
  // after its target recovered). The gates whose observers' rounds still fail vote it.
  // The mark waits for a decide pass; the observer's own snapshot (ownSnapshot) says it as soon as
  // the round is written (generated gate 177, both runs: the gates began 1.9–2.9 s after the target
  // recovered, one 1.7 s after its own round had passed, before any pass marked it). It only keeps a
  // vote from beginning, never withdraws one: a drain this gate would already have voted when that
  // round was sent (the same decision, settled then) may have been answered, and stays.
  const own = ownNewest(input);
  if (own === undefined) return votes;
  const known = drainVotedMs({ lastApplied: input.lastApplied, proposals: input.proposals, voted: own.votedDrains ?? {} });
  for (const [target, vote] of Object.entries(votes)) {
    if (vote !== 'drain' || known[target] !== undefined) continue;
    const wanted = own.targets[target];
    // Kept only by fail static (no quorum either way) is gone too: what Route 53 shows of a drain no
    // gate has voted is serving, and fail static keeps what it shows.
    const gone = wanted !== undefined && (wanted.state === 'serving' || heldCauses.has(wanted.cause) || wanted.cause === 'no-quorum');
    // As the mark, only for a drain on the quorum's verdicts: an alarm's or an operator's drain is not the probes' to confirm.
    const answering = wanted?.ownRoundPassed === true || (wanted?.cause === 'quorum-unhealthy' && ownRoundPassedBeforeVote(input, target));
    if (answering || (!input.changed.includes(target) && gone)) votes[target] = 'no-drain';
  }
  return votes;
}

/** This observer's own snapshot says its latest round of `target` passed, sent while the drain was not yet voted (the same decision, settled at that time). */
function ownRoundPassedBeforeVote(input: SettleInput, target: Region): boolean {
  const verdict = input.ownSnapshot?.verdicts[target];
  if (verdict === undefined || verdict.consecutivePasses === 0) return false;
  const { ownSnapshot: _own, ...withoutRound } = input;
  const sentMs = Math.min(verdict.passedMs ?? verdict.probedMs, input.nowMs);
  return settledVotes({ ...withoutRound, nowMs: sentMs })[target] !== 'drain';
}

function composedVotes(input: SettleInput): Record<Region, Vote> {
  const targets = dataPlaneTargets(input.config);
  const drained = targets.filter((t) => input.routing[t.region] === 'drained').map((t) => t.region);
  const settling = settlingRestores(input);
  const votes: Record<Region, Vote> = {};
  for (const target of targets) votes[target.region] = 'no-drain';
  if (drained.length + settling.size <= input.config.safety.maxDrained) {
    for (const target of drained) votes[target] = 'drain';
    return votes;
  }
  const settlingSinceMs = Math.min(...settling.values());
  const voted = votedBefore(input);
  for (const target of drained) {
    const { drainedMs } = changeTimes(input, target);
    // A drain this gate has voted stays voted: a hold seen only later (a peer back from an outage, a
    // late proposal) must not withdraw it, which Route 53 would read as a restore.
    if (drainedMs === null || drainedMs < settlingSinceMs || stillVoted(input, target, voted[target])) votes[target] = 'drain';
  }
  return votes;
}

/**
 * What an observer's next proposal records as voted (Proposal.votedDrains): the drains of its last
 * applied decision its gate votes now, each with the time its gate is known to have voted it by —
 * carried from its previous proposal while that drain is in force, else now (the pass that first
 * sees it voted; the gate may have begun a little earlier, never later). A drain that ended is dropped.
 *
 * @example votedDrains({ config, nowMs, lastApplied, proposals, observer: 'us-east-1' }) // → { 'ap-southeast-2': 231_400 }
 */
export function votedDrains(input: { config: ValidConfig; nowMs: number; lastApplied: AppliedDecision | null; proposals: readonly Proposal[]; observer: Region; ownSnapshot?: VerdictSnapshot | null }): Record<Region, number> {
  const voted: Record<Region, number> = {};
  const lastApplied = input.lastApplied;
  if (lastApplied === null) return voted;
  const settle: SettleInput = { config: input.config, nowMs: input.nowMs, routing: lastApplied.routing, changed: [], lastApplied, proposals: input.proposals, observer: input.observer, ...(input.ownSnapshot === undefined ? {} : { ownSnapshot: input.ownSnapshot }) };
  const before = votedBefore(settle);
  for (const [target, vote] of Object.entries(settledVotes(settle))) {
    if (vote !== 'drain') continue;
    voted[target] = stillVoted(settle, target, before[target]) ? Math.min(before[target]!, input.nowMs) : input.nowMs;
  }
  return voted;
}

/**
 * When each drain in force was first voted (data plane): the earliest time any gate is
 * known to have voted it, from this observer's votes now (`voted`, votedDrains) and every
 * observer's newest proposal. Each is recorded no earlier than its gate's first drain answer, so
 * the earliest of them is still no earlier than the first gate's — the answer that failed the
 * target's CALCULATED check (one drain vote fails it). A restore counts its cooldown from here
 * (policy/proposal.ts), as from the decision when the vote came with it, so Route 53 does not show
 * a drain shorter than flipCooldownMs when the vote came late (withheld while a release settled). Targets no gate is
 * known to vote are absent: their cooldown counts from the decision.
 *
 * @example drainVotedMs({ lastApplied, proposals, voted: { 'us-east-1': 167_400 } }) // → { 'us-east-1': 167_400 }
 */
export function drainVotedMs(input: { lastApplied: AppliedDecision | null; proposals: readonly Proposal[]; voted: Readonly<Record<Region, number>> }): Record<Region, number> {
  const since: Record<Region, number> = {};
  const lastApplied = input.lastApplied;
  if (lastApplied === null) return since;
  const known = [input.voted, ...rememberedProposals(input.proposals, null).map((p) => p.votedDrains ?? {})];
  for (const [target, state] of Object.entries(lastApplied.routing)) {
    if (state !== 'drained') continue;
    const restoredMs = lastApplied.lastRestoreMs?.[target] ?? null;
    const drainedMs = lastApplied.lastFlipMs[target] ?? null;
    // Only votes of the drain in force: one recorded before its last restore, or before its decision
    // (a pass records a vote only once its record holds the drain; an unvoted drain's restore is not
    // stamped, so a stale proposal's vote of the drain before it passes the first test), was of an
    // earlier drain. Dropping one can only move the anchor later, never earlier.
    const times = known.map((v) => v[target]).filter((ms): ms is number => ms !== undefined && (restoredMs === null || restoredMs < ms) && (drainedMs === null || ms >= drainedMs - clockBoundMs));
    if (times.length > 0) since[target] = Math.min(...times);
  }
  return since;
}

/**
 * Drains decided but not voted yet: drained in the applied decision, withheld by this observer's
 * settle rule at `nowMs`, and voted by no gate any observer's newest proposal speaks for
 * (`votedDrains`, newer than the target's last restore; a drain its own gate voted stays voted, so
 * it is never withheld). Route 53 has never seen an unvoted drain, so restoring one is no flip: the
 * proposal restores it as soon as a quorum judges its target healthy (no recovery hold, no
 * cooldown), and the applied record does not stamp that restore. A drain decided on evidence that
 * went away while its vote was withheld is so never voted — also when only a peer's
 * acknowledgement still holds it after voteSettleMs (generated gate 167 run 1: withheld 64 s, its
 * target recovered 22 s into the wait, and voted 42 s after that, a false drain). The gates'
 * views differ, so a gate whose hold ended sooner may vote it: that is known to the others once its
 * observer's next pass has recorded it and replication has brought it.
 *
 * @example unvotedDrains({ config, nowMs, lastApplied, proposals }) // → Set { 'eu-west-1' } while a's restore settles
 */
export function unvotedDrains(input: { config: ValidConfig; nowMs: number; lastApplied: AppliedDecision | null; proposals: readonly Proposal[]; observer?: Region; ownSnapshot?: VerdictSnapshot | null }): Set<Region> {
  const unvoted = new Set<Region>();
  const lastApplied = input.lastApplied;
  if (lastApplied === null) return unvoted;
  const settle: SettleInput = { config: input.config, nowMs: input.nowMs, routing: lastApplied.routing, changed: [], lastApplied, proposals: input.proposals, ...(input.observer === undefined ? {} : { observer: input.observer }), ...(input.ownSnapshot === undefined ? {} : { ownSnapshot: input.ownSnapshot }) };
  const known = drainVotedMs({ lastApplied, proposals: input.proposals, voted: {} });
  for (const [target, vote] of Object.entries(settledVotes(settle))) {
    if (vote === 'no-drain' && lastApplied.routing[target] === 'drained' && known[target] === undefined) unvoted.add(target);
  }
  return unvoted;
}
