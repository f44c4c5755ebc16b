/**
 * Memory and timeout of each Arbiter Lambda function. serverless.yml reads them (through
 * resources/stack-plan.ts) and the cost model prices them, so the bill and the stack never disagree.
 */
export type ArbiterFunctionName = 'probe' | 'probeNow' | 'decide' | 'alarm' | 'drill' | 'api';

export interface FunctionSizing {
  /** The file in functions/ and its exported handler. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** One concurrent execution for the probe loop: two overlapping loops would double-probe and race the snapshot. */
  reservedConcurrency?: number;
  description: string;
}

/**
 * The probe loop runs for most of a minute (the schedule's period) and stops `flushReserveMs`
 * before its deadline: 55 s leaves 5 s between one loop's end and the next schedule.
 * The API's 29 s stays under API Gateway's 30 s integration limit. A drill holds a target for
 * minutes, so it gets Lambda's maximum (its hold is capped by the remaining time).
 */
export const functionSizing: Readonly<Record<ArbiterFunctionName, FunctionSizing>> = {
  probe: { handler: 'functions/probe.handler', memoryMb: 256, timeoutSeconds: 55, reservedConcurrency: 1, description: 'Probe loop: rounds at probe.intervalMs for about a minute' },
  probeNow: { handler: 'functions/probe.probeNowHandler', memoryMb: 256, timeoutSeconds: 20, description: "Answers a peer's 'Arbiter Probe Now' with one round" },
  decide: { handler: 'functions/decide.handler', memoryMb: 256, timeoutSeconds: 30, description: 'Proposal, quorum decision and Route 53 reconcile' },
  alarm: { handler: 'functions/alarm.handler', memoryMb: 128, timeoutSeconds: 10, description: 'CloudWatch alarm state changes to signals' },
  drill: { handler: 'functions/drill.handler', memoryMb: 256, timeoutSeconds: 900, description: 'Scheduled and API-started drills' },
  api: { handler: 'functions/api.handler', memoryMb: 256, timeoutSeconds: 29, description: 'Operator API (IAM-authorized HTTP API)' },
};

export const arbiterFunctionNames: readonly ArbiterFunctionName[] = ['probe', 'probeNow', 'decide', 'alarm', 'drill', 'api'];

/** CloudWatch Logs retention of every function's log group. */
export const logRetentionDays = 30;
