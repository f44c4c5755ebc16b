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
 */
import type { ValidConfig } from '../config';
import { freshProposals } from '../decision/decision';
import type { AppliedDecision, Proposal, Region, Routing } from '../types';
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
}

/** When each data-plane target was last restored, and last drained: now for a change of this decision. */
function changeTimes(input: SettleInput, target: Region): { restoredMs: number | null; drainedMs: number | null } {
  const changedNow = input.changed.includes(target);
  const state = input.routing[target];
  const restoredMs = changedNow && state === 'serving' ? input.nowMs : (input.lastApplied?.lastRestoreMs?.[target] ?? null);
  const drainedMs = changedNow && state === 'drained' ? input.nowMs : (input.lastApplied?.lastFlipMs[target] ?? null);
  return { restoredMs, drainedMs };
}

/** Restored targets whose "no drain" may not have reached Route 53 yet, with their restore time. */
function settlingRestores(input: SettleInput): Map<Region, number> {
  const settling = new Map<Region, number>();
  const fresh = freshProposals({ config: input.config, nowMs: input.nowMs, proposals: input.proposals, lastApplied: input.lastApplied, proposalFreshnessMs: input.config.probe.verdictFreshnessMs });
  for (const target of dataPlaneTargets(input.config)) {
    if (input.routing[target.region] !== 'serving') continue;
    const { restoredMs } = changeTimes(input, target.region);
    if (restoredMs === null) continue;
    const young = input.nowMs - restoredMs < voteSettleMs(input.config);
    const unacknowledged = fresh.some((p) => p.targets[target.region]?.fromState === 'drained');
    if (young || unacknowledged) settling.set(target.region, restoredMs);
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
  for (const target of drained) {
    const { drainedMs } = changeTimes(input, target);
    if (drainedMs === null || drainedMs < settlingSinceMs) votes[target] = 'drain';
  }
  return votes;
}

/**
 * Drains decided but not voted yet: drained in the applied decision, withheld by the settle rule at
 * `nowMs`, and decided at or after a restore whose `voteSettleMs` has not passed yet, so that no
 * gate reading this decision can have voted them (a drain withheld only for want of peers'
 * acknowledgement may have been voted before, and is not counted: withdrawing a vote Route 53 read
 * is a restore). Route 53 has never seen an unvoted drain, so restoring one is no flip: the proposal
 * restores it as soon as a quorum judges its target healthy (no recovery hold, no cooldown), and the
 * applied record does not stamp that restore. A drain decided on evidence that went away while its
 * vote was withheld is never voted.
 *
 * @example unvotedDrains({ config, nowMs, lastApplied, proposals }) // → Set { 'eu-west-1' } while a's restore settles
 */
export function unvotedDrains(input: { config: ValidConfig; nowMs: number; lastApplied: AppliedDecision | null; proposals: readonly Proposal[] }): Set<Region> {
  const unvoted = new Set<Region>();
  const lastApplied = input.lastApplied;
  if (lastApplied === null) return unvoted;
  const settle: SettleInput = { config: input.config, nowMs: input.nowMs, routing: lastApplied.routing, changed: [], lastApplied, proposals: input.proposals };
  const votes = settledVotes(settle);
  const youngRestores = dataPlaneTargets(input.config).map((t) => t.region)
    .filter((t) => lastApplied.routing[t] === 'serving')
    .map((t) => changeTimes(settle, t).restoredMs)
    .filter((ms): ms is number => ms !== null && input.nowMs - ms < voteSettleMs(input.config));
  for (const [target, vote] of Object.entries(votes)) {
    if (vote !== 'no-drain' || lastApplied.routing[target] !== 'drained') continue;
    const drainedMs = changeTimes(settle, target).drainedMs;
    if (drainedMs !== null && youngRestores.some((restoredMs) => restoredMs <= drainedMs)) unvoted.add(target);
  }
  return unvoted;
}
