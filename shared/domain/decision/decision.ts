/**
 * The decision: per target, the state a quorum of fresh proposals agree on; where no quorum
 * agrees, the last applied state holds (fail static). The combined state is checked against the
 * safety rules once more, since proposals that each obey them could combine into one that does not
 * (A drains x, B drains y: each leaves one serving; together none). A drain the combination cannot
 * afford is held back, never forced through.
 */
import { invariant } from '../assert';
import { configHash, quorumSize, type ValidConfig } from '../config';
import { canonicalJson, fnv1a } from '../hash';
import { enforceSafety, type SafetyEntry } from '../policy/safety';
import type { AppliedDecision, Decision, Proposal, ProposalCause, Region, Routing, RoutingState } from '../types';

export interface DecisionInput {
  config: ValidConfig;
  nowMs: number;
  proposals: readonly Proposal[];
  lastApplied: AppliedDecision | null;
  /** A proposal older than this does not vote (its evidence is stale). */
  proposalFreshnessMs: number;
  /**
   * The observer that will apply the decision, and the targets it applies through Route 53. For
   * those, a target changes only if this observer's own proposal (computed in this very pass, from
   * the freshest view it has) votes for the change: stale proposals of others can complete a quorum,
   * never start a change on their own. (Data-plane targets are applied by each observer's vote,
   * read by Route 53's health checks: a gate, whose single live drain vote fails its target,
   * decides with its own observer as decider over its gate-voted targets — gateRouting.)
   */
  decider?: { observer: Region; targets: readonly Region[] };
}

/** The newest proposal per configured observer, fresh ones made under this config only. */
export function freshProposals(input: DecisionInput): Proposal[] {
  const latest = new Map<Region, Proposal>();
  const hash = configHash(input.config);
  for (const proposal of input.proposals) {
    if (!input.config.observers.includes(proposal.observer)) continue;
    if (proposal.configHash !== undefined && proposal.configHash !== hash) continue;
    if (input.nowMs - proposal.createdMs > input.proposalFreshnessMs) continue;
    const known = latest.get(proposal.observer);
    if (known === undefined || proposal.seq > known.seq) latest.set(proposal.observer, proposal);
  }
  return [...latest.values()].sort((a, b) => (a.observer < b.observer ? -1 : 1));
}

function decisionId(routing: Routing, supporters: Record<Region, Region[]>, proposals: readonly Proposal[]): string {
  const votes = proposals.map((p) => `${p.observer}:${p.seq}`).join(',');
  return `d-${fnv1a(canonicalJson(routing))}-${fnv1a(`${canonicalJson(supporters)}|${votes}`)}`;
}

/**
 * Whether a proposal votes for `state` on `target`. A vote to move away from `last` counts only if
 * the proposer also saw `last` applied: one made under an older decision (replication lag) would
 * otherwise undo a newer one (a stale "keep drained" re-draining a target a quorum just restored).
 */
export function votesFor(proposal: Proposal, target: Region, state: RoutingState, last: RoutingState, lastEpoch?: number): boolean {
  const vote = proposal.targets[target];
  if (vote === undefined || vote.state !== state) return false;
  if (state === last) return true;
  // Made against another applied state (an older epoch, or a newer one this decider has not seen): no vote to change.
  if (lastEpoch !== undefined && proposal.fromEpoch !== undefined && proposal.fromEpoch !== lastEpoch) return false;
  return vote.fromState === undefined || vote.fromState === last;
}

/** Why the supporters want a state: operator causes are kept so the safety rules treat them as such. */
function causeOf(proposals: readonly Proposal[], target: Region, state: RoutingState): ProposalCause {
  const causes = proposals.filter((p) => p.targets[target]?.state === state).map((p) => p.targets[target]!.cause);
  if (causes.includes('forced-override')) return 'forced-override';
  if (causes.includes('override')) return 'override';
  return state === 'drained' ? 'quorum-unhealthy' : 'healthy';
}

/**
 * @example const decision = decide({ config, nowMs, proposals, lastApplied, proposalFreshnessMs: 60000 });
 */
export function decide(input: DecisionInput): Decision {
  const { config } = input;
  const quorum = quorumSize(config.observers.length);
  const proposals = freshProposals(input);
  const entries: SafetyEntry[] = [];
  const supporters: Record<Region, Region[]> = {};
  for (const { region: target } of config.targets) {
    const last = input.lastApplied?.routing[target] ?? 'serving';
    const voters = (state: RoutingState) => proposals.filter((p) => votesFor(p, target, state, last, input.lastApplied?.epoch)).map((p) => p.observer);
    const drained = voters('drained');
    const serving = voters('serving');
    let state: RoutingState = last;
    if (drained.length >= quorum) state = 'drained';
    else if (serving.length >= quorum) state = 'serving';
    const guarded = input.decider !== undefined && input.decider.targets.includes(target);
    if (state !== last && guarded && !(state === 'drained' ? drained : serving).includes(input.decider!.observer)) state = last;
    supporters[target] = state === 'drained' && drained.length >= quorum ? drained : state === 'serving' && serving.length >= quorum ? serving : [];
    const cause = causeOf(proposals, target, state);
    // No quorum either way: fail static. The safety pass must not move it either (that would be a change without a quorum).
    entries.push({ target, state, lastState: last, cause, priority: (state === 'drained' ? supporters[target].length : 0), failStatic: supporters[target].length === 0 });
  }
  const safe = enforceSafety(entries, config.safety);
  const routing: Routing = {};
  // A quorum-kept drain the combination cannot afford is restored by the safety pass: the one change allowed without a quorum.
  const restored = new Set<Region>();
  for (const entry of safe.entries) {
    routing[entry.target] = entry.state;
    if (entry.cause === 'safety-refused' || entry.cause === 'safety-restore') supporters[entry.target] = [];
    if (entry.cause === 'safety-restore') restored.add(entry.target);
  }
  for (const [target, state] of Object.entries(routing)) {
    invariant(state === (input.lastApplied?.routing[target] ?? 'serving') || supporters[target]!.length >= quorum || restored.has(target), `decide: ${target} changes to ${state} without a quorum`);
  }
  const changed = config.targets.map((t) => t.region).filter((t) => routing[t] !== (input.lastApplied?.routing[t] ?? 'serving'));
  return { id: decisionId(routing, supporters, proposals), decidedMs: input.nowMs, routing, supporters, changed, refusals: safe.refusals };
}

/**
 * The record an observer writes once a decision's state is in Route 53: flip and restore times are
 * carried forward from the state the decision was applied over, so hysteresis survives across
 * regions and invocations; `epoch` is Route 53's change count once this decision landed. A restore
 * of an `unvoted` drain (data plane: decided, never shown to Route 53) is not stamped.
 */
export function appliedRecord(observer: Region, decision: Decision, lastApplied: AppliedDecision | null, changeId: string | null, appliedMs: number, epoch?: number, unvoted: ReadonlySet<Region> = new Set()): AppliedDecision {
  const lastFlipMs: Record<Region, number | null> = {};
  const lastRestoreMs: Record<Region, number | null> = {};
  for (const [target, state] of Object.entries(decision.routing)) {
    const before = lastApplied?.routing[target] ?? 'serving';
    // Restoring a drain Route 53 never saw (its vote was still withheld: vote-settle.ts) is no flip.
    const flipped = state !== before && !(state === 'serving' && unvoted.has(target));
    lastFlipMs[target] = flipped ? decision.decidedMs : (lastApplied?.lastFlipMs[target] ?? null);
    lastRestoreMs[target] = flipped && state === 'serving' ? decision.decidedMs : (lastApplied?.lastRestoreMs?.[target] ?? null);
  }
  const order = epoch ?? lastApplied?.epoch;
  return { observer, decisionId: decision.id, decidedMs: decision.decidedMs, appliedMs, routing: { ...decision.routing }, changeId, lastFlipMs, lastRestoreMs, ...(order === undefined ? {} : { epoch: order }) };
}

/**
 * A peer's newer applied decision written as this observer's own record (data plane:
 * DecideRuntime.adoptApplied). Routing, decision and epoch are the peer's. Flip and restore times
 * are the latest either record knew; and where this observer's record held a target otherwise and
 * the peer's record knows no flip since, the target flipped at the peer's decision: a peer that
 * decided without ever seeing a drain (it was down, or its replica lagged) must not erase that drain
 * from this observer's history, which hysteresis and the settle rule read.
 *
 * @example adoptedRecord('us-east-1', peerRecord, ownRecord, nowMs).lastRestoreMs['eu-west-1'] // → peerRecord.decidedMs when own had it drained
 */
export function adoptedRecord(observer: Region, newest: AppliedDecision, own: AppliedDecision | null, appliedMs: number): AppliedDecision {
  const later = (...times: Array<number | null | undefined>): number | null => {
    const known = times.filter((t): t is number => t !== null && t !== undefined);
    return known.length === 0 ? null : Math.max(...known);
  };
  const lastFlipMs: Record<Region, number | null> = {};
  const lastRestoreMs: Record<Region, number | null> = {};
  for (const [target, state] of Object.entries(newest.routing)) {
    const ownFlipMs = own?.lastFlipMs[target] ?? null;
    const peerFlipMs = newest.lastFlipMs[target] ?? null;
    const unseenFlip = own !== null && (own.routing[target] ?? 'serving') !== state && (peerFlipMs ?? -1) <= (ownFlipMs ?? -1);
    const stampMs = unseenFlip ? newest.decidedMs : null;
    lastFlipMs[target] = later(peerFlipMs, ownFlipMs, stampMs);
    lastRestoreMs[target] = later(newest.lastRestoreMs?.[target], own?.lastRestoreMs?.[target], state === 'serving' ? stampMs : null);
  }
  return { ...newest, observer, appliedMs, lastFlipMs, lastRestoreMs };
}

/**
 * The newest applied decision among every observer's records: by Route 53's change count where the
 * records carry it (no clock involved), then by decision time, then id; copies of one decision by
 * the later write (an adopted copy merges what its adopter knew: adoptedRecord), then observer.
 */
export function latestApplied(records: readonly AppliedDecision[]): AppliedDecision | null {
  let best: AppliedDecision | null = null;
  for (const record of records) {
    if (best === null) { best = record; continue; }
    const e = record.epoch ?? -1;
    const b = best.epoch ?? -1;
    const tie = e === b && record.decidedMs === best.decidedMs && record.decisionId === best.decisionId;
    // The same decision recorded twice (an adopted copy): the later copy knows at least what the first did.
    const laterCopy = tie && (record.appliedMs > best.appliedMs || (record.appliedMs === best.appliedMs && record.observer > best.observer));
    if (e > b || (e === b && (record.decidedMs > best.decidedMs || (record.decidedMs === best.decidedMs && record.decisionId > best.decisionId))) || laterCopy) best = record;
  }
  return best;
}
