/**
 * The gate behind an observer's function URL: answers Route 53 health checkers from this
 * observer's settled votes (gateVotes over the local replica), cached briefly so a checker fleet
 * probing every 10 s from many places costs a few reads a second at most.
 *
 *   request ─▶ cache younger than gateCacheMs? ─yes─▶ answer from it
 *                    │ no
 *                    ▼
 *              read the replica (bounded by gateReadTimeoutMs)
 *                ok ─▶ new cache, answer
 *                fails ─▶ cache younger than gateStaleMsMax? answer from it : 404 "no-drain"
 *
 * A gate that cannot read its replica stops voting drain after gateStaleMsMax: an Inverted child
 * reads its 404 as "no drain", exactly as it reads a dead region.
 */
import { gateAnswer, gateAnswerCacheMs, gateVotes, type GateAnswer, type Region, type ValidConfig, type VerdictSnapshot, type Vote } from '../../domain';
import type { Clock, Store, Telemetry } from '../../ports';

/** Health checkers probe each gate every 10 s from ~15 places: answers within this age are reused. */
export const gateCacheMs = gateAnswerCacheMs;
/** How long a gate keeps answering its last decision while its replica cannot be read. */
export const gateStaleMsMax = 120_000;
/** A replica read slower than this counts as failed (Route 53 waits 4 s for an HTTPS answer). */
export const gateReadTimeoutMs = 2_500;

interface CachedVotes {
  votes: Record<Region, Vote>;
  readMs: number;
}

export class DataPlaneGate {
  private cached: CachedVotes | null = null;
  /** The last own snapshot this container read: a failed read settles with it, so the answer does not flip with the read's luck. */
  private ownSnapshotRead: VerdictSnapshot | null | undefined = undefined;

  constructor(private readonly deps: { config: ValidConfig; observer: Region; store: Store; clock: Clock; telemetry: Telemetry }) {}

  /**
   * @example await gate.answer('/drain/eu-west-1') // → { status: 200, body: 'drain' } while a quorum drains it
   */
  async answer(path: string): Promise<GateAnswer & { source: 'fresh' | 'cache' | 'stale' | 'none' }> {
    const nowMs = this.deps.clock.nowMs();
    if (this.cached !== null && nowMs - this.cached.readMs < gateCacheMs) return { ...gateAnswer(this.cached.votes, path), source: 'cache' };
    try {
      const store = this.deps.store;
      const startedMs = Date.now();
      const view = await withTimeout(store.readVotingView === undefined ? store.readView(nowMs) : store.readVotingView(nowMs), gateReadTimeoutMs);
      const input = { config: this.deps.config, nowMs, proposals: view.proposals, applied: view.applied, observer: this.deps.observer };
      let votes = gateVotes(input);
      // Its observer's own newest round can only turn a drain into "no drain" (a drain no gate is
      // known to have voted does not begin once that round passed), so it is read only while the
      // gate votes a drain: an item more per fresh answer during a drain, none otherwise.
      // Both reads share gateReadTimeoutMs, so an answer stays inside Route 53's 4 s.
      if (Object.values(votes).includes('drain')) votes = gateVotes({ ...input, ownSnapshot: await this.ownSnapshot(gateReadTimeoutMs - (Date.now() - startedMs)) });
      this.cached = { votes, readMs: nowMs };
      return { ...gateAnswer(votes, path), source: 'fresh' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.telemetry.error('gate: replica read failed', { message, cachedAgeMs: this.cached === null ? null : nowMs - this.cached.readMs });
      this.deps.telemetry.metric('GateReadFailures', 1, 'Count');
      if (this.cached !== null && nowMs - this.cached.readMs <= gateStaleMsMax) return { ...gateAnswer(this.cached.votes, path), source: 'stale' };
      return { ...gateAnswer(null, path), source: 'none' };
    }
  }

  /**
   * Its observer's own snapshot, within `budgetMs`. Unreadable (or out of time): the last one this
   * container read, or none (the proposal's mark alone settles the votes), and the failure is reported.
   */
  private async ownSnapshot(budgetMs: number): Promise<VerdictSnapshot | null | undefined> {
    try {
      if (budgetMs <= 0) throw new Error('no time left after the voting view');
      this.ownSnapshotRead = await withTimeout(this.deps.store.readOwnSnapshot(this.deps.observer), budgetMs);
    } catch (error) {
      this.deps.telemetry.error('gate: own snapshot read failed; settling by the last one read', { message: error instanceof Error ? error.message : String(error), lastRead: this.ownSnapshotRead !== undefined });
      this.deps.telemetry.metric('GateReadFailures', 1, 'Count');
    }
    return this.ownSnapshotRead;
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`replica read took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
