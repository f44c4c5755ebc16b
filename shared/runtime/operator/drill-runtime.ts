/**
 * Drills: `shadow` predicts, `evacuate` really drains a target through an override, measures and
 * restores. Each drill runs inside one invocation of the drill function.
 *
 * Evacuate, one invocation (t0 = the override is written):
 *
 *   t0 ─ drain-decision ─▶ td ─ drain-insync ─▶ ti ─ drain-weight ─▶ tw ─ hold ─▶ end override
 *      ─ restore-decision ─▶ ─ restore-insync ─▶ ─ restore-weight ─▶ report
 *
 *   rto = tw - t0 (the target's weight reads 0), compared with rtoSecondsMax.
 *
 * A data-plane target (route53.mode: health-check) has no weight to watch and no change to wait
 * for: after the decision, the drill polls `drain-vote`, until this observer's vote on the target
 * (what its gate answers, recomputed from its replica as the gate does) says drain; rto = that
 * moment − t0. Route 53's checkers read the vote after that (gate: FailureThreshold × 10 s; metric:
 * the alarm's minute and Route 53's read): the phase says so, predicted, not observed.
 *
 * The override's TTL is holdSeconds, so the target comes back even if the invocation dies.
 * The hold is capped: the drill ends the override early at the latest when only the restore
 * budget (rtoSecondsMax + the longer of recoveryHoldMs and flipCooldownMs) is left in the
 * invocation; the cap is noted in the report. An invocation that finds a drill abandoned by an
 * earlier one (its override expired) finishes the report as failed.
 *
 * Scheduled drills run once per tick across all regions. Every observer's stack carries every
 * schedule (so a region that is down does not stop it), and every firing names the same drill id,
 * `sched-<name>-<tick>` (see scheduleTickMs). The first region to write that id claims the tick;
 * the others find it and skip, saying why:
 *
 *   tick ─┬─ observer #0 claims at once (conditional put of the new id)
 *         ├─ observer #1 waits 1 × drillClaimStaggerMs, reads the id: there → skip
 *         └─ observer #2 waits 2 × drillClaimStaggerMs, reads the id: there → skip
 *
 * The conditional put alone is not enough across regions: a Global Table checks conditions on
 * the local replica only, so two regions writing the same second would both win. The stagger,
 * longer than replication normally takes, keeps them apart; if #0 is down, #1 claims the tick.
 */
import {
  bindingMode, gateVotes, latestApplied, latestSnapshots, parseScheduleExpression, scheduleTickMs, voteReadEstimateMs,
  type AppliedDecision, type Override, type OverrideEnd, type Region, type TargetConfig, type ValidConfig,
} from '../../domain';
import { AlreadyExistsError, ArbiterError, ConflictError, type DrillPhase, type DrillRecord, type StoreView } from '../../ports';
import type { OperatorDeps } from './api-types';
import { appendAudit, createOverride, drainRefusal, endOverride, expectedRouting } from './override-service';
import { shadowPlan } from './shadow-plan';

/** The event the API publishes to start a drill in its own region's drill function (rule: detail.observer = that region). */
export const drillStartDetailType = 'Arbiter Drill Start';
/** How often a drill polls the store and Route 53. */
export const drillPollIntervalMs = 2_000;
/** Upper bound on polls in any one phase, whatever its timeout. */
export const drillPollAttemptsMax = 1_000;
/** How often a holding drill looks whether an operator ended its override (an abort). */
export const drillHoldPollIntervalMs = 10_000;
/** The override is ended this long before it would expire, so the drill measures the restore itself. */
export const drillEndLeadMs = 5_000;
/** Kept free at the end of the invocation to write the report. */
export const drillReportReserveMs = 10_000;
/** How long the observer of rank r (its place in config.observers) waits, × r, before it claims a scheduled tick. */
export const drillClaimStaggerMs = 20_000;

/** What a scheduled firing did: ran (or was refused) the tick's drill, or found it claimed. */
export type ScheduledDrillOutcome =
  | { kind: 'ran'; drillId: string; tickMs: number; report: DrillRecord }
  | { kind: 'skipped'; drillId: string; tickMs: number; reason: string };

/**
 * The drill id of one tick of one schedule, the same in every region.
 * @example scheduledDrillId('weekly-eu', 1_764_579_600_000) // → 'sched-weekly-eu-20251201T090000Z'
 */
export function scheduledDrillId(name: string, tickMs: number): string {
  return `sched-${name}-${new Date(tickMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}`;
}

export interface DrillRunOptions {
  /** Time left in the invocation (Lambda context); unlimited when absent. */
  remainingMs?: () => number;
}

export interface DrillRequestInput {
  target: Region;
  mode: 'shadow' | 'evacuate';
  holdSeconds: number;
  startedBy: string;
}

type Recorder = { record: DrillRecord; save: (patch: Partial<DrillRecord>) => Promise<DrillRecord> };

function recorder(deps: OperatorDeps, initial: DrillRecord): Recorder {
  const state: Recorder = {
    record: initial,
    save: async (patch) => {
      state.record = { ...state.record, ...patch, version: state.record.version + 1 };
      await deps.store.putDrill(state.record);
      return state.record;
    },
  };
  return state;
}

/** Why an evacuate drill of `target` may not start now, or null. */
export async function evacuateRefusal(deps: OperatorDeps, target: Region): Promise<{ rule: string; message: string } | null> {
  const nowMs = deps.clock.nowMs();
  const routing = expectedRouting(deps.config, await deps.store.readView(nowMs), nowMs);
  const drained = Object.entries(routing).filter(([t, s]) => t !== target && s === 'drained').map(([t]) => t);
  if (drained.length > 0) return { rule: 'otherDrained', message: `another target is already drained: ${drained.join(', ')}` };
  if (routing[target] === 'drained') return { rule: 'alreadyDrained', message: `${target} is already drained` };
  return drainRefusal(deps.config, routing, target);
}

async function emitReport(deps: OperatorDeps, record: DrillRecord): Promise<void> {
  try {
    await deps.bus.publish([{ type: 'drill-report', observer: deps.observer, report: { ...record, passed: record.status === 'passed' } }]);
  } catch (error) {
    if (!(error instanceof ArbiterError)) throw error;
    deps.telemetry.error('drill report stored but not published', { drillId: record.id, message: error.message });
  }
}

/**
 * Stores a new drill (status `running`, phase `requested`), or a `refused` one when an evacuate
 * may not start; both are audited, a refusal is also emitted as a report.
 * @example const drill = await createDrill(deps, { target: 'eu-west-1', mode: 'evacuate', holdSeconds: 120, startedBy: 'arn:aws:iam::1:user/ops' });
 */
export async function createDrill(deps: OperatorDeps, input: DrillRequestInput & { id?: string }): Promise<DrillRecord> {
  const nowMs = deps.clock.nowMs();
  const refusal = input.mode === 'evacuate' ? await evacuateRefusal(deps, input.target) : null;
  const record: DrillRecord = {
    id: input.id ?? deps.newId('drill'), target: input.target, mode: input.mode, observer: deps.observer, startedBy: input.startedBy, startedMs: nowMs,
    status: refusal === null ? 'running' : 'refused', holdSeconds: input.holdSeconds, overrideId: null,
    phases: [{ name: 'requested', startedMs: nowMs, endedMs: nowMs, durationMs: 0 }], changeIds: [], rtoMs: null,
    rtoSecondsMax: deps.config.rtoSecondsMax, problems: refusal === null ? [] : [`${refusal.rule}: ${refusal.message}`], version: 1,
  };
  // A caller-named id (a scheduled tick's, the same in every region) is written only if new:
  // AlreadyExistsError means another region claimed it. A generated id is new by construction.
  if (input.id === undefined) await deps.store.putDrill(record);
  else await deps.store.putNewDrill(record);
  if (refusal !== null) {
    await appendAudit(deps, { kind: 'drill-refused', actor: input.startedBy, summary: `evacuate drill of ${input.target} refused: ${refusal.message}`, details: { drillId: record.id, ...refusal } }, record.id);
    await emitReport(deps, record);
  } else {
    await appendAudit(deps, { kind: 'drill-started', actor: input.startedBy, summary: `${input.mode} drill of ${input.target}${input.mode === 'evacuate' ? ` (hold ${input.holdSeconds} s)` : ''}`, details: { drillId: record.id, mode: input.mode, target: input.target, holdSeconds: input.holdSeconds } }, record.id);
  }
  return record;
}

export class DrillRuntime {
  private readonly remainingMs: () => number;

  constructor(private readonly deps: OperatorDeps, options: DrillRunOptions = {}) {
    this.remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  }

  /**
   * Runs one tick of a configured schedule (EventBridge input `{ "drill": name, "time": <the event's time> }`),
   * unless another region claimed that tick (see the header). `firedMs` defaults to now.
   */
  async runScheduled(name: string, firedMs?: number): Promise<ScheduledDrillOutcome> {
    const { config, observer, store, telemetry, clock } = this.deps;
    const schedule = config.drills.find((d) => d.name === name);
    if (schedule === undefined) throw new ArbiterError(`drill "${name}" is not in the config (known: ${config.drills.map((d) => d.name).join(', ') || 'none'})`);
    const parsed = parseScheduleExpression(schedule.schedule);
    if (!parsed.ok) throw new ArbiterError(`drill "${name}": ${parsed.problems.join('; ')}`);
    const tickMs = scheduleTickMs(parsed.schedule, firedMs ?? clock.nowMs());
    if (tickMs === null) throw new ArbiterError(`drill "${name}": ${schedule.schedule} matches no minute in the 48 h before ${new Date(firedMs ?? clock.nowMs()).toISOString()}`);
    const drillId = scheduledDrillId(name, tickMs);
    const skip = (reason: string): ScheduledDrillOutcome => {
      telemetry.info('scheduled drill skipped', { drill: name, drillId, tickMs, reason });
      return { kind: 'skipped', drillId, tickMs, reason };
    };
    const staggerMs = Math.max(0, config.observers.indexOf(observer)) * drillClaimStaggerMs;
    if (staggerMs > 0 && staggerMs < this.remainingMs() - drillReportReserveMs) await clock.sleepMs(staggerMs);
    const known = await store.getDrill(drillId);
    if (known !== null) return skip(`tick already claimed by ${known.observer} (drill ${drillId} is ${known.status})`);
    try {
      const record = await createDrill(this.deps, { id: drillId, target: schedule.target, mode: schedule.mode, holdSeconds: schedule.holdSeconds, startedBy: `schedule:${name}` });
      return { kind: 'ran', drillId, tickMs, report: record.status === 'running' ? await this.run(record.id) : record };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      return skip(`tick claimed by another invocation while this one checked (drill ${drillId} exists)`);
    }
  }

  /** Runs a stored drill (API-started: `{ "drillId": id }`). A finished drill is returned as it is. */
  async run(drillId: string): Promise<DrillRecord> {
    const stored = await this.deps.store.getDrill(drillId);
    if (stored === null) throw new ArbiterError(`drill ${drillId} not found`);
    if (stored.status !== 'running') return stored;
    const rec = recorder(this.deps, stored);
    if (stored.phases.some((p) => p.name !== 'requested')) return this.finishAbandoned(rec);
    if (!(await this.claim(rec))) return (await this.deps.store.getDrill(drillId)) ?? stored;
    try {
      if (stored.mode === 'shadow') await this.shadow(rec);
      else await this.evacuate(rec);
    } catch (error) {
      if (!(error instanceof ArbiterError)) throw error;
      await this.failAndRestore(rec, `drill stopped by an error: ${error.message}`);
    }
    await appendAudit(this.deps, { kind: 'drill-finished', actor: rec.record.startedBy, summary: `${rec.record.mode} drill of ${rec.record.target}: ${rec.record.status}`, details: { drillId, status: rec.record.status, rtoMs: rec.record.rtoMs, problems: rec.record.problems } }, drillId);
    await emitReport(this.deps, rec.record);
    return rec.record;
  }

  /**
   * Claims the drill by writing the next version: EventBridge delivers at least once, and of two
   * invocations for one drill only the one whose conditional write wins may run it.
   */
  private async claim(rec: Recorder): Promise<boolean> {
    try {
      await rec.save({});
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.deps.telemetry.warn('drill already claimed by another invocation', { drillId: rec.record.id });
      return false;
    }
  }

  private async shadow(rec: Recorder): Promise<void> {
    const { config } = this.deps;
    const startedMs = this.deps.clock.nowMs();
    const view = await this.deps.store.readView(startedMs);
    const records = await this.deps.dns.readRecords(config.targets.map((t) => t.route53));
    const plan = shadowPlan(config, view, records, rec.record.target, startedMs);
    const endedMs = this.deps.clock.nowMs();
    const problems = [...plan.refusals.map((r) => `${r.rule}: ${r.message}`), ...plan.missingRecords.map((t) => `no Route 53 record found for ${t}`)];
    if (!plan.wouldDrain) problems.push(`${rec.record.target} would not be drained: ${plan.causes[rec.record.target] ?? 'unknown'}`);
    const passed = plan.wouldDrain && plan.predicted.totalMs <= config.rtoSecondsMax * 1000 && plan.missingRecords.length === 0;
    await rec.save({
      status: passed ? 'passed' : 'failed', rtoMs: plan.predicted.totalMs, problems, shadow: { ...plan },
      phases: [...rec.record.phases, { name: 'shadow-plan', startedMs, endedMs, durationMs: endedMs - startedMs }],
    });
  }

  private async evacuate(rec: Recorder): Promise<void> {
    const { target } = rec.record;
    const refusal = await evacuateRefusal(this.deps, target);
    if (refusal !== null) {
      await rec.save({ status: 'refused', problems: [`${refusal.rule}: ${refusal.message}`] });
      await appendAudit(this.deps, { kind: 'drill-refused', actor: rec.record.startedBy, summary: `evacuate drill of ${target} refused: ${refusal.message}`, details: { drillId: rec.record.id, ...refusal } }, rec.record.id);
      return;
    }
    const created = await createOverride(this.deps, { target, action: 'drain', ttlSeconds: rec.record.holdSeconds, reason: `evacuate drill ${rec.record.id} (${rec.record.startedBy})`, force: false, actor: `drill:${rec.record.id}`, source: 'drill', drillId: rec.record.id });
    if (created.kind === 'refused') {
      await rec.save({ status: 'refused', problems: [`${created.refusal.rule}: ${created.refusal.message}`] });
      return;
    }
    const t0 = created.override.createdMs;
    await rec.save({ overrideId: created.override.id, problems: [...rec.record.problems, ...created.warnings] });
    const drained = await this.measureSwitch(rec, 'drain', t0, 0);
    // A drain that did not complete is not held: end the override now and see the target back.
    const endedEarly = drained.ok ? await this.hold(rec, created.override) : null;
    if (endedEarly === null) await endOverride(this.deps, created.override.id, { actor: `drill:${rec.record.id}`, reason: 'drill restore' });
    const restored = await this.measureSwitch(rec, 'restore', endedEarly?.endedMs ?? this.deps.clock.nowMs(), this.binding(target).route53.weight);
    const rtoMs = drained.weightMs === null ? null : drained.weightMs - t0;
    const passed = drained.ok && restored.ok && rtoMs !== null && rtoMs <= rec.record.rtoSecondsMax * 1000;
    const slow = rtoMs !== null && rtoMs > rec.record.rtoSecondsMax * 1000 ? [`rto ${rtoMs} ms is above rtoSecondsMax ${rec.record.rtoSecondsMax}`] : [];
    await rec.save({ status: passed ? 'passed' : 'failed', rtoMs, problems: [...rec.record.problems, ...slow] });
  }

  private binding(target: Region): TargetConfig {
    const found = this.deps.config.targets.find((t) => t.region === target);
    if (found === undefined) throw new ArbiterError(`drill target ${target} is not in the config`);
    return found;
  }

  /** The restore needs the recovery hold or the flip cooldown (whichever is longer), then an RTO. */
  private restoreBudgetMs(): number {
    const { safety, rtoSecondsMax } = this.deps.config;
    return rtoSecondsMax * 1000 + Math.max(safety.recoveryHoldMs, safety.flipCooldownMs);
  }

  /**
   * Holds the drain until the planned end, looking every drillHoldPollIntervalMs whether an
   * operator ended the override first (an aborted drill); returns that end, or null.
   */
  private async hold(rec: Recorder, override: Override): Promise<OverrideEnd | null> {
    const startedMs = this.deps.clock.nowMs();
    const wantedEndMs = override.expiresMs - drillEndLeadMs;
    const budgetEndMs = startedMs + this.remainingMs() - this.restoreBudgetMs() - drillReportReserveMs;
    const endMs = Math.max(startedMs, Math.min(wantedEndMs, budgetEndMs));
    const notes = endMs < wantedEndMs ? [`note: hold capped at ${Math.round((endMs - startedMs) / 1000)} s by the invocation's remaining time`] : [];
    let ended: OverrideEnd | null = null;
    for (let poll = 0; poll < drillPollAttemptsMax && ended === null && this.deps.clock.nowMs() < endMs; poll += 1) {
      await this.deps.clock.sleepMs(Math.min(drillHoldPollIntervalMs, endMs - this.deps.clock.nowMs()));
      const view = await this.deps.store.readView(this.deps.clock.nowMs());
      ended = view.overrideEnds.find((e) => e.overrideId === override.id) ?? null;
    }
    if (ended !== null) notes.push(`note: override ended early by ${ended.actor}: ${ended.reason}`);
    const endedMs = ended?.endedMs ?? this.deps.clock.nowMs();
    await rec.save({ problems: [...rec.record.problems, ...notes], phases: [...rec.record.phases, { name: 'hold', startedMs, endedMs, durationMs: endedMs - startedMs }] });
    return ended;
  }

  /**
   * Measures decision → Route 53 INSYNC → the target's weight reading `weight`, as three phases from
   * `fromMs`; for a data-plane target, decision → this observer's vote (see the header).
   */
  private async measureSwitch(rec: Recorder, direction: 'drain' | 'restore', fromMs: number, weight: number): Promise<{ ok: boolean; weightMs: number | null }> {
    const { target } = rec.record;
    const wantState = direction === 'drain' ? 'drained' : 'serving';
    const timeoutMs = () => Math.max(0, Math.min(direction === 'drain' ? rec.record.rtoSecondsMax * 1000 : this.restoreBudgetMs(), this.remainingMs() - drillReportReserveMs));
    const decided = await this.phase(rec, `${direction}-decision`, fromMs, timeoutMs(), async () => {
      const view = await this.deps.store.readView(this.deps.clock.nowMs());
      return appliedShowing(view, target, wantState, fromMs);
    });
    if (bindingMode(this.binding(target)) === 'health-check') {
      const wantVote = direction === 'drain' ? 'drain' : 'no-drain';
      const voted = decided === null ? null : await this.phase(rec, `${direction}-vote`, this.deps.clock.nowMs(), timeoutMs(), async () => {
        const nowMs = this.deps.clock.nowMs();
        const view = await this.deps.store.readView(nowMs);
        const votes = gateVotes({ config: this.deps.config, nowMs, proposals: view.proposals, applied: view.applied, observer: this.deps.observer, ownSnapshot: latestSnapshots(view.snapshots).get(this.deps.observer) ?? null });
        return votes[target] === wantVote ? this.deps.clock.nowMs() : null;
      });
      if (voted !== null) {
        const phases = rec.record.phases.map((p) => (p.name === `${direction}-vote` ? { ...p, detail: `${this.deps.observer} votes ${wantVote}; ${routeReadNote(this.deps.config)}` } : p));
        await rec.save({ phases });
      }
      return { ok: voted !== null, weightMs: voted };
    }
    const changeId = decided === null ? null : await this.phase(rec, `${direction}-insync`, this.deps.clock.nowMs(), timeoutMs(), async () => this.insync(target, wantState, fromMs));
    if (changeId !== null) {
      const phases = rec.record.phases.map((p) => (p.name === `${direction}-insync` ? { ...p, detail: `change ${changeId}` } : p));
      await rec.save({ phases, changeIds: rec.record.changeIds.includes(changeId) ? rec.record.changeIds : [...rec.record.changeIds, changeId] });
    }
    const reads = await this.phase(rec, `${direction}-weight`, this.deps.clock.nowMs(), timeoutMs(), async () => {
      const records = await this.deps.dns.readRecords([this.binding(target).route53]);
      return records.find((r) => r.setIdentifier === this.binding(target).route53.setIdentifier)?.weight === weight ? this.deps.clock.nowMs() : null;
    });
    return { ok: decided !== null && changeId !== null && reads !== null, weightMs: reads };
  }

  /** The change id of the applied decision that moved the target, once Route 53 reports it INSYNC. */
  private async insync(target: Region, state: 'drained' | 'serving', sinceMs: number): Promise<string | null> {
    const view = await this.deps.store.readView(this.deps.clock.nowMs());
    const applied = view.applied.filter((a) => a.routing[target] === state && a.decidedMs >= sinceMs && a.changeId !== null).sort((a, b) => a.appliedMs - b.appliedMs)[0];
    if (applied?.changeId === undefined || applied.changeId === null) return null;
    return (await this.deps.dns.changeStatus(applied.changeId)) === 'INSYNC' ? applied.changeId : null;
  }

  /** Polls `check` every drillPollIntervalMs until it returns a value or `timeoutMs` passes; records the phase. */
  private async phase<T>(rec: Recorder, name: string, startedMs: number, timeoutMs: number, check: () => Promise<T | null>): Promise<T | null> {
    const attemptsMax = Math.min(drillPollAttemptsMax, Math.ceil(timeoutMs / drillPollIntervalMs) + 1);
    let value: T | null = null;
    for (let attempt = 1; attempt <= attemptsMax; attempt += 1) {
      value = await check();
      if (value !== null || attempt === attemptsMax || this.deps.clock.nowMs() - startedMs >= timeoutMs) break;
      await this.deps.clock.sleepMs(drillPollIntervalMs);
    }
    const endedMs = this.deps.clock.nowMs();
    const phase: DrillPhase = value === null
      ? { name, startedMs, endedMs: null, durationMs: null, detail: `timed out after ${endedMs - startedMs} ms` }
      : { name, startedMs, endedMs, durationMs: endedMs - startedMs };
    const problems = value === null ? [...rec.record.problems, `${name} did not complete within ${timeoutMs} ms`] : rec.record.problems;
    await rec.save({ phases: [...rec.record.phases, phase], problems });
    return value;
  }

  private async failAndRestore(rec: Recorder, problem: string): Promise<void> {
    const problems = [...rec.record.problems, problem];
    if (rec.record.overrideId !== null) {
      try {
        await endOverride(this.deps, rec.record.overrideId, { actor: `drill:${rec.record.id}`, reason: 'drill failed: restore' });
      } catch (error) {
        if (!(error instanceof ArbiterError)) throw error;
        problems.push(`could not end override ${rec.record.overrideId} early (${error.message}); it expires by its TTL`);
      }
    }
    await rec.save({ status: 'failed', problems });
  }

  /** A drill an earlier invocation began and never finished: finish its report once its override is over. */
  private async finishAbandoned(rec: Recorder): Promise<DrillRecord> {
    const nowMs = this.deps.clock.nowMs();
    const view = await this.deps.store.readView(nowMs);
    const live = view.overrides.some((o) => o.id === rec.record.overrideId && o.expiresMs > nowMs) && !view.overrideEnds.some((e) => e.overrideId === rec.record.overrideId);
    if (live) return rec.record;
    await rec.save({ status: 'failed', problems: [...rec.record.problems, 'the drill invocation ended before it finished; its override ended by TTL or by an operator'] });
    await appendAudit(this.deps, { kind: 'drill-finished', actor: rec.record.startedBy, summary: `${rec.record.mode} drill of ${rec.record.target}: failed (its invocation ended early)`, details: { drillId: rec.record.id, status: 'failed', problems: rec.record.problems } }, rec.record.id);
    await emitReport(this.deps, rec.record);
    return rec.record;
  }
}

/**
 * The applied decision showing `state`, decided at or after `sinceMs`. No clock-skew allowance is
 * needed: an observer applies an override (or its end) only once its own clock has reached the
 * item's time, so the decision it causes is stamped no earlier than that.
 */
/** When Route 53's checkers see a vote, predicted from the check's settings (the drill does not observe it). */
function routeReadNote(config: ValidConfig): string {
  return `Route 53's checkers read it within about ${voteReadEstimateMs(config) / 1000} s (predicted, not observed)`;
}

function appliedShowing(view: StoreView, target: Region, state: 'drained' | 'serving', sinceMs: number): AppliedDecision | null {
  const applied = latestApplied(view.applied);
  return applied !== null && applied.routing[target] === state && applied.decidedMs >= sinceMs ? applied : null;
}
