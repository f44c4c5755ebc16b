/**
 * What data-plane mode adds to a month's bill, per deployment. List prices (us-east-1, USD,
 * checked 2026-11 from the public pricing pages; re-check before relying on them). The
 * control-plane (`weight`) mode adds nothing here: its Route 53 calls are free.
 *
 * Assumptions, named: the gate is an "AWS endpoint" for health-check pricing; Route 53 probes a
 * fast HTTPS check from `healthCheckerLocationsCount` locations every 10 s; metric-mode votes are
 * written once per decide pass (`decidePassesPerMinute`, scheduled passes plus event-driven ones).
 */
import type { ValidConfig } from '../config';
import { gateFunctionSizing } from '../cost/function-sizing';
import { dataPlaneTargets, voteMechanism } from './votes';

export const healthCheckBasicUsdPerMonth = 0.5;
/** Each optional feature (HTTPS, fast interval, string match, latency) on an AWS endpoint. */
export const healthCheckOptionalFeatureUsdPerMonth = 1.0;
export const alarmStandardUsdPerMonth = 0.1;
export const customMetricUsdPerMonth = 0.3;
export const putMetricDataUsdPerThousandRequests = 0.01;
export const lambdaUsdPerMillionRequests = 0.2;
export const lambdaUsdPerGbSecond = 0.0000166667;
export const dynamoDbUsdPerMillionReadUnits = 0.125;

export const healthCheckerLocationsCount = 15;
export const secondsPerMonth = 30 * 24 * 3600;
export const gateIntervalSeconds = 10;
export const gateMemoryGb = gateFunctionSizing.memoryMb / 1024;
export const gateDurationSeconds = 0.01;
/** Read units one gate replica read costs (a bounded query of proposals and applied records). */
export const gateReadUnitsPerRead = 8;
/** The gate caches 2 s; assume up to 4 warm containers per region read independently. */
export const gateReadsPerSecondMax = 2;
export const decidePassesPerMinute = 2;

export interface DataPlaneCost {
  healthChecksUsd: number;
  alarmsAndMetricsUsd: number;
  gateLambdaUsd: number;
  gateReadsUsd: number;
  totalUsd: number;
  healthCheckCount: number;
}

const round2 = (usd: number) => Math.round(usd * 100) / 100;

/**
 * @example dataPlaneMonthlyCost(config).totalUsd // 3 observers, 3 gate targets → about $45
 */
export function dataPlaneMonthlyCost(config: ValidConfig): DataPlaneCost {
  const n = config.observers.length;
  const targets = dataPlaneTargets(config);
  const gateTargets = targets.filter((t) => voteMechanism(t) === 'gate').length;
  const metricTargets = targets.length - gateTargets;
  const calculatedUsd = targets.length * healthCheckBasicUsdPerMonth;
  const gateChecksUsd = gateTargets * n * (healthCheckBasicUsdPerMonth + 2 * healthCheckOptionalFeatureUsdPerMonth);
  const metricChecksUsd = metricTargets * n * healthCheckBasicUsdPerMonth;
  const alarmsAndMetricsUsd = metricTargets * n * (alarmStandardUsdPerMonth + customMetricUsdPerMonth)
    + (metricTargets > 0 ? n * decidePassesPerMinute * 60 * 24 * 30 / 1000 * putMetricDataUsdPerThousandRequests : 0);
  const gateRequests = gateTargets * n * healthCheckerLocationsCount * (secondsPerMonth / gateIntervalSeconds);
  const gateLambdaUsd = gateRequests / 1e6 * lambdaUsdPerMillionRequests + gateRequests * gateDurationSeconds * gateMemoryGb * lambdaUsdPerGbSecond;
  const gateReadsUsd = gateTargets > 0 ? n * gateReadsPerSecondMax * secondsPerMonth * gateReadUnitsPerRead / 1e6 * dynamoDbUsdPerMillionReadUnits : 0;
  const healthChecksUsd = calculatedUsd + gateChecksUsd + metricChecksUsd;
  return {
    healthChecksUsd: round2(healthChecksUsd), alarmsAndMetricsUsd: round2(alarmsAndMetricsUsd), gateLambdaUsd: round2(gateLambdaUsd), gateReadsUsd: round2(gateReadsUsd),
    totalUsd: round2(healthChecksUsd + alarmsAndMetricsUsd + gateLambdaUsd + gateReadsUsd), healthCheckCount: targets.length * (n + 1),
  };
}
