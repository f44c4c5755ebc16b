/**
 * The gate's answer: what an observer's public endpoint says to Route 53 health checkers.
 *
 *   GET /drain/<target>   200 "drain"     this observer's decision drains the target
 *                         404 "no-drain"  serving, unknown, or not a data-plane target
 *   anything else         404
 *
 * The child health check is Inverted, so only a 200 counts as a drain vote: an error, a timeout
 * or a dead region reads as "no drain". The gate never drains anything by failing.
 */
import type { ValidConfig } from '../config';
import { decide, latestApplied } from '../decision/decision';
import type { AppliedDecision, Decision, Proposal, Routing } from '../types';
import { observerVotes } from './votes';

export interface GateAnswer {
  status: 200 | 404;
  body: string;
}

const drainPathPattern = /^\/drain\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\/?$/;

/**
 * @example gateAnswer(config, { 'eu-west-1': 'drained' }, '/drain/eu-west-1') // → { status: 200, body: 'drain' }
 */
export function gateAnswer(config: ValidConfig, routing: Routing | null, path: string): GateAnswer {
  const match = drainPathPattern.exec(path);
  if (match === null) return { status: 404, body: 'no-drain: unknown path (expected /drain/<target region>)' };
  const vote = observerVotes(config, routing)[match[1]!];
  if (vote === undefined) return { status: 404, body: `no-drain: ${match[1]} is not a health-check target` };
  return vote === 'drain' ? { status: 200, body: 'drain' } : { status: 404, body: 'no-drain' };
}

/**
 * The routing an observer's gate answers from: this observer's decision, recomputed from its
 * region's replica exactly as the decide pass computes it (a quorum of fresh proposals, safety
 * rules, the last applied state where no quorum exists). It needs no Route 53 call at all.
 *
 * @example gateRouting({ config, nowMs, proposals: view.proposals, applied: view.applied }).routing
 */
export function gateRouting(input: { config: ValidConfig; nowMs: number; proposals: readonly Proposal[]; applied: readonly AppliedDecision[] }): Decision {
  const lastApplied = latestApplied(input.applied);
  return decide({ config: input.config, nowMs: input.nowMs, proposals: input.proposals, lastApplied, proposalFreshnessMs: input.config.probe.verdictFreshnessMs });
}
