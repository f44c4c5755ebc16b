/**
 * Route 53's own view of the data-plane checks, as read back from it (not the observers' votes):
 * what `arbiter status` and drills can show next to each observer's vote, where Route 53 can be read.
 *
 *   endpoint child (gate): each checker's last report ("Success: …" / "Failure: …"); the endpoint is
 *     healthy while more than 18 % of checkers report success; an Inverted child is the opposite,
 *     so a gate child is unhealthy — a drain vote Route 53 has seen — while most checkers see 200.
 *   CALCULATED: Route 53 publishes its status only as the CloudWatch metric HealthCheckStatus
 *     (AWS/Route53, us-east-1; 1 healthy, 0 unhealthy); no datapoint reads as unknown.
 */

/** Route 53 counts an endpoint healthy while more than this share of its checkers report success. */
export const route53HealthyFractionMin = 0.18;

export interface ChildCheckStatus {
  reporting: number;
  succeeding: number;
  /** The check's status after inversion; null when no checker reported. */
  healthy: boolean | null;
}

/**
 * @example childCheckStatus(['Success: HTTP Status Code 200', 'Failure: …'], true) // → { reporting: 2, succeeding: 1, healthy: false }
 */
export function childCheckStatus(reports: readonly string[], inverted: boolean): ChildCheckStatus {
  const succeeding = reports.filter((r) => r.startsWith('Success')).length;
  if (reports.length === 0) return { reporting: 0, succeeding: 0, healthy: null };
  const endpointHealthy = succeeding / reports.length > route53HealthyFractionMin;
  return { reporting: reports.length, succeeding, healthy: inverted ? !endpointHealthy : endpointHealthy };
}

export type CalculatedStatus = 'healthy' | 'unhealthy' | 'unknown';

/** The CALCULATED check's status from the newest HealthCheckStatus datapoint's Minimum. */
export function calculatedStatus(minimum: number | undefined): CalculatedStatus {
  if (minimum === undefined) return 'unknown';
  return minimum >= 1 ? 'healthy' : 'unhealthy';
}
