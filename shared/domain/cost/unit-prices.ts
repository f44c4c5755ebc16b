/**
 * AWS unit prices the cost model uses, in USD, us-east-1 list prices, no free tier.
 *
 * Read: 2026-11-23, from the AWS public pricing pages as known to the author on that date
 * (Lambda, DynamoDB on-demand incl. the November 2024 on-demand and replicated-write reductions,
 * EventBridge, API Gateway HTTP APIs, Route 53 health checks, CloudWatch, X-Ray, SQS).
 * This machine has no network, so they were not re-fetched: check them before quoting a bill.
 * Other regions cost up to ~30% more for some items (e.g. ap-southeast-2 Lambda and DynamoDB).
 */
export const unitPricesReadOn = '2026-11-23';

/** Lambda, arm64 (Graviton), per GB-second of billed duration. */
export const lambdaArmGbSecondUsd = 0.0000133334;
export const lambdaRequestUsd = 0.2 / 1_000_000;

/** DynamoDB on-demand: write request unit (1 KB), read request unit (4 KB, strongly consistent; eventually consistent reads use half). */
export const dynamoWriteRequestUnitUsd = 0.625 / 1_000_000;
export const dynamoReadRequestUnitUsd = 0.125 / 1_000_000;
/** Global Tables: each write is replicated to every other replica region as a replicated write unit. */
export const dynamoReplicatedWriteUnitUsd = 0.625 / 1_000_000;
export const dynamoStorageGbMonthUsd = 0.25;
/** Point-in-time recovery (continuous backups), per GB-month of table size. */
export const dynamoPitrGbMonthUsd = 0.2;

/** EventBridge: custom events published to a bus (64 KB chunks); an event delivered to a bus in another region is charged again as a custom event. Scheduled rules and AWS service events (alarm state changes) are free. */
export const eventBridgeCustomEventUsd = 1.0 / 1_000_000;
/** Inter-region data transfer out, per GB. */
export const interRegionTransferGbUsd = 0.02;

/** API Gateway HTTP API requests (first 300 M/month tier). */
export const httpApiRequestUsd = 1.0 / 1_000_000;

/** Route 53 health checks per month: basic check on an AWS endpoint, and each optional feature (HTTPS, fast 10 s interval, string matching, latency). */
export const route53HealthCheckAwsEndpointMonthUsd = 0.5;
export const route53HealthCheckOptionalFeatureMonthUsd = 1.0;
/** Route 53 standard queries per million (Arbiter's weight mode adds none; listed for completeness). */
export const route53QueryMillionUsd = 0.4;

/** CloudWatch: standard-resolution alarm per month; custom metric per month (first 10k tier); logs ingestion per GB; logs storage per GB-month. */
export const cloudWatchAlarmMonthUsd = 0.1;
export const cloudWatchCustomMetricMonthUsd = 0.3;
export const cloudWatchLogsIngestGbUsd = 0.5;
export const cloudWatchLogsStorageGbMonthUsd = 0.03;

/** X-Ray traces recorded, per trace. */
export const xrayTraceRecordedUsd = 5.0 / 1_000_000;

/** SQS standard requests (dead-letter queue), per request. */
export const sqsRequestUsd = 0.4 / 1_000_000;

/** Route 53 Application Recovery Controller cluster, per hour: the alternative Arbiter is compared with. */
export const arcClusterHourUsd = 2.5;
