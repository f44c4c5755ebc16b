/**
 * An observer's proposal: the routing state it wants for every target, from everything it can see.
 *
 * Per target, first match wins:
 *   1. an active override                     → its action (cause `override` / `forced-override`)
 *   2. an indicting alarm in ALARM            → drained (`alarm`)
 *   3. a quorum of fresh `unhealthy` verdicts → drained (`quorum-unhealthy`)
 *   4. a quorum of fresh `healthy` verdicts   → serving; a drained target only after the quorum
 *      has held for `recoveryHoldMs` (`recovery-hold` until then), unless its drain was never
 *      voted (data plane: `unvoted`, withheld while a restore settled)
 *   5. otherwise                              → the last applied state (`no-quorum`: fail static)
 * Then hysteresis (drains never wait; a restore waits for `flipCooldownMs` after the drain and
 * 2 × that after the previous restore) and the safety rules (a drain held only by hysteresis is
 * released to make room, under maxDrained, for a new drain on evidence). Pure: the same inputs always give the same proposal.
 */
import { configHash, type ValidConfig } from '../config';
import { activeOverride, indexEnds } from '../overrides/overrides';
import { failingFreshnessMs, tallyTarget } from '../quorum/tally';
import type { AlarmSignal, AppliedDecision, Override, OverrideEnd, Proposal, ProposalCause, Region, RoutingState, Tally, TargetProposal, VerdictSnapshot } from '../types';
import { voteSettleMs } from '../dataplane/vote-settle';
import { dataPlaneTargets } from '../dataplane/votes';
import { evidenceOf, rememberedOverrideEnds, rememberedSnapshots } from './memory';
import { enforceSafety, heldCauses, type SafetyEntry } from './safety';

/**
 * Added to every hysteresis wait: a flip is stamped (on its decider's clock) just before its batch is
 * sent, and the batch may land a little later (bounded SDK retries); with the clock bound on top,
 * a restore never comes before the cooldown has passed in true time. A quarter of the cooldown,
 * at most 15 s (short cooldowns, as in the local run, get short margins).
 */
export const hysteresisMarginMsMax = 15_000;

export function hysteresisMarginMs(flipCooldownMs: number): number {
  return Math.min(hysteresisMarginMsMax, Math.floor(flipCooldownMs / 4));
}

/** An alarm signal older than this no longer counts (its OK event may have been lost). */
export const alarmSignalTtlMs = 6 * 3600 * 1000;

export interface ProposalInput {
  config: ValidConfig;
  observer: Region;
  nowMs: number;
  seq: number;
  snapshots: readonly VerdictSnapshot[];
  overrides: readonly Override[];
  overrideEnds: readonly OverrideEnd[];
  signals: readonly AlarmSignal[];
  lastApplied: AppliedDecision | null;
  /** This observer's previous proposal: carries how long a healthy quorum has held. */
  previous: Proposal | null;
  /**
   * Drains decided but never shown to Route 53 (data plane, `unvotedDrains`: withheld while a restore
   * settles). One a quorum judges healthy is restored at once, without recovery hold or cooldown:
   * it was never drained, so its drain would now be voted on evidence that has gone away.
   */
  unvoted?: ReadonlySet<Region>;
  /**
   * Data plane: when each drain in force was first voted (`drainVotedMs`: the earliest time a gate
   * is known to have voted it). A restore's cooldown counts from there when that is later than the
   * drain's decision (a vote withheld while a release settled).
   */
  drainVotedMs?: Readonly<Record<Region, number>>;
  /**
   * Data plane: the drains this observer's gate answers now (gateVotes over the same view, with its
   * previous proposal). None of them is marked `ownRoundPassed`: a gate may answer a drain before any
   * pass records its vote (from a quorum of proposals, before an applied record holds it), and the
   * mark would withdraw it, which Route 53 reads as a restore.
   */
  gateDrains?: ReadonlySet<Region>;
}

interface Desire {
  state: RoutingState;
  cause: ProposalCause;
  reason: string;
  healthyQuorumSinceMs: number | null;
  overrideId: string | null;
}

/** Alarms in ALARM whose config says `indict`, newest state per alarm, per target. */
export function indictingAlarms(config: ValidConfig, signals: readonly AlarmSignal[], nowMs: number): Map<Region, string[]> {
  const latest = new Map<string, AlarmSignal>();
  for (const signal of signals) {
    const known = latest.get(signal.alarmName);
    if (known === undefined || signal.changedMs > known.changedMs || (signal.changedMs === known.changedMs && signal.id > known.id)) latest.set(signal.alarmName, signal);
  }
  const byTarget = new Map<Region, string[]>();
  for (const alarm of config.alarms) {
    const signal = latest.get(alarm.name);
    if (alarm.effect !== 'indict' || signal === undefined || signal.state !== 'ALARM' || nowMs - signal.changedMs > alarmSignalTtlMs) continue;
    byTarget.set(alarm.target, [...(byTarget.get(alarm.target) ?? []), alarm.name]);
  }
  return byTarget;
}

function desireFromEvidence(input: ProposalInput, target: Region, tally: Tally, alarms: readonly string[], last: RoutingState): Desire {
  const none = { healthyQuorumSinceMs: null, overrideId: null };
  if (alarms.length > 0) return { ...none, state: 'drained', cause: 'alarm', reason: `alarm ${alarms.join(', ')} in ALARM` };
  if (tally.unhealthy >= tally.quorum) return { ...none, state: 'drained', cause: 'quorum-unhealthy', reason: `${tally.unhealthy} of ${input.config.observers.length} observers judge it unhealthy (quorum ${tally.quorum})` };
  if (tally.healthy >= tally.quorum) {
    const previous = input.previous?.targets[target]?.healthyQuorumSinceMs ?? null;
    const since = previous !== null && previous <= input.nowMs ? previous : input.nowMs;
    if (last === 'serving') return { ...none, healthyQuorumSinceMs: since, state: 'serving', cause: 'healthy', reason: `${tally.healthy} observers judge it healthy` };
    if (input.unvoted?.has(target) === true) return { ...none, healthyQuorumSinceMs: since, state: 'serving', cause: 'healthy', reason: `${tally.healthy} observers judge it healthy; its drain was never voted (withheld while a restore settled)` };
    const heldMs = input.nowMs - since;
    if (heldMs >= input.config.safety.recoveryHoldMs) return { ...none, healthyQuorumSinceMs: since, state: 'serving', cause: 'healthy', reason: `healthy by quorum for ${heldMs} ms (recoveryHoldMs ${input.config.safety.recoveryHoldMs})` };
    return { ...none, healthyQuorumSinceMs: since, state: 'drained', cause: 'recovery-hold', reason: `healthy by quorum for ${heldMs} ms of the ${input.config.safety.recoveryHoldMs} ms recovery hold` };
  }
  return { ...none, state: last, cause: 'no-quorum', reason: `no quorum (${tally.healthy} healthy, ${tally.suspect} suspect, ${tally.unhealthy} unhealthy, ${tally.unknown} unknown): keep ${last}` };
}

/**
 * When the drain of `target` was acted on: its decision, or for a data-plane target its gates voted
 * later, the first vote (drainVotedMs). Route 53 drains on the first gate's drain answer and
 * restores only when every gate has stopped, so the cooldown counts from that act, as it counts from
 * the decision when the vote came with it: Route 53 reads a "drain" (one answer fails the check)
 * faster than a "no drain" (every gate's, through FailureThreshold checker rounds), and the margin
 * covers the rest. Adding voteReadEstimateMs as well delayed every data-plane restore by 32 s more,
 * past the liveness a flood scenario allows (sim/dataplane/dataplane-sim.test.ts).
 */
function drainSeenMs(input: ProposalInput, target: Region): number | null {
  const decidedMs = input.lastApplied?.lastFlipMs[target] ?? null;
  const votedMs = input.drainVotedMs?.[target];
  if (votedMs === undefined) return decidedMs;
  return Math.max(decidedMs ?? Number.NEGATIVE_INFINITY, votedMs);
}

/**
 * Asymmetric hysteresis. A drain on evidence (a quorum unhealthy, an indicting alarm) is never held
 * back: a target that fails again right after a restore is drained at once. A restore waits for
 * `flipCooldownMs` after the drain (as Route 53 may show it: drainSeenMs), and for twice that after the previous restore (route-flap
 * dampening), so a target flaps at most once per 2 × cooldown while a dead one is never kept serving.
 */
function applyHysteresis(desire: Desire, last: RoutingState, input: ProposalInput, target: Region): Desire {
  if (desire.state === last || desire.state === 'drained' || desire.cause === 'override' || desire.cause === 'forced-override') return desire;
  if (input.unvoted?.has(target) === true) return desire; // Route 53 never saw it drained: no flip to dampen
  const cooldownMs = input.config.safety.flipCooldownMs;
  const drainMs = drainSeenMs(input, target);
  const lastRestoreMs = input.lastApplied?.lastRestoreMs?.[target] ?? null;
  const sinceFlipMs = drainMs === null ? Number.POSITIVE_INFINITY : input.nowMs - drainMs;
  const sinceRestoreMs = lastRestoreMs === null ? Number.POSITIVE_INFINITY : input.nowMs - lastRestoreMs;
  const marginMs = hysteresisMarginMs(cooldownMs);
  if (sinceFlipMs >= cooldownMs + marginMs && sinceRestoreMs >= 2 * cooldownMs + marginMs) return desire;
  const byVote = drainMs !== (input.lastApplied?.lastFlipMs[target] ?? null);
  const why = sinceFlipMs < cooldownMs + marginMs ? `${byVote ? 'its drain was first voted only' : 'drained'} ${sinceFlipMs} ms ago (flipCooldownMs ${cooldownMs})` : `last restored ${sinceRestoreMs} ms ago (a restore waits 2 × flipCooldownMs after the previous one)`;
  return { ...desire, state: last, cause: 'cooldown', reason: `${desire.reason}; restore held: ${why}` };
}

/**
 * Which drain to keep when minServing forces one back: the one with the worst evidence. A drain held
 * only by the recovery hold or the cooldown is judged healthy by a quorum, so it goes back before a
 * drain kept for want of a quorum (`no-quorum`). This also keeps proposals monotonic: one more
 * unhealthy verdict (which can turn `recovery-hold` into `no-quorum`) never raises a target's chance of serving.
 */
const causePriority: Record<ProposalCause, number> = {
  'forced-override': 5000, override: 4000, alarm: 3000, 'quorum-unhealthy': 2000, 'no-quorum': 1000,
  'recovery-hold': 100, cooldown: 100, healthy: 0, 'safety-refused': 0, 'safety-restore': 0, released: 0,
};

/**
 * The applied state a target's vote is made over (a vote to change counts only against it), when
 * the decision behind it was made, and by when this observer's gate answered from it: for a state
 * new since its previous proposal, when its own applied record was written (or now, for a
 * peer's record its replica brought) — or, if its previous proposal had gone stale by then, where
 * its peers stopped waiting for it — carried from proposal to proposal; without a previous
 * proposal, the decision time.
 * A peer's settle rule reads the last two (vote-settle.ts).
 *
 * @example fromStateOf(input, 'eu-west-1') // → { fromState: 'serving', fromSinceMs: 254_700, fromSeenMs: 261_000 } after a restore learned late
 */
export function fromStateOf(input: Pick<ProposalInput, 'config' | 'observer' | 'lastApplied' | 'previous' | 'nowMs'>, target: Region): Pick<TargetProposal, 'fromState' | 'fromSinceMs' | 'fromSeenMs'> {
  const fromState = input.lastApplied?.routing[target] ?? 'serving';
  const before = input.previous?.targets[target];
  // Only a change of state: the same state under another record of it (a peer's record of the same
  // change, adopted) changed nothing its gate answers.
  const flipped = before?.fromState !== undefined && before.fromState !== fromState;
  // A record that never flipped it (its decider never saw the drain) still changed it here: at that
  // record's decision, carried while the state lasts.
  const recordFlipMs = input.lastApplied?.lastFlipMs[target] ?? null;
  const fromSinceMs = recordFlipMs ?? (flipped ? input.lastApplied!.decidedMs : before?.fromState === fromState ? (before.fromSinceMs ?? null) : null);
  // Its own record switched its gate when written; a peer's record, when it reached this replica (by
  // now). But if its previous proposal had gone stale by then, its peers had stopped waiting for the
  // old state (and take an old vote as settled voteSettleMs on): an observer back from an outage
  // must not hold, on coming back, a drain its peers have voted since.
  const recordMs = input.lastApplied?.observer === input.observer ? Math.min(input.nowMs, input.lastApplied.appliedMs) : input.nowMs;
  const staleMs = input.previous === null ? Number.POSITIVE_INFINITY : input.previous.createdMs + input.config.probe.verdictFreshnessMs;
  const switchedMs = recordMs > staleMs ? Math.max(input.previous!.createdMs, staleMs - voteSettleMs(input.config)) : recordMs;
  const fromSeenMs = flipped ? switchedMs : before?.fromSeenMs === undefined ? fromSinceMs : before.fromSeenMs;
  return { fromState, fromSinceMs, fromSeenMs };
}

/**
 * Data-plane drains on a quorum's verdicts that no gate is known to have voted (drainVotedMs) and
 * whose target passed this observer's own latest probe round (TargetProposal.ownRoundPassed), in
 * the snapshots the proposal counts (`snapshots`): only a round read from the store has passes, one
 * remembered from an earlier pass keeps none. A stale round (an observer whose probes stopped after a
 * pass) still marks it, deliberately: the mark only keeps this observer's gate from beginning the
 * vote, and the observers whose fresh rounds fail it (the quorum behind the drain) vote it. Once a
 * gate votes the drain, or this observer's own gate answers it (gateDrains), the mark is gone: it
 * only keeps a vote from beginning, never withdraws one.
 */
function ownRoundPassed(input: ProposalInput, snapshots: ReadonlyMap<Region, VerdictSnapshot>, entries: readonly SafetyEntry[]): Set<Region> {
  const gated = new Set(dataPlaneTargets(input.config).map((t) => t.region));
  const own = snapshots.get(input.observer);
  const passed = new Set<Region>();
  for (const entry of entries) {
    if (entry.state !== 'drained' || entry.cause !== 'quorum-unhealthy' || !gated.has(entry.target) || input.drainVotedMs?.[entry.target] !== undefined || input.gateDrains?.has(entry.target) === true) continue;
    if ((own?.verdicts[entry.target]?.consecutivePasses ?? 0) > 0) passed.add(entry.target);
  }
  return passed;
}

/**
 * Whether a drain held only by hysteresis may be released for a new drain: a quorum judges its
 * target healthy in snapshots no older than a failing verdict may be (failingFreshnessMs: a few
 * rounds). A release is a change, and its evidence must be live: a snapshot that judges everything
 * healthy is rewritten only every verdictRefreshMs, so within verdictFreshnessMs it may be a dead
 * observer's last word (generated gate 265: a held drain released for a new failure on the
 * all-healthy snapshot of an observer dead for 13 s, while the one other live observer that
 * judged it healthy was the only one). The observers whose rounds fail the new target rewrite their
 * snapshots every round, so their verdicts count. The hold itself, a restore after it, and a release
 * for a drain on an alarm (which no round need fail, safety.ts) still count every fresh verdict.
 * The price: where a release needs an all-healthy observer's verdict, it waits for a pass within
 * failingFreshnessMs of that observer's refresh (about once per verdictRefreshMs; no generated run
 * failed on it, and none was measured for how long it waited), and two such observers in one quorum (R ≥ 5) must refresh within that of each other.
 */
function releaseEvidence(input: ProposalInput, target: Region, snapshots: ReadonlyMap<Region, VerdictSnapshot>, seen: ReadonlyMap<Region, number>): boolean {
  const liveMs = failingFreshnessMs(input.config.probe.intervalMs);
  const tally = tallyTarget({ target, observers: input.config.observers, snapshots, nowMs: input.nowMs, freshnessMs: Math.min(liveMs, input.config.probe.verdictFreshnessMs), failingFreshnessMs: liveMs, seenMs: seen });
  return tally.healthy >= tally.quorum;
}

/**
 * Computes this observer's proposal.
 * @example const proposal = computeProposal({ config, observer: 'us-east-1', nowMs, seq: 7, snapshots, overrides: [], overrideEnds: [], signals: [], lastApplied: null, previous: null });
 */
export function computeProposal(input: ProposalInput): Proposal {
  const { config, nowMs } = input;
  const { latest: snapshots, seen } = rememberedSnapshots(input.snapshots, input.previous, nowMs);
  const knownEnds = rememberedOverrideEnds(input.overrideEnds, input.overrides, input.previous, nowMs);
  const ends = indexEnds(knownEnds);
  const alarms = indictingAlarms(config, input.signals, nowMs);
  const tallies = new Map<Region, Tally>();
  const desires = new Map<Region, Desire>();
  for (const { region: target } of config.targets) {
    const tally = tallyTarget({ target, observers: config.observers, snapshots, nowMs, freshnessMs: config.probe.verdictFreshnessMs, failingFreshnessMs: failingFreshnessMs(config.probe.intervalMs), seenMs: seen });
    tallies.set(target, tally);
    const last = input.lastApplied?.routing[target] ?? 'serving';
    const override = activeOverride(target, input.overrides, ends, nowMs);
    const desire: Desire = override !== null
      ? { state: override.action === 'drain' ? 'drained' : 'serving', cause: override.force ? 'forced-override' : 'override', reason: `override ${override.id} by ${override.actor}: ${override.reason}`, healthyQuorumSinceMs: null, overrideId: override.id }
      : applyHysteresis(desireFromEvidence(input, target, tally, alarms.get(target) ?? [], last), last, input, target);
    desires.set(target, desire);
  }
  const entries: SafetyEntry[] = config.targets.map(({ region: target }) => {
    const desire = desires.get(target)!;
    const releasable = heldCauses.has(desire.cause) ? releaseEvidence(input, target, snapshots, seen) : undefined;
    return { target, state: desire.state, lastState: input.lastApplied?.routing[target] ?? 'serving', cause: desire.cause, priority: causePriority[desire.cause] + tallies.get(target)!.unhealthy, ...(releasable === false ? { releasable } : {}) };
  });
  const safe = enforceSafety(entries, config.safety);
  const passedOwnRound = ownRoundPassed(input, snapshots, safe.entries);
  const targets: Record<Region, TargetProposal> = {};
  for (const entry of safe.entries) {
    const desire = desires.get(entry.target)!;
    const refusal = safe.refusals.find((r) => r.target === entry.target);
    const reason = entry.cause === desire.cause ? desire.reason : `${desire.reason}; ${refusal?.message ?? `restored to keep minServing ${config.safety.minServing}`}`;
    targets[entry.target] = { target: entry.target, state: entry.state, cause: entry.cause, reason, tally: tallies.get(entry.target)!, healthyQuorumSinceMs: desire.healthyQuorumSinceMs, overrideId: desire.overrideId, ...fromStateOf(input, entry.target), ...(passedOwnRound.has(entry.target) ? { ownRoundPassed: true as const } : {}) };
  }
  const fromEpoch = input.lastApplied?.epoch;
  return { observer: input.observer, seq: input.seq, createdMs: nowMs, configHash: configHash(config), ...(fromEpoch === undefined ? {} : { fromEpoch }), targets, refusals: safe.refusals, evidence: evidenceOf(snapshots, seen), ...(knownEnds.length === 0 ? {} : { overrideEnds: knownEnds }) };
}
