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
    const fresh = snapshot !== undefined && verdict !== undefined && input.nowMs - snapshot.writtenMs <= input.freshnessMs;
    const status = fresh ? verdict.status : 'unknown';
    tally.byObserver[observer] = status;
    tally[status] += 1;
  }
  invariant(tally.healthy + tally.suspect + tally.unhealthy + tally.unknown === input.observers.length, 'tally counts every observer once');
  return tally;
}
