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
  /**
   * Concurrency set aside for the function (and its cap). Probe: one, as two overlapping loops would
   * double-probe and race the snapshot. Decide and api: reserved so that the protected application
   * in the same account cannot throttle them out during the incident they exist for; probeNow,
   * alarm and drill likewise, each capped near what it needs.
   */
  reservedConcurrency?: number;
  description: string;
}

/**
 * The probe loop runs one schedule period's worth of rounds (60 s / probe.intervalMs) and a round
 * starts only if its worst case still fits before the deadline. A 70 s timeout lets the last round
 * of the minute (at 50 s, 10 s interval) run, so the gap between two invocations' rounds is one
 * interval, not two or three; the loop ends before the next schedule, and reserved concurrency 1
 * makes a late start wait rather than overlap. Probing is I/O-bound: 128 MB is enough, and the
 * loop's wall time is most of Arbiter's bill, so memory is kept at the minimum.
 * The API's 29 s stays under API Gateway's 30 s integration limit. A drill holds a target for
 * minutes, so it gets Lambda's maximum (its hold is capped by the remaining time).
 */
export const functionSizing: Readonly<Record<ArbiterFunctionName, FunctionSizing>> = {
  probe: { handler: 'functions/probe.handler', memoryMb: 128, timeoutSeconds: 70, reservedConcurrency: 1, description: 'Probe loop: rounds at probe.intervalMs for about a minute' },
  probeNow: { handler: 'functions/probe.probeNowHandler', memoryMb: 128, timeoutSeconds: 20, reservedConcurrency: 5, description: "Answers a peer's 'Arbiter Probe Now' with one round" },
  decide: { handler: 'functions/decide.handler', memoryMb: 256, timeoutSeconds: 30, reservedConcurrency: 10, description: 'Proposal, quorum decision and Route 53 reconcile' },
  alarm: { handler: 'functions/alarm.handler', memoryMb: 128, timeoutSeconds: 10, reservedConcurrency: 5, description: 'CloudWatch alarm state changes to signals' },
  drill: { handler: 'functions/drill.handler', memoryMb: 256, timeoutSeconds: 900, reservedConcurrency: 2, description: 'Scheduled and API-started drills' },
  api: { handler: 'functions/api.handler', memoryMb: 256, timeoutSeconds: 29, reservedConcurrency: 5, description: 'Operator API (IAM-authorized HTTP API)' },
};

export const arbiterFunctionNames: readonly ArbiterFunctionName[] = ['probe', 'probeNow', 'decide', 'alarm', 'drill', 'api'];

/**
 * The data-plane gate (shipped only when a target votes by gate; docs/dataplane.md). Route 53's
 * HTTPS checkers give a response 2 s after connecting, so 3 s is already generous. Its URL is
 * public (checkers cannot sign requests); reserved concurrency caps what a flood can cost, and a
 * throttled gate reads as "no drain" (the child check is Inverted), so a flood can never drain.
 */
export const gateFunctionSizing: Readonly<FunctionSizing> = {
  handler: 'functions/gate.handler', memoryMb: 128, timeoutSeconds: 3, reservedConcurrency: 10,
  description: 'Data-plane gate: answers Route 53 health checkers with this observer decision per target',
};

/** CloudWatch Logs retention of every function's log group. */
export const logRetentionDays = 30;

/**
 * X-Ray active tracing on the functions. Off by default: at Arbiter's invocation rate (the decide
 * function runs on every event) it would record about 1.5 million traces a month, which costs more
 * than everything else but the probe loop. Turn it on while investigating; the IAM statements and
 * the cost estimate follow this switch.
 */
export const lambdaTracingEnabled = false;
