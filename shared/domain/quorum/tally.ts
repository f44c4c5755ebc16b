/**
 * Quorum tallies: per target, how many observers' fresh verdicts say what.
 *
 * Freshness, on the reader's clock:
 *
 *   verdict written                        now
 *        │◀──────── verdictFreshnessMs ────────▶│   fresh: counted as written
 *        │◀──────────────── older ───────────────────▶│  stale: counted as unknown
 */
import { invariant } from '../assert';
import { quorumSize } from '../config';
import type { Region, Tally, VerdictSnapshot } from '../types';

/** The newest snapshot per observer (highest seq, then newest writtenMs). */
export function latestSnapshots(snapshots: readonly VerdictSnapshot[]): Map<Region, VerdictSnapshot> {
  const latest = new Map<Region, VerdictSnapshot>();
  for (const snapshot of snapshots) {
    const known = latest.get(snapshot.observer);
    if (known === undefined || snapshot.seq > known.seq || (snapshot.seq === known.seq && snapshot.writtenMs > known.writtenMs)) {
      latest.set(snapshot.observer, snapshot);
    }
  }
  return latest;
}

export interface TallyInput {
  target: Region;
  observers: readonly Region[];
  snapshots: ReadonlyMap<Region, VerdictSnapshot>;
  nowMs: number;
  freshnessMs: number;
  /**
   * How long a snapshot that judges anything `suspect` or `unhealthy` counts (default: `freshnessMs`).
   * An observer rewrites its snapshot every round while it judges anything unhealthy or suspect, so
   * such a snapshot that has not been rewritten for a few rounds is a dead or cut-off observer's last
   * word: every verdict in it goes unknown, its `healthy` ones too (a release or a restore must not
   * count the healthy verdicts of an observer that died watching another target fail).
   */
  failingFreshnessMs?: number;
  /**
   * When the reader first saw each observer's snapshot (the reader's clock). With it, a failing
   * verdict's age is measured on the reader's clock (robust to the writer's skew), while the writer's
   * stamp must still be within `freshnessMs` plus the clock bound (a snapshot arriving very late is stale).
   */
  seenMs?: ReadonlyMap<Region, number>;
}

/** Rounds a failing verdict stays counted without being rewritten (each round rewrites it), plus the clock bound. */
export const failingVerdictRounds = 4;
export const clockBoundMs = 1_000;

/** How long a failing verdict counts: `failingVerdictRounds` rounds and the clock bound. */
export function failingFreshnessMs(intervalMs: number): number {
  return failingVerdictRounds * intervalMs + clockBoundMs;
}

/** Whether a snapshot judges any target suspect or unhealthy: its writer then rewrites it every round. */
function judgesAnyFailing(snapshot: VerdictSnapshot): boolean {
  return Object.values(snapshot.verdicts).some((v) => v.status !== 'healthy');
}

/**
 * @example tallyTarget({ target: 'eu-west-1', observers, snapshots, nowMs, freshnessMs: 60000 }).unhealthy
 */
export function tallyTarget(input: TallyInput): Tally {
  const quorum = quorumSize(input.observers.length);
  const tally: Tally = { target: input.target, quorum, healthy: 0, suspect: 0, unhealthy: 0, unknown: 0, byObserver: {} };
  for (const observer of input.observers) {
    const snapshot = input.snapshots.get(observer);
    const verdict = snapshot?.verdicts[input.target];
    const writerAgeMs = snapshot === undefined ? Number.POSITIVE_INFINITY : input.nowMs - snapshot.writtenMs;
    const failing = verdict !== undefined && input.failingFreshnessMs !== undefined && judgesAnyFailing(snapshot!);
    const seenMs = input.seenMs?.get(observer);
    const fresh = snapshot !== undefined && verdict !== undefined && (!failing
      ? writerAgeMs <= input.freshnessMs
      : seenMs !== undefined
        ? input.nowMs - seenMs <= Math.min(input.freshnessMs, input.failingFreshnessMs!) && writerAgeMs <= input.freshnessMs + clockBoundMs
        : writerAgeMs <= Math.min(input.freshnessMs, input.failingFreshnessMs!));
    const status = fresh ? verdict.status : 'unknown';
    tally.byObserver[observer] = status;
    tally[status] += 1;
  }
  invariant(tally.healthy + tally.suspect + tally.unhealthy + tally.unknown === input.observers.length, 'tally counts every observer once');
  return tally;
}
