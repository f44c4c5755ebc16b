/**
 * Monthly AWS bill of one Arbiter deployment, from its config: every observer region runs the
 * whole stack (see resources/stack-resources.ts). Pure: usage comes from the config, the function
 * sizing and the named assumptions below; prices from unit-prices.ts. Free tiers are ignored.
 *
 * Steady state per observer region, per minute (R = observers, I = probe.intervalMs, F = verdictRefreshMs):
 *   probe      1 invocation, busy ≈ (⌈60 s / I⌉ − 1)·I + one round + flush
 *   decide     1 scheduled + R·⌈60 s / F⌉ proposal events (every observer refreshes its proposal every F)
 *   table      ⌈60 s / max(I, F)⌉ snapshot writes + 1 heartbeat + ⌈60 s / F⌉ proposal writes, each replicated to R − 1 regions
 *   bus        ⌈60 s / F⌉ proposals published, each delivered to R − 1 peer buses
 */
import type { ValidConfig } from '../config';
import { dataPlaneMonthlyCost } from '../dataplane';
import { functionSizing, lambdaTracingEnabled, type ArbiterFunctionName } from './function-sizing';
import * as price from './unit-prices';

/** Usage the config does not say; each can be overridden. Values are for a quiet, healthy month. */
export interface CostAssumptions {
  /** Wall time of one probe round when endpoints answer (ms). */
  probeRoundMs: number;
  /** Flush and heartbeat at the end of a probe invocation (ms). */
  probeFlushMs: number;
  /** Average decide run: read the view, compute, maybe write and publish (ms). */
  decideRunMs: number;
  /** Verdict changes per observer per day (each publishes a verdicts event and asks peers to probe now when suspect). */
  verdictChangesPerObserverDay: number;
  /** State changes per configured alarm per day. */
  alarmChangesPerAlarmDay: number;
  /** Operator API requests per region per month (status polls, overrides, audit). */
  apiRequestsPerRegionMonth: number;
  apiRequestMs: number;
  /** Write units per verdict snapshot (items with latency windows exceed 1 KB). */
  snapshotWriteUnits: number;
  /** Read units per decide run (a handful of bounded queries). */
  readUnitsPerDecideRun: number;
  /** Table size (audit log, drills, snapshots), GB. */
  tableSizeGb: number;
  /**
   * Log bytes per invocation (Powertools JSON lines, EMF, START/END/REPORT) and per extra probe round.
   * A round that goes well logs nothing (the loop logs failed rounds and one metric line per
   * invocation; shared/runtime/probe-loop.test.ts checks it), so the default per round is 0.
   */
  logBytesPerInvocation: number;
  logBytesPerProbeRound: number;
  /** Bytes of one Arbiter event (cross-region transfer). */
  eventBytes: number;
  /** Distinct custom metrics each region reports (ProbeRounds, ProbeRoundFailures, DecisionsApplied, ApplyFailures, SafetyRefusals). */
  customMetricsPerRegion: number;
}

export const defaultCostAssumptions: CostAssumptions = {
  probeRoundMs: 500, probeFlushMs: 200, decideRunMs: 300, verdictChangesPerObserverDay: 10, alarmChangesPerAlarmDay: 4,
  apiRequestsPerRegionMonth: 10_000, apiRequestMs: 200, snapshotWriteUnits: 2, readUnitsPerDecideRun: 5, tableSizeGb: 0.5,
  logBytesPerInvocation: 3_000, logBytesPerProbeRound: 0, eventBytes: 2_000, customMetricsPerRegion: 5,
};

/** 730 hours: the month AWS pricing pages use. */
export const hoursPerMonth = 730;
export const minutesPerMonth = hoursPerMonth * 60;
const daysPerMonth = hoursPerMonth / 24;
const bytesPerGb = 1024 ** 3;

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  monthlyUsd: number;
}

export interface CostEstimate {
  regions: number;
  lines: CostLine[];
  totalUsd: number;
  /** ARC cluster for comparison (hours per month × price per hour). */
  arcClusterUsd: number;
  pricesReadOn: string;
  assumptions: CostAssumptions;
}

/**
 * Occurrences per month of an EventBridge `rate(...)` or `cron(...)` schedule (cron: lists, ranges
 * and steps counted per field; day-of-week days count 730/24/7 times a month).
 * @example scheduleRunsPerMonth('cron(0 10 ? * TUE *)') // ≈ 4.35
 */
export function scheduleRunsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) return minutesPerMonth / (Number(rate[1]) * ({ minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 } as Record<string, number>)[rate[2]!]!);
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!cron) throw new Error(`cannot price schedule ${JSON.stringify(expression)}: expected rate(n unit) or cron(6 fields)`);
  const [, minutes, hours, dayOfMonth, month, dayOfWeek] = cron as unknown as string[];
  const names: Record<string, string> = { SUN: '1', MON: '2', TUE: '3', WED: '4', THU: '5', FRI: '6', SAT: '7', JAN: '1', FEB: '2', MAR: '3', APR: '4', MAY: '5', JUN: '6', JUL: '7', AUG: '8', SEP: '9', OCT: '10', NOV: '11', DEC: '12' };
  const count = (field: string, size: number) => (field === '*' || field === '?' ? size : field.toUpperCase().replace(/[A-Z]{3}/g, (n) => names[n] ?? n).split(',').reduce((n, part) => {
    const step = /^(\*|\d+)(?:-(\d+))?\/(\d+)$/.exec(part);
    if (step) return n + Math.ceil(((step[2] ? Number(step[2]) : size - 1) - (step[1] === '*' ? 0 : Number(step[1])) + 1) / Number(step[3]));
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) return n + Number(range[2]) - Number(range[1]) + 1;
    return n + 1;
  }, 0));
  const daysPerWeekMatched = count(dayOfWeek!, 7);
  const days = dayOfWeek === '?' || dayOfWeek === '*' ? (dayOfMonth === '?' || dayOfMonth === '*' ? daysPerMonth : count(dayOfMonth!, 31)) : (daysPerWeekMatched * daysPerMonth) / 7;
  return count(minutes!, 60) * count(hours!, 24) * days * (count(month!, 12) / 12);
}

const lambda = (fn: ArbiterFunctionName, invocations: number, busyMs: number): CostLine[] => {
  const gbSeconds = invocations * (Math.min(busyMs, functionSizing[fn].timeoutSeconds * 1000) / 1000) * (functionSizing[fn].memoryMb / 1024);
  return [
    { service: 'Lambda', item: `${fn} compute (${functionSizing[fn].memoryMb} MB arm64)`, quantity: gbSeconds, unit: 'GB-s', monthlyUsd: gbSeconds * price.lambdaArmGbSecondUsd },
    { service: 'Lambda', item: `${fn} requests`, quantity: invocations, unit: 'requests', monthlyUsd: invocations * price.lambdaRequestUsd },
  ];
};

/**
 * Estimates the monthly bill of the whole deployment (all observer regions).
 * @example estimateMonthlyCost(config).totalUsd // ≈ 40 for three observers probing every 10 s
 */
export function estimateMonthlyCost(config: ValidConfig, overrides: Partial<CostAssumptions> = {}): CostEstimate {
  const a = { ...defaultCostAssumptions, ...overrides };
  const regions = config.observers.length;
  const peers = regions - 1;
  const { intervalMs, verdictRefreshMs } = config.probe;
  const roundsPerInvocation = Math.ceil(60_000 / intervalMs);
  const proposalsPerMinute = Math.ceil(60_000 / verdictRefreshMs);
  const changesPerMonth = regions * a.verdictChangesPerObserverDay * daysPerMonth;

  const probeInvocations = regions * minutesPerMonth;
  const probeBusyMs = (roundsPerInvocation - 1) * intervalMs + a.probeRoundMs + a.probeFlushMs;
  const probeNowInvocations = changesPerMonth * regions; // every observer answers a suspect's probe-now
  const decideInvocations = regions * minutesPerMonth * (1 + regions * proposalsPerMinute) + changesPerMonth * regions;
  const alarmInvocations = config.alarms.length * a.alarmChangesPerAlarmDay * daysPerMonth;
  const drillRuns = config.drills.reduce((n, d) => n + scheduleRunsPerMonth(d.schedule), 0) * regions;
  const drillBusyMs = config.drills.length === 0 ? 0 : Math.max(...config.drills.map((d) => d.holdSeconds * 1000 + 60_000));
  const apiRequests = regions * a.apiRequestsPerRegionMonth;

  const writesPerMonth = regions * minutesPerMonth * (Math.ceil(60_000 / Math.max(intervalMs, verdictRefreshMs)) * a.snapshotWriteUnits + 1 + proposalsPerMinute);
  const eventsPublished = regions * minutesPerMonth * proposalsPerMinute + changesPerMonth * 2;
  const deliveries = eventsPublished * peers;
  const invocations = probeInvocations + probeNowInvocations + decideInvocations + alarmInvocations + drillRuns + apiRequests;
  const logGb = (invocations * a.logBytesPerInvocation + probeInvocations * (roundsPerInvocation - 1) * a.logBytesPerProbeRound) / bytesPerGb;
  const healthCheckTargets = config.targets.filter((t) => t.route53.mode === 'health-check');
  const alarmsPerRegion = Object.keys(functionSizing).length + 3; // errors per function, probe heartbeat, DLQ depth, config mismatch

  const lines: CostLine[] = [
    ...lambda('probe', probeInvocations, probeBusyMs),
    ...lambda('probeNow', probeNowInvocations, a.probeRoundMs * 3),
    ...lambda('decide', decideInvocations, a.decideRunMs),
    ...lambda('alarm', alarmInvocations, 100),
    ...lambda('drill', drillRuns, drillBusyMs),
    ...lambda('api', apiRequests, a.apiRequestMs),
    { service: 'DynamoDB', item: 'writes (snapshots, heartbeats, proposals)', quantity: writesPerMonth, unit: 'WRU', monthlyUsd: writesPerMonth * price.dynamoWriteRequestUnitUsd },
    { service: 'DynamoDB', item: `replicated writes (to ${peers} other regions)`, quantity: writesPerMonth * peers, unit: 'rWRU', monthlyUsd: writesPerMonth * peers * price.dynamoReplicatedWriteUnitUsd },
    { service: 'DynamoDB', item: 'reads (decide views)', quantity: decideInvocations * a.readUnitsPerDecideRun, unit: 'RRU', monthlyUsd: decideInvocations * a.readUnitsPerDecideRun * price.dynamoReadRequestUnitUsd },
    { service: 'DynamoDB', item: 'storage + PITR (every replica)', quantity: a.tableSizeGb * regions, unit: 'GB-month', monthlyUsd: a.tableSizeGb * regions * (price.dynamoStorageGbMonthUsd + price.dynamoPitrGbMonthUsd) },
    { service: 'EventBridge', item: 'Arbiter events published', quantity: eventsPublished, unit: 'events', monthlyUsd: eventsPublished * price.eventBridgeCustomEventUsd },
    { service: 'EventBridge', item: 'cross-region deliveries', quantity: deliveries, unit: 'events', monthlyUsd: deliveries * price.eventBridgeCustomEventUsd + (deliveries * a.eventBytes / bytesPerGb) * price.interRegionTransferGbUsd },
    { service: 'API Gateway', item: 'HTTP API requests', quantity: apiRequests, unit: 'requests', monthlyUsd: apiRequests * price.httpApiRequestUsd },
    { service: 'CloudWatch', item: 'alarms on Arbiter', quantity: alarmsPerRegion * regions, unit: 'alarms', monthlyUsd: alarmsPerRegion * regions * price.cloudWatchAlarmMonthUsd },
    { service: 'CloudWatch', item: 'custom metrics (EMF)', quantity: a.customMetricsPerRegion * regions, unit: 'metrics', monthlyUsd: a.customMetricsPerRegion * regions * price.cloudWatchCustomMetricMonthUsd },
    { service: 'CloudWatch', item: 'logs ingested + stored', quantity: logGb, unit: 'GB', monthlyUsd: logGb * (price.cloudWatchLogsIngestGbUsd + price.cloudWatchLogsStorageGbMonthUsd) },
    ...(lambdaTracingEnabled ? [{ service: 'X-Ray', item: 'traces (every invocation sampled at this rate)', quantity: invocations, unit: 'traces', monthlyUsd: invocations * price.xrayTraceRecordedUsd }] : []),
  ];
  if (healthCheckTargets.length > 0) {
    // Data-plane mode has its own model (shared/domain/dataplane/dataplane-cost.ts): one source for both.
    const dataPlane = dataPlaneMonthlyCost(config);
    lines.push(
      { service: 'Route 53', item: 'health checks (data-plane mode: calculated per target, one vote check per observer)', quantity: dataPlane.healthCheckCount, unit: 'checks', monthlyUsd: dataPlane.healthChecksUsd },
      { service: 'Lambda', item: `gate answers to Route 53 health checkers (${config.dataPlane.checkerRegions.length} checker regions, every ${config.dataPlane.checkIntervalSeconds} s)`, quantity: dataPlane.gateRequestsPerMonth, unit: 'requests', monthlyUsd: dataPlane.gateLambdaUsd },
      { service: 'DynamoDB', item: 'gate reads (eventually consistent, cached per container)', quantity: 1, unit: 'estimate', monthlyUsd: dataPlane.gateReadsUsd },
    );
  }
  const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  return { regions, lines, totalUsd, arcClusterUsd: price.arcClusterHourUsd * hoursPerMonth, pricesReadOn: price.unitPricesReadOn, assumptions: a };
}
