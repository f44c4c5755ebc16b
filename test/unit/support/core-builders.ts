/**
 * Builders for core inputs (verdict snapshots, overrides, alarm signals, proposals), shared by the
 * domain unit tests and the property tests. Plain data, no clock: every time is passed in.
 */
import {
  computeProposal, initialVerdict,
  type AlarmSignal, type AppliedDecision, type Override, type Proposal, type ProposalInput, type Region, type RoutingState,
  type ValidConfig, type VerdictSnapshot, type VerdictStatus,
} from '../../../shared/domain';

/** One observer's snapshot judging each listed target; targets left out are absent from it. */
export function snapshotOf(observer: Region, statuses: Record<Region, VerdictStatus>, writtenMs: number, seq = 1): VerdictSnapshot {
  const verdicts: VerdictSnapshot['verdicts'] = {};
  for (const [target, status] of Object.entries(statuses)) verdicts[target] = { ...initialVerdict(target, 1, writtenMs), status, reason: `scripted ${status}` };
  return { observer, seq, writtenMs, verdicts };
}

/** Every observer judging every target the same way, written at `writtenMs`. */
export function unanimous(config: ValidConfig, status: VerdictStatus, writtenMs: number): VerdictSnapshot[] {
  return config.observers.map((o) => snapshotOf(o, Object.fromEntries(config.targets.map((t) => [t.region, status])), writtenMs));
}

/** `count` observers (in config order) judge `target` with `status`; the rest judge everything healthy. */
export function someObservers(config: ValidConfig, target: Region, status: VerdictStatus, count: number, writtenMs: number): VerdictSnapshot[] {
  return config.observers.map((o, i) => {
    const statuses: Record<Region, VerdictStatus> = Object.fromEntries(config.targets.map((t) => [t.region, 'healthy' as VerdictStatus]));
    if (i < count) statuses[target] = status;
    return snapshotOf(o, statuses, writtenMs);
  });
}

export function overrideOf(target: Region, action: 'drain' | 'serve', createdMs: number, expiresMs: number, extra: Partial<Override> = {}): Override {
  return { id: `o-${target}-${action}-${createdMs}`, target, action, createdMs, expiresMs, reason: 'maintenance', actor: 'arn:aws:iam::123456789012:user/ops', force: false, source: 'api', ...extra };
}

export function alarmSignal(alarmName: string, target: Region, state: AlarmSignal['state'], changedMs: number): AlarmSignal {
  return { id: `${alarmName}#${changedMs}#${state}`, alarmName, target, state, changedMs };
}

export function appliedOf(routing: Record<Region, RoutingState>, decidedMs: number, lastFlipMs: Record<Region, number | null> = {}, observer: Region = 'us-east-1'): AppliedDecision {
  return { observer, decisionId: `d-${decidedMs}`, decidedMs, appliedMs: decidedMs, routing: { ...routing }, changeId: null, lastFlipMs: { ...lastFlipMs } };
}

/** A proposal input with nothing but verdicts; override fields as needed. */
export function proposalInput(config: ValidConfig, nowMs: number, snapshots: VerdictSnapshot[], extra: Partial<ProposalInput> = {}): ProposalInput {
  return { config, observer: config.observers[0]!, nowMs, seq: 1, snapshots, overrides: [], overrideEnds: [], signals: [], lastApplied: null, previous: null, ...extra };
}

/**
 * A proposal from `observer` wanting `routing` (unlisted targets serving), created at `createdMs`,
 * proposed against `lastApplied` (the state it saw applied).
 */
export function proposalWanting(config: ValidConfig, observer: Region, routing: Record<Region, RoutingState>, createdMs: number, seq = 1, lastApplied: AppliedDecision | null = null): Proposal {
  const base = computeProposal(proposalInput(config, createdMs, unanimous(config, 'healthy', createdMs), { observer, seq, lastApplied }));
  for (const { region: target } of config.targets) {
    const state = routing[target] ?? 'serving';
    base.targets[target] = { ...base.targets[target]!, state, cause: state === 'drained' ? 'quorum-unhealthy' : 'healthy' };
  }
  return base;
}
