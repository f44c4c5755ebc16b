/**
 * The drill function. Inputs:
 *   { "drill": "<name>" }                         an EventBridge schedule from config.drills
 *   { "drillId": "<id>" }                         a direct invocation
 *   { "detail-type": "Arbiter Drill Start", "detail": { "drillId", "observer" } }   started by the API
 * It runs the drill inside this invocation (bounded by the remaining time) and returns the report.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ArbiterError, type DrillRecord } from '../shared/ports';
import { DrillRuntime, drillStartDetailType } from '../shared/runtime/operator/drill-runtime';
import { lambdaContainer } from './lib/container';
import { withPowertools } from './lib/powertools';

export type DrillInput = { kind: 'scheduled'; name: string } | { kind: 'stored'; drillId: string };

/** Reads the drill function's input; an unknown shape is one clear error. */
export function parseDrillInput(event: unknown): DrillInput {
  const value = (event ?? {}) as Record<string, unknown>;
  if (typeof value.drill === 'string' && value.drill !== '') return { kind: 'scheduled', name: value.drill };
  if (typeof value.drillId === 'string' && value.drillId !== '') return { kind: 'stored', drillId: value.drillId };
  const detail = value.detail as Record<string, unknown> | undefined;
  if (value['detail-type'] === drillStartDetailType && typeof detail?.drillId === 'string') return { kind: 'stored', drillId: detail.drillId };
  throw new ArbiterError(`drill input must be {"drill": name}, {"drillId": id} or an '${drillStartDetailType}' event; got ${JSON.stringify(event).slice(0, 200)}`);
}

async function run(event: unknown, context: Context): Promise<DrillRecord> {
  const input = parseDrillInput(event);
  const container = lambdaContainer();
  const runtime = new DrillRuntime({ ...container.deps, newId: (prefix) => `${prefix}-${randomUUID()}` }, { remainingMs: () => context.getRemainingTimeInMillis() });
  return input.kind === 'scheduled' ? runtime.runScheduled(input.name) : runtime.run(input.drillId);
}

export const handler = withPowertools(run);
