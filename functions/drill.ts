/**
 * The drill function. Inputs:
 *   { "drill": "<name>", "time": "<ISO time>" }   an EventBridge schedule from config.drills (time: the event's, by an input transformer)
 *   { "drillId": "<id>" }                         a direct invocation
 *   { "detail-type": "Arbiter Drill Start", "detail": { "drillId", "observer" } }   started by the API
 * It runs the drill inside this invocation (bounded by the remaining time) and returns the report.
 * Any other input (another service's event, an EventBridge Scheduler event without the drill's
 * input) is one log line and no write: `{ status: 'ignored', reason }`.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { DrillRecord } from '../shared/ports';
import { DrillRuntime, drillStartDetailType, type ScheduledDrillOutcome } from '../shared/runtime/operator/drill-runtime';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import type { Parsed } from './lib/events';
import { withPowertools } from './lib/powertools';

export type DrillInput = { kind: 'scheduled'; name: string; firedMs?: number } | { kind: 'stored'; drillId: string };
export type DrillHandlerResult = DrillRecord | ScheduledDrillOutcome | { status: 'ignored'; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the drill function's input; an unknown shape is the reason it is not one.
 * @example parseDrillInput({ drill: 'weekly' }) // → { ok: true, value: { kind: 'scheduled', name: 'weekly' } }
 */
export function parseDrillInput(event: unknown): Parsed<DrillInput> {
  const value = isRecord(event) ? event : {};
  if (typeof value.drill === 'string' && value.drill !== '') {
    // The schedule's input transformer adds the event's time, which names the tick (drill-runtime.ts).
    if (value.time === undefined) return { ok: true, value: { kind: 'scheduled', name: value.drill } };
    const firedMs = typeof value.time === 'string' ? Date.parse(value.time) : Number.NaN;
    if (!Number.isFinite(firedMs)) return { ok: false, reason: `drill input "time" must be an ISO 8601 time, got ${(JSON.stringify(value.time) ?? String(value.time)).slice(0, 100)}` };
    return { ok: true, value: { kind: 'scheduled', name: value.drill, firedMs } };
  }
  if (typeof value.drillId === 'string' && value.drillId !== '') return { ok: true, value: { kind: 'stored', drillId: value.drillId } };
  const detail = isRecord(value.detail) ? value.detail : {};
  if (value['detail-type'] === drillStartDetailType && typeof detail.drillId === 'string' && detail.drillId !== '') return { ok: true, value: { kind: 'stored', drillId: detail.drillId } };
  return { ok: false, reason: `drill input must be {"drill": name}, {"drillId": id} or an '${drillStartDetailType}' event; got ${(JSON.stringify(event) ?? String(event)).slice(0, 200)}` };
}

/** Builds the drill handler around a container provider (tests pass memory deps). */
export function createDrillHandler(getContainer: () => Pick<ObserverContainer, 'deps'>) {
  return withPowertools(async (event: unknown, context: Context): Promise<DrillHandlerResult> => {
    const { deps } = getContainer();
    const input = parseDrillInput(event);
    if (!input.ok) {
      deps.telemetry.warn('drill: ignored an event that is not a drill input', { reason: input.reason });
      return { status: 'ignored', reason: input.reason };
    }
    const runtime = new DrillRuntime({ ...deps, newId: (prefix) => `${prefix}-${randomUUID()}` }, { remainingMs: () => context.getRemainingTimeInMillis() });
    return input.value.kind === 'scheduled' ? runtime.runScheduled(input.value.name, input.value.firedMs) : runtime.run(input.value.drillId);
  });
}

export const handler = createDrillHandler(lambdaContainer);
