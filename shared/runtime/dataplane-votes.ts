/**
 * Data-plane mode, run side: after each decide pass, an observer publishes its vote for every
 * `health-check` target through the vote writer (CloudWatch metrics in `metric` mode). It never
 * touches the Route 53 control plane. The `gate` mechanism needs nothing here: the gate function
 * answers from the same decision, recomputed from its region's replica (see functions/gate.ts).
 *
 * A failed write is reported (log + `VoteWriteFailures` metric) and returned, never thrown: the
 * next pass, at most a minute later, writes again, and the alarm keeps the last vote meanwhile.
 */
import { dataPlaneTargets, observerVotes, voteMechanism, type Decision, type VoteRecord } from '../domain';
import type { ObserverDeps } from './deps';

/** The vote records this observer should write for a decision (metric-mode targets only). */
export function metricVoteRecords(deps: Pick<ObserverDeps, 'config' | 'observer'>, decision: Decision): VoteRecord[] {
  const votes = observerVotes(deps.config, decision.routing);
  return dataPlaneTargets(deps.config)
    .filter((target) => voteMechanism(target) === 'metric')
    .map((target) => ({ observer: deps.observer, target: target.region, vote: votes[target.region]!, decisionId: decision.id }));
}

/**
 * Writes this observer's metric votes for a decision. Returns null, or the error message.
 * @example const error = await publishVotes(deps, decision, clock.nowMs());
 */
export async function publishVotes(deps: ObserverDeps, decision: Decision, nowMs: number): Promise<string | null> {
  const records = metricVoteRecords(deps, decision);
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
