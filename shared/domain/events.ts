/**
 * Events Arbiter exchanges between regions (EventBridge `detail`, source `arbiter`), with the
 * schemas handlers use to reject malformed input before anything is written.
 */
import { z } from 'zod';
import { configHash, type ValidConfig } from './config';
import type { AlarmSignal, AppliedDecision, Override, OverrideEnd, Proposal, Region, VerdictSnapshot } from './types';

export const eventSource = 'arbiter';

export type ArbiterEvent =
  | { type: 'verdicts'; observer: Region; snapshot: VerdictSnapshot }
  /** `alarmName` is set when a `confirm` alarm asked for the probe: every observer then acts on it, the origin included. */
  | { type: 'probe-now'; observer: Region; target: Region; reason: string; requestedMs: number; alarmName?: string }
  | { type: 'proposal'; observer: Region; proposal: Proposal }
  | { type: 'applied'; observer: Region; applied: AppliedDecision }
  | { type: 'override'; observer: Region; override: Override }
  | { type: 'override-end'; observer: Region; end: OverrideEnd }
  | { type: 'signal'; observer: Region; signal: AlarmSignal }
  | { type: 'drill-report'; observer: Region; report: { id: string; target: Region; passed: boolean } & Record<string, unknown> };

export type ArbiterEventType = ArbiterEvent['type'];

/** EventBridge `detail-type` per event type. */
export const detailTypes: Record<ArbiterEventType, string> = {
  verdicts: 'Arbiter Verdicts',
  'probe-now': 'Arbiter Probe Now',
  proposal: 'Arbiter Proposal',
  applied: 'Arbiter Decision Applied',
  override: 'Arbiter Override',
  'override-end': 'Arbiter Override Ended',
  signal: 'Arbiter Signal',
  'drill-report': 'Arbiter Drill Report',
};

const region = z.string().min(1).max(32);
const ms = z.number().int().nonnegative();
const verdictSchema = z.object({
  target: region,
  status: z.enum(['healthy', 'suspect', 'unhealthy']),
  consecutiveFailures: z.number().int().nonnegative(),
  consecutivePasses: z.number().int().nonnegative(),
  latencySamplesMs: z.array(z.array(z.number().nonnegative())),
  latencyQuantileMs: z.array(z.number().nonnegative().nullable()),
  lastLatencyMs: z.number().nonnegative().nullable(),
  changedMs: ms,
  probedMs: ms,
  reason: z.string(),
});
const snapshotSchema = z.object({ observer: region, seq: ms, writtenMs: ms, verdicts: z.record(z.string(), verdictSchema) });
const tallySchema = z.object({ target: region, quorum: z.number().int().positive(), healthy: ms, suspect: ms, unhealthy: ms, unknown: ms, byObserver: z.record(z.string(), z.string()) });
const targetProposalSchema = z.object({
  target: region, state: z.enum(['serving', 'drained']), cause: z.string(), reason: z.string(), tally: tallySchema,
  healthyQuorumSinceMs: ms.nullable(), overrideId: z.string().nullable(), fromState: z.enum(['serving', 'drained']).optional(),
  fromSinceMs: ms.nullable().optional(), fromSeenMs: ms.nullable().optional(), ownRoundPassed: z.literal(true).optional(),
});
const refusalSchema = z.object({ target: region, rule: z.enum(['minServing', 'maxDrained']), message: z.string() });
const evidenceSchema = z.record(z.string(), z.object({ seq: ms, writtenMs: ms, seenMs: ms.optional(), statuses: z.record(z.string(), z.enum(['healthy', 'suspect', 'unhealthy'])), failedMs: z.record(z.string(), ms).optional() }));
const peerVoteSchema = z.object({
  seq: ms, createdMs: ms, configHash: z.string().max(64).optional(), fromEpoch: ms.optional(),
  targets: z.record(z.string(), z.object({
    state: z.enum(['serving', 'drained']), cause: z.string(), fromState: z.enum(['serving', 'drained']).optional(), fromSinceMs: ms.nullable().optional(), fromSeenMs: ms.nullable().optional(),
  })),
});
const overrideEndSchema = z.object({ overrideId: z.string().min(1), endedMs: ms, actor: z.string().min(1), reason: z.string() });
const proposalSchema = z.object({
  observer: region, seq: ms, createdMs: ms, configHash: z.string().max(64).optional(), fromEpoch: ms.optional(), targets: z.record(z.string(), targetProposalSchema), refusals: z.array(refusalSchema),
  evidence: evidenceSchema.optional(), peers: z.record(z.string(), peerVoteSchema).optional(), overrideEnds: z.array(overrideEndSchema).max(100).optional(), votedDrains: z.record(z.string(), ms).optional(),
});
const appliedSchema = z.object({
  observer: region, decisionId: z.string().min(1), decidedMs: ms, appliedMs: ms,
  routing: z.record(z.string(), z.enum(['serving', 'drained'])), changeId: z.string().nullable(), lastFlipMs: z.record(z.string(), ms.nullable()),
  lastRestoreMs: z.record(z.string(), ms.nullable()).optional(), epoch: ms.optional(),
  route53: z.array(z.object({
    hostedZoneId: z.string(), name: z.string(), type: z.string(), setIdentifier: z.string(), weight: z.number().int().min(0).max(255).nullable(),
    ttl: ms.optional(), resourceRecords: z.array(z.string().max(4000)).max(100).optional(),
    aliasTarget: z.object({ hostedZoneId: z.string(), dnsName: z.string(), evaluateTargetHealth: z.boolean() }).optional(), healthCheckId: z.string().optional(),
  })).max(200).optional(),
});
export const overrideSchema = z.object({
  id: z.string().min(1).max(128), target: region, action: z.enum(['drain', 'serve']), createdMs: ms, expiresMs: ms,
  reason: z.string().min(1).max(500), actor: z.string().min(1).max(2048), force: z.boolean(), source: z.enum(['api', 'drill']), drillId: z.string().optional(),
});
const signalSchema = z.object({ id: z.string().min(1), alarmName: z.string().min(1), target: region, state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']), changedMs: ms });

export const arbiterEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('verdicts'), observer: region, snapshot: snapshotSchema }),
  z.object({ type: z.literal('probe-now'), observer: region, target: region, reason: z.string(), requestedMs: ms, alarmName: z.string().min(1).max(255).optional() }),
  z.object({ type: z.literal('proposal'), observer: region, proposal: proposalSchema }),
  z.object({ type: z.literal('applied'), observer: region, applied: appliedSchema }),
  z.object({ type: z.literal('override'), observer: region, override: overrideSchema }),
  z.object({ type: z.literal('override-end'), observer: region, end: overrideEndSchema }),
  z.object({ type: z.literal('signal'), observer: region, signal: signalSchema }),
  z.object({ type: z.literal('drill-report'), observer: region, report: z.looseObject({ id: z.string(), target: region, passed: z.boolean() }) }),
]);

/** Parses an event detail; returns the event or a one-line reason. */
export function parseArbiterEvent(detail: unknown): { ok: true; event: ArbiterEvent } | { ok: false; reason: string } {
  const parsed = arbiterEventSchema.safeParse(detail);
  if (parsed.success) return { ok: true, event: parsed.data as ArbiterEvent };
  const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, reason: first };
}

/**
 * Whether a well-formed event may act on this observer's view: it names a configured observer, and
 * a proposal it carries was made under this config. Returns null, or why it is ignored.
 */
export function admitEvent(config: ValidConfig, event: ArbiterEvent): string | null {
  if (!config.observers.includes(event.observer)) return `event from ${event.observer}, which is not a configured observer`;
  if (event.type === 'proposal' && event.proposal.configHash !== undefined && event.proposal.configHash !== configHash(config)) {
    return `proposal of ${event.observer} made under config ${event.proposal.configHash}, not ${configHash(config)} (a rolling deploy, or a region left behind)`;
  }
  return null;
}
