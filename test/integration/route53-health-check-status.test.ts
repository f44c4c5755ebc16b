/**
 * Route 53's own status of a data-plane target's checks, read back from moto (Route 53 and
 * CloudWatch in us-east-1). moto answers every endpoint check with one fixed "Success" report and
 * never publishes HealthCheckStatus: the test publishes that datapoint itself, and says so.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateHealthCheckCommand, Route53Client, type HealthCheckConfig } from '@aws-sdk/client-route-53';
import { readTargetHealthStatus } from '../../shared/adapters/aws/route53-health-check-status';
import { startMoto, type Moto } from '../support/moto';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

async function create(route53: Route53Client, reference: string, config: HealthCheckConfig): Promise<string> {
  return (await route53.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: config }))).HealthCheck!.Id!;
}

describe('readTargetHealthStatus (moto)', () => {
  it('reads each gate child from its checkers (moto: one fixed 200, so an Inverted child reads as a drain vote) and the CALCULATED check from its status metric', async () => {
    const route53 = new Route53Client(moto.clientOptions('us-east-1'));
    const cloudWatch = new CloudWatchClient(moto.clientOptions('us-east-1'));
    const children = [];
    for (const o of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      children.push(await create(route53, `status-${o}`, { Type: 'HTTPS', FullyQualifiedDomainName: `gate-${o}.example.com`, Port: 443, ResourcePath: '/drain/eu-west-1', RequestInterval: 30, FailureThreshold: 1, Inverted: true }));
    }
    const calculated = await create(route53, 'status-calculated', { Type: 'CALCULATED', HealthThreshold: 3, ChildHealthChecks: children });
    const nowMs = Date.now();
    expect((await readTargetHealthStatus({ route53, cloudWatch }, calculated, nowMs)).calculated).toBe('unknown');
    // Faked: Route 53 would publish this datapoint itself.
    await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Route53', MetricData: [{ MetricName: 'HealthCheckStatus', Dimensions: [{ Name: 'HealthCheckId', Value: calculated }], Value: 0, Timestamp: new Date(nowMs - 30_000) }] }));
    const status = await readTargetHealthStatus({ route53, cloudWatch }, calculated, nowMs);
    expect(status.problem).toBeNull();
    expect(status.calculated).toBe('unhealthy');
    expect(status.children.map((c) => [c.id, c.type, c.status])).toEqual(children.map((id) => [id, 'HTTPS', { reporting: 1, succeeding: 1, healthy: false }]));
  });

  it('answers unknown with the reason when Route 53 cannot be read, instead of throwing', async () => {
    const route53 = new Route53Client(moto.clientOptions('us-east-1'));
    const cloudWatch = new CloudWatchClient(moto.clientOptions('us-east-1'));
    const status = await readTargetHealthStatus({ route53, cloudWatch }, '00000000-0000-0000-0000-000000000000', Date.now());
    expect(status).toMatchObject({ calculated: 'unknown', children: [], problem: expect.stringContaining('Route 53 status unreadable') });
  });
});
