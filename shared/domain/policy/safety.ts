/**
 * Safety rules, above automation (DESIGN principle 4):
 *   - never fewer than `minServing` targets serving (only a forced override may go below);
 *   - never more than `maxDrained` targets drained by automation at once.
 * A rule that refuses an action turns it into a kept state plus a `Refusal`, never an exception.
 */
import { invariant } from '../assert';
import type { SafetyConfig } from '../config';
import type { ProposalCause, Refusal, Region, RoutingState } from '../types';

export interface SafetyEntry {
  target: Region;
  state: RoutingState;
  /** The state Route 53 was last set to by a decision. */
  lastState: RoutingState;
  cause: ProposalCause;
  /** Higher is more important to keep when something must give. */
  priority: number;
  /**
   * Kept at its last state because no quorum wanted any state (fail static). The rules may not
   * move it: restoring it would change routing without a quorum. A drain kept so counts like a
   * forced one (it can only be below minServing because an operator forced it, or the config changed).
   */
  failStatic?: boolean;
  /**
   * A drain held only by hysteresis that may yield to a new drain on verdicts (default): false when
   * the healthy quorum behind the hold counts a snapshot its writer may no longer be alive to rewrite
   * (policy/proposal.ts, releaseEvidence). A new drain on an alarm may still release it. Nothing else
   * about the hold changes.
   */
  releasable?: boolean;
}

const operatorCauses: ReadonlySet<ProposalCause> = new Set(['override', 'forced-override']);

function countServing(entries: readonly SafetyEntry[]): number {
  return entries.filter((e) => e.state === 'serving').length;
}

/**
 * Serving for the minServing rule: a forced drain counts as if serving, since the operator's force
 * excuses that rule for that target only. Nothing else is restored (or refused) to make up for it.
 */
function countServingForRule(entries: readonly SafetyEntry[]): number {
  return countServing(entries) + entries.filter((e) => e.state === 'drained' && e.cause === 'forced-override').length;
}

/**
 * Serving when deciding what to restore: a fail-static drain, which no quorum in this planner's view
 * explains (an operator's force not yet replicated here, or a newer decision), counts like a forced
 * one, so nothing is restored to make up for it. It does not count when admitting a new drain: that
 * would let a drain through on a drain this planner cannot explain.
 */
function countServingForRestore(entries: readonly SafetyEntry[]): number {
  return countServingForRule(entries) + entries.filter((e) => e.state === 'drained' && e.cause !== 'forced-override' && e.failStatic === true).length;
}

function countAutomaticDrains(entries: readonly SafetyEntry[]): number {
  return entries.filter((e) => e.state === 'drained' && !operatorCauses.has(e.cause)).length;
}

/** Lowest priority first; ties: later target first, so the outcome never depends on input order. */
function byPriorityAscending(a: SafetyEntry, b: SafetyEntry): number {
  return a.priority - b.priority || (a.target < b.target ? 1 : a.target > b.target ? -1 : 0);
}

/** Drains kept only by hysteresis (a quorum judges the target healthy again): they yield to real failures. */
export const heldCauses: ReadonlySet<ProposalCause> = new Set(['recovery-hold', 'cooldown']);
/** Causes of a drain on evidence that the target fails now. */
const evidenceCauses: ReadonlySet<ProposalCause> = new Set(['quorum-unhealthy', 'alarm']);

/**
 * maxDrained counts drains whose cause still holds: when a new drain on evidence would exceed it
 * and a drain held only by hysteresis is in place, the held one is released in the same decision.
 */
function releaseHeldDrain(entries: SafetyEntry[], entry: SafetyEntry, safety: SafetyConfig & { maxDrained: number }, minServing: number): boolean {
  if (!evidenceCauses.has(entry.cause)) return false;
  // A new drain on an alarm may release a hold `releasable` refuses: no round need fail an indicted
  // target, so no snapshot may be live enough (policy/proposal.ts, releaseEvidence).
  const held = entries.filter((e) => e.state === 'drained' && e.lastState === 'drained' && heldCauses.has(e.cause) && e.failStatic !== true && (e.releasable !== false || entry.cause === 'alarm')).sort(byPriorityAscending)[0];
  if (held === undefined) return false;
  const cause = held.cause;
  held.state = 'serving';
  held.cause = 'released';
  // Only a release that lets the new drain through is made: otherwise nothing would justify it.
  if (countServingForRule(entries) >= minServing && countAutomaticDrains(entries) <= safety.maxDrained) return true;
  held.state = 'drained';
  held.cause = cause;
  return false;
}

function refuseNewDrains(entries: SafetyEntry[], safety: SafetyConfig & { maxDrained: number }, refusals: Refusal[]): void {
  const newDrains = entries.filter((e) => e.state === 'drained' && e.lastState === 'serving' && e.cause !== 'forced-override').sort(byPriorityAscending);
  const minServing = Math.min(safety.minServing, entries.length);
  for (const entry of newDrains) {
    if (!operatorCauses.has(entry.cause) && countAutomaticDrains(entries) > safety.maxDrained && releaseHeldDrain(entries, entry, safety, minServing)) continue;
    if (countServingForRule(entries) < minServing) {
      refusals.push({ target: entry.target, rule: 'minServing', message: `minServing ${safety.minServing}: draining ${entry.target} would leave ${countServing(entries)} serving` });
    } else if (!operatorCauses.has(entry.cause) && countAutomaticDrains(entries) > safety.maxDrained) {
      refusals.push({ target: entry.target, rule: 'maxDrained', message: `maxDrained ${safety.maxDrained}: draining ${entry.target} would make ${countAutomaticDrains(entries)} drained by automation` });
    } else {
      continue;
    }
    entry.state = 'serving';
    entry.cause = 'safety-refused';
  }
}

/**
 * Restores held drains, lowest priority first, until minServing is met. A forced or fail-static
 * drain counts as serving here: the operator's force excuses the rule for that target, and a
 * fail-static drain may be one this planner cannot explain yet, so nothing is restored early
 * (against its recovery hold, or while it fails) to make up for either.
 */
function restoreHeldDrains(entries: SafetyEntry[], minServing: number): void {
  const held = entries.filter((e) => e.state === 'drained' && e.cause !== 'forced-override' && e.failStatic !== true).sort(byPriorityAscending);
  for (const entry of held) {
    if (countServingForRestore(entries) >= minServing) return;
    entry.state = 'serving';
    entry.cause = 'safety-restore';
  }
}

/**
 * Applies the rules to a set of desired states; returns the adjusted entries and what was refused.
 *
 * @example
 *   enforceSafety([{ target: 'a', state: 'drained', lastState: 'serving', cause: 'quorum-unhealthy', priority: 1 }], { minServing: 1, maxDrained: 1, ... })
 *   // → the drain is refused: it would leave 0 serving
 */
export function enforceSafety(input: readonly SafetyEntry[], safety: SafetyConfig & { maxDrained: number }): { entries: SafetyEntry[]; refusals: Refusal[] } {
  const entries = input.map((e) => ({ ...e }));
  const refusals: Refusal[] = [];
  const minServing = Math.min(safety.minServing, entries.length);
  refuseNewDrains(entries, safety, refusals);
  restoreHeldDrains(entries, minServing);
  const forced = entries.filter((e) => e.state === 'drained' && (e.cause === 'forced-override' || e.failStatic === true)).length;
  invariant(countServing(entries) + forced >= minServing, `safety: ${countServing(entries)} serving + ${forced} forced or fail-static drains < minServing ${minServing}`);
  const newAutomatic = entries.filter((e) => e.state === 'drained' && e.lastState === 'serving' && !operatorCauses.has(e.cause)).length;
  invariant(newAutomatic === 0 || countAutomaticDrains(entries) <= safety.maxDrained, `safety: automation drains ${countAutomaticDrains(entries)} > maxDrained ${safety.maxDrained}`);
  return { entries, refusals };
}

/** Servings left if `target` were drained now, for the API's 409 check. */
export function servingAfterDrain(routing: Readonly<Record<Region, RoutingState>>, target: Region): number {
  return Object.entries(routing).filter(([t, s]) => t !== target && s === 'serving').length;
}
