/**
 * Reads Route 53's own status of one data-plane target's checks: the CALCULATED check (CloudWatch
 * metric HealthCheckStatus in us-east-1) and each child (GetHealthCheckStatus, whose reports are
 * the checkers' raw results; a CLOUDWATCH_METRIC child — left by a deployment made before metric
 * votes were removed, until it is deployed again — has none). Both APIs live in us-east-1:
 * while it is down this answers `unknown` with the reason, which is what "where it can be read" means.
 */
import { GetMetricStatisticsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckCommand, GetHealthCheckStatusCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { calculatedStatus, childCheckStatus, type CalculatedStatus, type ChildCheckStatus } from '../../domain';

/** Children read per target at most (one per observer; Arbiter allows 9 observers). */
export const childChecksMax = 9;
/** How far back the CALCULATED check's status metric is read (Route 53 publishes it every minute). */
export const statusMetricWindowMs = 180_000;

export interface TargetHealthStatus {
  calculated: CalculatedStatus;
  children: Array<{ id: string; type: string; status: ChildCheckStatus | null }>;
  /** Why something is unknown (an API that could not be read), or null. */
  problem: string | null;
}

async function calculatedFromMetric(cloudWatch: CloudWatchClient, id: string, nowMs: number): Promise<CalculatedStatus> {
  const out = await cloudWatch.send(new GetMetricStatisticsCommand({
    Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus', Dimensions: [{ Name: 'HealthCheckId', Value: id }],
    StartTime: new Date(nowMs - statusMetricWindowMs), EndTime: new Date(nowMs), Period: 60, Statistics: ['Minimum'],
  }));
  const newest = [...(out.Datapoints ?? [])].sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
  return calculatedStatus(newest?.Minimum);
}

async function child(route53: Route53Client, id: string): Promise<{ id: string; type: string; status: ChildCheckStatus | null }> {
  const config = (await route53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).HealthCheck?.HealthCheckConfig;
  const type = config?.Type ?? 'unknown';
  if (type === 'CALCULATED' || type === 'CLOUDWATCH_METRIC') return { id, type, status: null };
  const observations = (await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations ?? [];
  return { id, type, status: childCheckStatus(observations.map((o) => o.StatusReport?.Status ?? ''), config?.Inverted === true) };
}

/**
 * @example await readTargetHealthStatus({ route53, cloudWatch }, healthChecks['eu-west-1'], Date.now())
 */
export async function readTargetHealthStatus(clients: { route53: Route53Client; cloudWatch: CloudWatchClient }, calculatedId: string, nowMs: number): Promise<TargetHealthStatus> {
  try {
    const parent = (await clients.route53.send(new GetHealthCheckCommand({ HealthCheckId: calculatedId }))).HealthCheck?.HealthCheckConfig;
    const ids = (parent?.ChildHealthChecks ?? []).slice(0, childChecksMax);
    const children = [];
    for (const id of ids) children.push(await child(clients.route53, id));
    return { calculated: await calculatedFromMetric(clients.cloudWatch, calculatedId, nowMs), children, problem: null };
  } catch (error) {
    return { calculated: 'unknown', children: [], problem: `Route 53 status unreadable: ${(error as Error).name}: ${(error as Error).message}` };
  }
}
