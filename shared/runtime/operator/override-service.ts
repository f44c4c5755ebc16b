/**
 * Operator overrides: the safety check (409 material), the immutable write, the audit entry and
 * the event every decider reacts to. Used by the API and by evacuate drills alike.
 *
 * Safety, on the routing the deciders are heading for (last applied decision, then every active
 * override, newest last, then this one):
 *   drain: fewer than `minServing` left serving     → refused (rule minServing)
 *          more than `maxDrained` drained in total  → refused (rule maxDrained)
 *   `force: true` skips both, and is audited as `override-forced`.
 */
import { activeOverrides, latestApplied, type Override, type OverrideEnd, type Region, type Routing, type SafetyRule, type ValidConfig } from '../../domain';
import { AlreadyExistsError, PublishError, type AuditEntry, type AuditKind, type StoreView } from '../../ports';
import type { OperatorDeps } from './api-types';

export interface OverrideInput {
  target: Region;
  action: 'drain' | 'serve';
  ttlSeconds: number;
  reason: string;
  force: boolean;
  actor: string;
  source: 'api' | 'drill';
  drillId?: string;
}

export interface SafetyVerdict {
  rule: SafetyRule;
  message: string;
}

export type OverrideOutcome =
  | { kind: 'created'; override: Override; warnings: string[] }
  | { kind: 'refused'; refusal: SafetyVerdict };

/** An audit id that sorts by time and is unique per subject: `000001700000000-eu-west-1-override-created-ov-1`. */
export function auditId(nowMs: number, observer: Region, kind: AuditKind, subject: string): string {
  return `${nowMs.toString().padStart(15, '0')}-${observer}-${kind}-${subject}`;
}

/** Appends one audit entry; its id is unique by construction (the subject is a fresh id). */
export async function appendAudit(deps: OperatorDeps, entry: Omit<AuditEntry, 'id' | 'atMs' | 'observer'>, subject: string): Promise<AuditEntry> {
  const atMs = deps.clock.nowMs();
  const full: AuditEntry = { ...entry, id: auditId(atMs, deps.observer, entry.kind, subject), atMs, observer: deps.observer };
  await deps.store.appendAudit(full);
  return full;
}

/** The routing the deciders are heading for: the last applied decision with every active override on top. */
export function expectedRouting(config: ValidConfig, view: StoreView, nowMs: number): Routing {
  const applied = latestApplied(view.applied);
  const routing: Routing = {};
  for (const { region } of config.targets) routing[region] = applied?.routing[region] ?? 'serving';
  const active = activeOverrides(view.overrides, view.overrideEnds, nowMs).reverse();
  for (const override of active) routing[override.target] = override.action === 'drain' ? 'drained' : 'serving';
  return routing;
}

/**
 * The rule a drain of `target` would break on `routing`, or null.
 * @example drainRefusal(config, { a: 'serving', b: 'drained' }, 'a') // → { rule: 'minServing', message: 'minServing 1: draining a would leave 0 serving' }
 */
export function drainRefusal(config: ValidConfig, routing: Routing, target: Region): SafetyVerdict | null {
  const { minServing, maxDrained } = config.safety;
  const servingLeft = Object.entries(routing).filter(([t, s]) => t !== target && s === 'serving').length;
  if (servingLeft < Math.min(minServing, config.targets.length)) return { rule: 'minServing', message: `minServing ${minServing}: draining ${target} would leave ${servingLeft} serving` };
  const drainedAfter = Object.entries(routing).filter(([t, s]) => t !== target && s === 'drained').length + 1;
  if (drainedAfter > maxDrained) return { rule: 'maxDrained', message: `maxDrained ${maxDrained}: draining ${target} would make ${drainedAfter} drained` };
  return null;
}

async function publishOrWarn(deps: OperatorDeps, events: Parameters<OperatorDeps['bus']['publish']>[0], what: string): Promise<string[]> {
  try {
    await deps.bus.publish(events);
    return [];
  } catch (error) {
    if (!(error instanceof PublishError)) throw error;
    // Stored already: every decider's scheduled reconcile reads it from the table.
    deps.telemetry.error(`${what} stored but its event was not published`, { message: error.message });
    return [`${what} is stored but its event could not be published (${error.message}); deciders pick it up at their next scheduled reconcile`];
  }
}

/**
 * Checks the safety rules, writes the override, audits it and publishes it.
 * @example await createOverride(deps, { target: 'eu-west-1', action: 'drain', ttlSeconds: 600, reason: 'db failover', force: false, actor, source: 'api' })
 */
export async function createOverride(deps: OperatorDeps, input: OverrideInput): Promise<OverrideOutcome> {
  const nowMs = deps.clock.nowMs();
  const view = await deps.store.readView(nowMs);
  const refusal = input.action === 'drain' ? drainRefusal(deps.config, expectedRouting(deps.config, view, nowMs), input.target) : null;
  const forced = refusal !== null && input.force;
  if (refusal !== null && !forced) {
    await appendAudit(deps, { kind: 'refusal', actor: input.actor, summary: `refused ${input.action} of ${input.target}: ${refusal.message}`, details: { ...refusal, target: input.target, action: input.action, source: input.source, reason: input.reason } }, deps.newId('refusal'));
    deps.telemetry.warn('override refused by a safety rule', { ...refusal, actor: input.actor });
    return { kind: 'refused', refusal };
  }
  const override: Override = {
    id: deps.newId('ov'), target: input.target, action: input.action, createdMs: nowMs, expiresMs: nowMs + input.ttlSeconds * 1000,
    reason: input.reason, actor: input.actor, force: input.force, source: input.source, ...(input.drillId !== undefined ? { drillId: input.drillId } : {}),
  };
  await deps.store.appendOverride(override);
  const kind: AuditKind = forced ? 'override-forced' : 'override-created';
  const summary = forced ? `FORCED ${override.action} of ${override.target} past ${refusal.message}: ${override.reason}` : `${override.action} ${override.target} for ${input.ttlSeconds} s: ${override.reason}`;
  await appendAudit(deps, { kind, actor: input.actor, summary, details: { override, ...(forced ? { brokenRule: refusal } : {}) } }, override.id);
  if (forced) deps.telemetry.warn('FORCED override past a safety rule', { overrideId: override.id, ...refusal, actor: input.actor });
  const warnings = await publishOrWarn(deps, [{ type: 'override', observer: deps.observer, override }], `override ${override.id}`);
  const pin = override.action === 'serve' ? [pinWarning(override)] : [];
  return { kind: 'created', override, warnings: [...pin, ...(forced ? [`forced past ${refusal.rule}: ${refusal.message}`] : []), ...warnings] };
}

/**
 * What a serve override (a pin) means, said wherever one is created: automation no longer drains
 * the target, even when it fails.
 */
export function pinWarning(override: Pick<Override, 'id' | 'target' | 'expiresMs'>): string {
  return `automation is OFF for ${override.target} until ${new Date(override.expiresMs).toISOString().replace(/\.\d{3}Z$/, 'Z')}: it stays serving even if it fails; end the pin early with DELETE /overrides/${override.id} (arbiter overrides end ${override.id})`;
}

export type EndOutcome =
  | { kind: 'ended'; end: OverrideEnd; override: Override; warnings: string[] }
  | { kind: 'already-ended'; end: OverrideEnd; override: Override }
  | { kind: 'not-found' };

/**
 * Ends an active override early: a new immutable OverrideEnd item, audited and published.
 * @example await endOverride(deps, 'ov-1', { actor, reason: 'drill restore' })
 */
export async function endOverride(deps: OperatorDeps, overrideId: string, by: { actor: string; reason: string }): Promise<EndOutcome> {
  const nowMs = deps.clock.nowMs();
  const view = await deps.store.readView(nowMs);
  const override = view.overrides.find((o) => o.id === overrideId && o.expiresMs > nowMs);
  if (override === undefined) return { kind: 'not-found' };
  const known = view.overrideEnds.find((e) => e.overrideId === overrideId);
  if (known !== undefined) return { kind: 'already-ended', end: known, override };
  const end: OverrideEnd = { overrideId, endedMs: nowMs, actor: by.actor, reason: by.reason };
  try {
    await deps.store.appendOverrideEnd(end);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    return { kind: 'already-ended', end, override };
  }
  await appendAudit(deps, { kind: 'override-ended', actor: by.actor, summary: `ended ${override.action} of ${override.target} (${override.id}) early: ${by.reason}`, details: { end, override } }, `${overrideId}-end`);
  const warnings = await publishOrWarn(deps, [{ type: 'override-end', observer: deps.observer, end }], `end of override ${overrideId}`);
  return { kind: 'ended', end, override, warnings };
}
