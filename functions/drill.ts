/**
 * The drill function. Inputs:
 *   { "drill": "<name>", "time": "<ISO time>" }   an EventBridge schedule from config.drills (time: the event's, by an input transformer)
 *   { "drillId": "<id>" }                         a direct invocation
 *   { "detail-type": "Arbiter Drill Start", "detail": { "drillId", "observer" } }   started by the API
 * It runs the drill inside this invocation (bounded by the remaining time) and returns the report.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ArbiterError, type DrillRecord } from '../shared/ports';
import { DrillRuntime, drillStartDetailType, type ScheduledDrillOutcome } from '../shared/runtime/operator/drill-runtime';
import { lambdaContainer } from './lib/container';
import { withPowertools } from './lib/powertools';

export type DrillInput = { kind: 'scheduled'; name: string; firedMs?: number } | { kind: 'stored'; drillId: string };

/** Reads the drill function's input; an unknown shape is one clear error. */
export function parseDrillInput(event: unknown): DrillInput {
  const value = (event ?? {}) as Record<string, unknown>;
  if (typeof value.drill === 'string' && value.drill !== '') {
    if (value.time === undefined) return { kind: 'scheduled', name: value.drill };
    const firedMs = typeof value.time === 'string' ? Date.parse(value.time) : Number.NaN;
    if (!Number.isFinite(firedMs)) throw new ArbiterError(`drill input "time" must be an ISO 8601 time, got ${JSON.stringify(value.time).slice(0, 100)}`);
    return { kind: 'scheduled', name: value.drill, firedMs };
  }
  if (typeof value.drillId === 'string' && value.drillId !== '') return { kind: 'stored', drillId: value.drillId };
  const detail = value.detail as Record<string, unknown> | undefined;
  if (value['detail-type'] === drillStartDetailType && typeof detail?.drillId === 'string') return { kind: 'stored', drillId: detail.drillId };
  throw new ArbiterError(`drill input must be {"drill": name}, {"drillId": id} or an '${drillStartDetailType}' event; got ${JSON.stringify(event).slice(0, 200)}`);
}

async function run(event: unknown, context: Context): Promise<DrillRecord | ScheduledDrillOutcome> {
  const input = parseDrillInput(event);
  const container = lambdaContainer();
  const runtime = new DrillRuntime({ ...container.deps, newId: (prefix) => `${prefix}-${randomUUID()}` }, { remainingMs: () => context.getRemainingTimeInMillis() });
  return input.kind === 'scheduled' ? runtime.runScheduled(input.name, input.firedMs) : runtime.run(input.drillId);
}

export const handler = withPowertools(run);
