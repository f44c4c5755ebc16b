/**
 * The gate's answer: what an observer's public endpoint says to Route 53 health checkers.
 *
 *   GET /drain/<target>   200 "drain"     this observer's settled vote drains the target
 *   anything else         404 "no-drain"  (serving, unknown, not a data-plane target, any other path)
 *
 * The child health check is Inverted, so only a 200 counts as a drain vote: an error, a timeout
 * or a dead region reads as "no drain". The gate never drains anything by failing.
 */
import type { ValidConfig } from '../config';
import { decide, latestApplied } from '../decision/decision';
import type { AppliedDecision, Decision, Proposal, Region, VerdictSnapshot } from '../types';
import { settledVotes } from './vote-settle';
import { dataPlaneTargets, type Vote } from './votes';

export interface GateAnswer {
  status: 200 | 404;
  body: 'drain' | 'no-drain';
}

const drainPathPattern = /^\/drain\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\/?$/;

/**
 * The answer to one request: exactly "drain" (200) or "no-drain" (404), nothing else — not why,
 * not which targets exist, not which path would have worked. A null `votes` (no view) is no-drain.
 *
 * @example gateAnswer({ 'eu-west-1': 'drain' }, '/drain/eu-west-1') // → { status: 200, body: 'drain' }
 */
export function gateAnswer(votes: Readonly<Record<Region, Vote>> | null, path: string): GateAnswer {
  const match = drainPathPattern.exec(path);
  const vote = match === null ? undefined : votes?.[match[1]!];
  return vote === 'drain' ? { status: 200, body: 'drain' } : { status: 404, body: 'no-drain' };
}

export interface GateInput {
  config: ValidConfig;
  nowMs: number;
  proposals: readonly Proposal[];
  applied: readonly AppliedDecision[];
  /** The observer whose gate this is: its own proposal must back any change of a gate-voted target (decide's `decider`). */
  observer?: Region;
  /** That observer's own newest verdict snapshot (SettleInput.ownSnapshot). */
  ownSnapshot?: VerdictSnapshot | null;
}

/**
 * The routing an observer's gate answers from: this observer's decision, recomputed from its
 * region's replica exactly as the decide pass computes it (a quorum of fresh proposals, the
 * observer's own among them for a change, safety rules, the last applied state where no quorum
 * exists). It needs no Route 53 call at all.
 *
 * @example gateRouting({ config, nowMs, proposals: view.proposals, applied: view.applied, observer }).routing
 */
/** The targets Route 53 reads through gates: one live gate's drain vote fails them (calculatedThreshold), so its own proposal must back a change. */
function gateTargets(config: ValidConfig): Region[] {
  return dataPlaneTargets(config).map((t) => t.region);
}

export function gateRouting(input: GateInput): Decision {
  const lastApplied = latestApplied(input.applied);
  const decider = input.observer === undefined ? {} : { decider: { observer: input.observer, targets: gateTargets(input.config) } };
  return decide({ config: input.config, nowMs: input.nowMs, proposals: input.proposals, lastApplied, proposalFreshnessMs: input.config.probe.verdictFreshnessMs, ...decider });
}

/**
 * What the gate votes: its decision (gateRouting), settled so that Route 53 never sees this
 * observer vote more than maxDrained targets at once (vote-settle.ts).
 *
 * @example gateVotes({ config, nowMs, proposals: view.proposals, applied: view.applied, observer: 'eu-west-1' })['us-east-1'] // → 'drain'
 */
export function gateVotes(input: GateInput): Record<Region, Vote> {
  const decision = gateRouting(input);
  return settledVotes({ config: input.config, nowMs: input.nowMs, routing: decision.routing, changed: decision.changed, lastApplied: latestApplied(input.applied), proposals: input.proposals, ...(input.observer === undefined ? {} : { observer: input.observer }), ...(input.ownSnapshot === undefined ? {} : { ownSnapshot: input.ownSnapshot }) });
}
