/**
 * Data-plane mode, run side: after each decide pass, an observer publishes its vote for every
 * `health-check` target through the vote writer (CloudWatch metrics in `metric` mode). It never
 * touches the Route 53 control plane. The `gate` mechanism needs nothing here: the gate function
 * answers from the same decision, recomputed from its region's replica (see functions/gate.ts).
 *
 * A failed write is reported (log + `VoteWriteFailures` metric) and returned, never thrown: the
 * next pass, at most a minute later, writes again, and the alarm keeps the last vote meanwhile.
 */
import { dataPlaneTargets, settledVotes, voteMechanism, type AppliedDecision, type Decision, type Proposal, type VoteRecord } from '../domain';
import type { ObserverDeps } from './deps';

/** What a decision was made over: the applied state it changes from and the fresh proposals it counted. */
export interface VoteContext {
  lastApplied: AppliedDecision | null;
  proposals: readonly Proposal[];
}

/**
 * The vote records this observer should write for a decision (metric-mode targets only), settled:
 * an alarm's Maximum over its period is the OR of every vote written in it, so a drain following
 * a restore waits until the restore has cleared the alarm (vote-settle.ts), or maxDrained breaks.
 */
export function metricVoteRecords(deps: Pick<ObserverDeps, 'config' | 'observer'>, decision: Decision, context: VoteContext, nowMs: number): VoteRecord[] {
  const votes = settledVotes({ config: deps.config, nowMs, routing: decision.routing, changed: decision.changed, lastApplied: context.lastApplied, proposals: context.proposals });
  return dataPlaneTargets(deps.config)
    .filter((target) => voteMechanism(target) === 'metric')
    .map((target) => ({ observer: deps.observer, target: target.region, vote: votes[target.region]!, decisionId: decision.id }));
}

/**
 * Writes this observer's metric votes for a decision. Returns null, or the error message.
 * @example const error = await publishVotes(deps, decision, clock.nowMs(), { lastApplied, proposals });
 */
export async function publishVotes(deps: ObserverDeps, decision: Decision, nowMs: number, context: VoteContext): Promise<string | null> {
  const records = metricVoteRecords(deps, decision, context, nowMs);
  if (records.length === 0) return null;
  if (deps.votes === undefined) {
    deps.telemetry.error('metric-mode targets but no vote writer is wired: votes are not published', { targets: records.map((r) => r.target) });
    return 'no vote writer';
  }
  try {
    await deps.votes.writeVotes(records, nowMs);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.telemetry.error('vote write failed; the next decide pass writes again', { decisionId: decision.id, message });
    deps.telemetry.metric('VoteWriteFailures', 1, 'Count');
    return message;
  }
}
