/**
 * Route 53's own status of the data-plane checks, read by the CLI next to what the API says (the
 * observers' votes). The ids come from `.arbiter/<stage>.json` (written by `arbiter deploy`); the
 * reads go to Route 53 and CloudWatch in us-east-1 with the operator's credentials. While they
 * cannot be read (us-east-1 down, no permission) every target answers `unknown` with the reason:
 * the vote is still shown, and nothing fails because of it.
 */
import { readFileSync } from 'node:fs';
import type { TargetHealthStatus } from '../../shared/adapters/aws/route53-health-check-status';
import type { CredentialsProvider } from './api-client';

/** Reads Route 53's status of each named data-plane target's CALCULATED check. */
export type HealthStatusReader = (targets: readonly string[]) => Promise<Record<string, TargetHealthStatus>>;

export interface Route53StatusSource {
  /** The CALCULATED check id per data-plane target. */
  ids: Readonly<Record<string, string>>;
  read: HealthStatusReader;
}

/** Where Route 53's health-check API and the HealthCheckStatus metric live. */
export const route53StatusRegion = 'us-east-1';

/**
 * The health-check ids in an outputs file, or none (no file, no ids: a stage without data-plane
 * targets, or one deployed before the ids were written). A malformed entry is left out, not guessed.
 */
export function healthCheckIdsFromOutputs(path: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
  const ids = (value as { healthChecks?: unknown } | null)?.healthChecks;
  if (ids === null || typeof ids !== 'object' || Array.isArray(ids)) return {};
  return Object.fromEntries(Object.entries(ids as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f-]{1,64}$/i.test(e[1])));
}

/** A reader over the AWS SDK (imported on first use: `arbiter status` without data-plane targets loads none of it). */
export function awsHealthStatusReader(ids: Readonly<Record<string, string>>, credentials: CredentialsProvider): HealthStatusReader {
  return async (targets) => {
    const [{ Route53Client }, { CloudWatchClient }, { readTargetHealthStatus }] = await Promise.all([
      import('@aws-sdk/client-route-53'), import('@aws-sdk/client-cloudwatch'), import('../../shared/adapters/aws/route53-health-check-status'),
    ]);
    const clients = { route53: new Route53Client({ region: route53StatusRegion, credentials, maxAttempts: 2 }), cloudWatch: new CloudWatchClient({ region: route53StatusRegion, credentials, maxAttempts: 2 }) };
    const out: Record<string, TargetHealthStatus> = {};
    for (const target of targets) {
      const id = ids[target];
      if (id !== undefined) out[target] = await readTargetHealthStatus(clients, id, Date.now());
    }
    return out;
  };
}

/** One cell: the CALCULATED check's status, how many children Route 53 sees unhealthy (drain votes), or why it is unknown. */
export function describeHealthStatus(status: TargetHealthStatus | undefined): string {
  if (status === undefined) return 'not read';
  if (status.problem !== null) return `unknown (${status.problem})`;
  const judged = status.children.filter((c) => c.status !== null && c.status.healthy !== null);
  const votes = judged.filter((c) => c.status!.healthy === false).length;
  const children = status.children.length === 0 ? '' : judged.length === 0 ? `, ${status.children.length} children not checker-reported` : `, ${votes} of ${judged.length} children unhealthy`;
  return `${status.calculated}${children}`;
}
