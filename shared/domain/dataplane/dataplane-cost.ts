/**
 * What data-plane mode adds to a month's bill, per deployment, from the unit prices in
 * ../cost/unit-prices.ts (us-east-1 list prices, no free tier). The control-plane (`weight`) mode
 * adds nothing here: its Route 53 calls are free.
 *
 * Assumptions, named (each a constant below):
 *   - a gate (Lambda function URL) is priced as an AWS endpoint: $0.50 basic + $1.00 per optional
 *     feature; a gate child uses HTTPS, plus the fast interval when `dataPlane.checkIntervalSeconds`
 *     is 10. (Priced as a non-AWS endpoint — $0.75 + $2.00 per feature — a child would cost
 *     $2.75 standard / $4.75 fast; AWS's pricing page defines which endpoints count as AWS ones.)
 *   - Route 53 probes each gate child from about `checkersPerRegionEstimate` (2) checkers per
 *     configured checker region, once per interval each;
 *   - a gate answer takes `gateDurationSeconds` (10 ms) of 128 MB arm64;
 *   - requests arrive at random (Poisson) and spread over `gateWarmContainersEstimate` (2) warm
 *     containers; a container reads its replica on the first request after its `gateAnswerCacheMs`
 *     cache expires, so it reads λ / (1 + λ·cache) times a second for its λ requests a second; one
 *     read is a BatchGetItem of 2n eventually consistent items of ≤ 4 KB (half a read unit each);
 *   - no target is drained: while a gate votes a drain it also reads its observer's own snapshot
 *     (one strongly consistent GetItem per read), which this estimate does not count.
 */
import type { ValidConfig } from '../config';
import { gateFunctionSizing } from '../cost/function-sizing';
import * as price from '../cost/unit-prices';
import { gateAnswerCacheMs, gateCheckerCount, gateRequestIntervalSeconds } from './health-checks';
import { dataPlaneTargets } from './votes';

export const secondsPerMonth = 30 * 24 * 3600;
export const gateMemoryGb = gateFunctionSizing.memoryMb / 1024;
export const gateDurationSeconds = 0.01;
export const gateWarmContainersEstimate = 2;
/** Read units of one gate read: 2 items (proposal, applied record) per observer, eventually consistent. */
export const gateReadUnitsPerObserver = 2 * 0.5;

export interface DataPlaneCost {
  healthChecksUsd: number;
  gateLambdaUsd: number;
  gateReadsUsd: number;
  totalUsd: number;
  healthCheckCount: number;
  /** Requests Route 53's checkers send to all gates in a month. */
  gateRequestsPerMonth: number;
}

const round2 = (usd: number) => Math.round(usd * 100) / 100;

/** One gate child check's monthly price: basic, HTTPS, and the fast interval when configured. */
export function gateCheckUsdPerMonth(config: ValidConfig): number {
  const features = 1 + (gateRequestIntervalSeconds(config) === 10 ? 1 : 0);
  return price.route53HealthCheckAwsEndpointMonthUsd + features * price.route53HealthCheckOptionalFeatureMonthUsd;
}

function gateCosts(config: ValidConfig, gateTargets: number): { lambdaUsd: number; readsUsd: number; requests: number } {
  const n = config.observers.length;
  const requestsPerSecondPerGate = gateTargets * gateCheckerCount(config) / gateRequestIntervalSeconds(config);
  const requests = requestsPerSecondPerGate * n * secondsPerMonth;
  const lambdaUsd = requests * price.lambdaRequestUsd + requests * gateDurationSeconds * gateMemoryGb * price.lambdaArmGbSecondUsd;
  const perContainer = requestsPerSecondPerGate / gateWarmContainersEstimate;
  const readsPerSecondPerGate = gateWarmContainersEstimate * perContainer / (1 + perContainer * gateAnswerCacheMs / 1000);
  const readsUsd = readsPerSecondPerGate * n * secondsPerMonth * gateReadUnitsPerObserver * n * price.dynamoReadRequestUnitUsd;
  return { lambdaUsd, readsUsd, requests };
}

/**
 * @example dataPlaneMonthlyCost(config).totalUsd // 3 observers, 3 gate targets, standard interval → about $17
 */
export function dataPlaneMonthlyCost(config: ValidConfig): DataPlaneCost {
  const n = config.observers.length;
  const targets = dataPlaneTargets(config);
  const calculatedUsd = targets.length * price.route53HealthCheckAwsEndpointMonthUsd;
  const gateChecksUsd = targets.length * n * gateCheckUsdPerMonth(config);
  const gate = gateCosts(config, targets.length);
  const healthChecksUsd = calculatedUsd + gateChecksUsd;
  return {
    healthChecksUsd: round2(healthChecksUsd), gateLambdaUsd: round2(gate.lambdaUsd), gateReadsUsd: round2(gate.readsUsd),
    totalUsd: round2(healthChecksUsd + gate.lambdaUsd + gate.readsUsd), healthCheckCount: targets.length * (n + 1), gateRequestsPerMonth: Math.round(gate.requests),
  };
}
