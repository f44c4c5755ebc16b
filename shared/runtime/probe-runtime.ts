/**
 * The probe side of an observer: probe rounds, fast confirmation, verdict snapshots.
 *
 * One round, for a target that just failed (failureThreshold 3, confirmCount 2):
 *
 *   t0 probe ✗ (timeout T) → suspect ─┬─ publish probe-now (peers probe this target at once)
 *                                     ├─ +1 s confirm sent ─ ✗ at +1 s+T (2 failures)
 *                                     └─ +2 s confirm sent ─ ✗ at +2 s+T (3 failures) → unhealthy → written + published
 *   Confirmations are pipelined: each leaves `confirmSpacingMs` after the previous one was sent.
 *
 * The loop keeps its snapshot in memory and writes it when a verdict changes or every
 * `verdictRefreshMs`; a conditional write (seq + 1) detects a concurrent writer (a probe-now
 * invocation), and the loop then re-reads and re-applies its evaluations (bounded retries).
 */
import {
  evaluateProbe, initialVerdict, invariant, markSuspectBySignal, stepVerdict, withPassesOf,
  type ProbeEvaluation, type Region, type TargetConfig, type VerdictSnapshot, type VerdictStep,
} from '../domain';
import { ConflictError } from '../ports';
import type { ObserverDeps } from './deps';

/** Conditional-write retries before a round gives up (the next round tries again). */
export const snapshotCommitAttemptsMax = 3;

export interface RoundOutcome {
  snapshot: VerdictSnapshot;
  changed: Region[];
  confirmRequested: Region[];
  written: boolean;
}

type Evaluations = Map<Region, ProbeEvaluation[]>;

export class ProbeRuntime {
  private snapshot: VerdictSnapshot | null = null;
  private commitQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ObserverDeps) {}

  /** The in-memory snapshot (null before the first round). */
  current(): VerdictSnapshot | null {
    return this.snapshot;
  }

  private emptySnapshot(nowMs: number): VerdictSnapshot {
    const verdicts: VerdictSnapshot['verdicts'] = {};
    for (const target of this.deps.config.targets) verdicts[target.region] = initialVerdict(target.region, target.endpoints.length, nowMs);
    return { observer: this.deps.observer, seq: 0, writtenMs: 0, verdicts };
  }

  private async load(): Promise<VerdictSnapshot> {
    const stored = await this.deps.store.readOwnSnapshot(this.deps.observer);
    const base = this.emptySnapshot(this.deps.clock.nowMs());
    if (stored === null) return base;
    return { ...stored, verdicts: { ...base.verdicts, ...stored.verdicts } };
  }

  private targetConfig(region: Region): TargetConfig {
    const target = this.deps.config.targets.find((t) => t.region === region);
    invariant(target !== undefined, `probe: unknown target ${region}`);
    return target;
  }

  private async probeTarget(target: TargetConfig): Promise<ProbeEvaluation[]> {
    const results = await Promise.all(target.endpoints.map((endpoint, i) => this.deps.prober.probe(target.region, i, endpoint)));
    return results.map((result, i) => evaluateProbe(target.endpoints[i]!, result));
  }

  private applyEvaluations(base: VerdictSnapshot, evaluations: Evaluations, nowMs: number): { snapshot: VerdictSnapshot; steps: Map<Region, VerdictStep> } {
    const verdicts = { ...base.verdicts };
    const steps = new Map<Region, VerdictStep>();
    for (const [region, evals] of evaluations) {
      const target = this.targetConfig(region);
      const step = stepVerdict(verdicts[region] ?? initialVerdict(region, target.endpoints.length, nowMs), evals, target.endpoints, this.deps.config.probe, nowMs);
      verdicts[region] = step.verdict;
      steps.set(region, step);
    }
    return { snapshot: { ...base, verdicts }, steps };
  }

  /**
   * Commits run one at a time (a round, pipelined confirmations and other targets' confirmations
   * finish concurrently): each steps the snapshot the previous one left, so none loses the race
   * on the snapshot's seq and none is re-read from the store.
   */
  private commit(evaluations: Evaluations, force: boolean): Promise<{ steps: Map<Region, VerdictStep>; written: boolean }> {
    const next = this.commitQueue.then(() => this.commitNow(evaluations, force));
    this.commitQueue = next.catch(() => undefined);
    return next;
  }

  /** Steps verdicts and writes the snapshot when something changed or a refresh is due. */
  private async commitNow(evaluations: Evaluations, force: boolean): Promise<{ steps: Map<Region, VerdictStep>; written: boolean }> {
    let base = this.snapshot ?? (await this.load());
    for (let attempt = 1; ; attempt += 1) {
      const nowMs = this.deps.clock.nowMs();
      const { snapshot, steps } = this.applyEvaluations(base, evaluations, nowMs);
      const changed = [...steps.values()].some((s) => s.changed);
      // While anything is suspect or unhealthy the snapshot is rewritten (and published) every round:
      // a failing verdict counts only while it is being rewritten (tally: failingFreshnessMs).
      const failing = Object.values(snapshot.verdicts).some((v) => v.status !== 'healthy');
      const refreshMs = failing ? this.deps.config.probe.intervalMs : this.deps.config.probe.verdictRefreshMs;
      // A failing target's first passing round is written at once: the decide pass and the gate must
      // not act on a failure this observer has just seen end (TargetProposal.ownRoundPassed).
      const answered = [...steps].some(([region, s]) => s.verdict.status !== 'healthy' && s.verdict.consecutivePasses > 0 && (base.verdicts[region]?.consecutivePasses ?? 0) === 0);
      const due = force || changed || answered || nowMs - base.writtenMs >= refreshMs;
      if (!due) {
        this.snapshot = snapshot;
        return { steps, written: false };
      }
      const next = { ...snapshot, seq: base.seq + 1, writtenMs: nowMs };
      try {
        await this.deps.store.putSnapshot(next);
        this.snapshot = next;
        // Changes always; while something fails, every other rewrite too (peers count a failing
        // verdict only while it is being rewritten; replication brings the rest).
        if (changed || (failing && next.seq % 2 === 0)) await this.publishSnapshot(next);
        return { steps, written: true };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= snapshotCommitAttemptsMax) throw error;
        this.deps.telemetry.warn('verdict snapshot changed underneath; re-reading', { attempt });
        base = withPassesOf(await this.load(), this.snapshot);
      }
    }
  }

  private async publishSnapshot(snapshot: VerdictSnapshot): Promise<void> {
    await this.deps.bus.publish([{ type: 'verdicts', observer: this.deps.observer, snapshot }]);
  }

  private async requestPeerProbes(targets: readonly Region[], reason: string): Promise<void> {
    if (targets.length === 0) return;
    const requestedMs = this.deps.clock.nowMs();
    await this.deps.bus.publish(targets.map((target) => ({ type: 'probe-now' as const, observer: this.deps.observer, target, reason, requestedMs })));
  }

  /** Re-probes a suspect target up to `confirmCount` times, `confirmSpacingMs` apart, while it stays suspect. */
  private async confirm(region: Region): Promise<boolean> {
    const { confirmCount, confirmSpacingMs } = this.deps.config.probe;
    const inFlight: Array<Promise<boolean>> = [];
    for (let i = 0; i < confirmCount; i += 1) {
      if (this.snapshot?.verdicts[region]?.status !== 'suspect') break;
      await this.deps.clock.sleepMs(confirmSpacingMs);
      // Stop sending once an earlier confirmation has settled the verdict either way.
      if (this.snapshot?.verdicts[region]?.status !== 'suspect') break;
      // Pipelined: the next confirmation leaves `confirmSpacingMs` after this one, not after its timeout.
      const confirmation = this.probeTarget(this.targetConfig(region)).then(async (evaluations) => {
        const { steps } = await this.commit(new Map([[region, evaluations]]), false);
        return steps.get(region)?.changed ?? false;
      });
      // Observed at once: a confirmation that fails (the store refusing its write) while the next one
      // is still being spaced out must not be an unhandled rejection, which ends a Lambda container;
      // Promise.all below still reports it.
      confirmation.catch(() => undefined);
      inFlight.push(confirmation);
    }
    const changes = await Promise.all(inFlight);
    return changes.some(Boolean);
  }

  /**
   * One probe round over `targets` (default: all), with fast confirmation.
   * `askPeers` is false when this round answers a peer's probe-now (no request storms).
   */
  async round(options: { targets?: readonly Region[]; askPeers?: boolean } = {}): Promise<RoundOutcome> {
    if (this.snapshot === null) this.snapshot = await this.load();
    const regions = options.targets ?? this.deps.config.targets.map((t) => t.region);
    // A failing target that answers is committed as soon as it does, not when the round's slowest
    // probe times out (up to a timeout later): its first pass is written at once (commitNow).
    const early = new Map<Region, VerdictStep>();
    let earlyWritten = false;
    const probed = await Promise.all(regions.map(async (region) => {
      const evaluations = await this.probeTarget(this.targetConfig(region));
      const verdict = this.snapshot?.verdicts[region];
      if (verdict === undefined || verdict.status === 'healthy' || verdict.consecutivePasses > 0 || !evaluations.every((e) => e.pass)) return [region, evaluations] as const;
      const committed = await this.commit(new Map([[region, evaluations]]), false);
      for (const [r, s] of committed.steps) early.set(r, s);
      earlyWritten ||= committed.written;
      return null;
    }));
    const rest = await this.commit(new Map(probed.filter((p) => p !== null)), false);
    const steps = new Map([...early, ...rest.steps]);
    const written = earlyWritten || rest.written;
    const newlySuspect = [...steps].filter(([, s]) => s.changed && s.verdict.status === 'suspect').map(([r]) => r);
    if (options.askPeers !== false) await this.requestPeerProbes(newlySuspect, 'first failure');
    const confirming = [...steps].filter(([, s]) => s.confirmNow).map(([r]) => r);
    const confirmedChanges = await Promise.all(confirming.map(async (region) => ((await this.confirm(region)) ? region : null)));
    const changed = [...steps].filter(([, s]) => s.changed).map(([r]) => r);
    for (const region of confirmedChanges) if (region !== null && !changed.includes(region)) changed.push(region);
    return { snapshot: this.snapshot!, changed, confirmRequested: newlySuspect, written };
  }

  /** A `confirm` alarm: mark the target suspect (one failure) and re-probe at once. */
  async onAlarm(region: Region, alarmName: string): Promise<RoundOutcome> {
    if (this.snapshot === null) this.snapshot = await this.load();
    const verdict = this.snapshot.verdicts[region];
    if (verdict !== undefined) {
      const step = markSuspectBySignal(verdict, `alarm ${alarmName} in ALARM`, this.deps.clock.nowMs());
      this.snapshot = { ...this.snapshot, verdicts: { ...this.snapshot.verdicts, [region]: step.verdict } };
    }
    return this.round({ targets: [region], askPeers: false });
  }

  /**
   * Answers a 'probe-now' event: one round for that target without asking peers again.
   * A region's own requests come back to it through its bus rules: those are ignored (its loop
   * is already confirming), unless they carry an alarm, which every observer must act on.
   */
  async answerProbeNow(request: { observer: Region; target: Region; alarmName?: string }): Promise<RoundOutcome | null> {
    if (!this.deps.config.targets.some((t) => t.region === request.target)) return null;
    if (request.alarmName !== undefined) return this.onAlarm(request.target, request.alarmName);
    if (request.observer === this.deps.observer) return null;
    return this.round({ targets: [request.target], askPeers: false });
  }

  /** Writes the snapshot now even if nothing changed (end of a Lambda invocation). */
  async flush(): Promise<void> {
    if (this.snapshot === null) return;
    await this.commit(new Map(), true);
  }
}
