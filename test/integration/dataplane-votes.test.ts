/**
 * Data-plane mode against moto: the health checks Arbiter defines, the vote alarms, the metric
 * votes the decide pass writes, and the gate handler over DynamoDB.
 *
 * moto gaps, faked explicitly where a test needs them (each such test says so in its name):
 * moto never evaluates an alarm from metric data, and answers a fixed health-check status. The
 * fake alarm evaluator reads the metric back from moto and sets the alarm state as CloudWatch
 * would; the fake Route 53 checker reads the alarms' states and combines them with the
 * CALCULATED check's threshold read back from moto.
 */
import {
  CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand, SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateHealthCheckCommand, GetHealthCheckCommand, Route53Client, type HealthCheckConfig } from '@aws-sdk/client-route-53';
import { createGateHandler } from '../../functions/gate';
import { CloudWatchVoteWriter } from '../../shared/adapters/aws/dataplane-metric-votes';
import { logger } from '../../functions/lib/powertools';
import {
  calculatedHealthy, dataPlaneHealthChecks, validateConfig, voteAlarmName, voteDimensions, voteMetricName, voteMetricNamespace,
  type ArbiterConfigInput, type ChildCheck, type ValidConfig,
} from '../../shared/domain';
import { configInput, regions } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { proposalWanting, snapshotOf } from '../unit/support/core-builders';
import { createRegion, writeConfig, type RegionWorld } from './support/world';

/** moto starts in about 1 s, far slower on a loaded 2-core machine; each test makes a few dozen calls. */
const testTimeoutMs = 60_000;
jest.setTimeout(testTimeoutMs);

/** us-east-1 and eu-west-1 vote through gates, ap-southeast-2 through metrics. */
function dataPlaneInput(): ArbiterConfigInput {
  // Mechanics, not detection timing: no minimum failure duration.
  const input = configInput({ probe: { failureMinDurationMs: 0 } });
  input.targets = input.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const, ...(t.region === 'ap-southeast-2' ? { vote: 'metric' as const } : {}) } }));
  // Two drained at once, so the gate test can drain eu-west-1 after the decide test drained ap-southeast-2.
  return { ...input, safety: { minServing: 1, maxDrained: 2 } as never };
}

function validated(input: ArbiterConfigInput): ValidConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const gateHosts = Object.fromEntries(regions.map((r) => [r, `gate-${r}.lambda-url.${r}.on.aws`]));
const config = validated(dataPlaneInput());
let moto: Moto;
let world: RegionWorld;
let route53: Route53Client;
const cloudwatch = new Map<string, CloudWatchClient>();

function cw(region: string): CloudWatchClient {
  let client = cloudwatch.get(region);
  if (client === undefined) {
    client = new CloudWatchClient(moto.clientOptions(region));
    cloudwatch.set(region, client);
  }
  return client;
}

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  moto = await startMoto();
  route53 = new Route53Client(moto.clientOptions('us-east-1'));
  world = await createRegion(moto, 'eu-west-1', writeConfig(dataPlaneInput()));
});
afterAll(async () => {
  world?.queue.destroy();
  route53?.destroy();
  for (const client of cloudwatch.values()) client.destroy();
  await moto?.stop();
});

/** Creates a child check in moto, as the deployment would, and returns its id. */
async function createChild(child: ChildCheck, reference: string): Promise<string> {
  const out = await route53.send(new CreateHealthCheckCommand({ CallerReference: reference, HealthCheckConfig: child.config as HealthCheckConfig }));
  return out.HealthCheck!.Id!;
}

async function createAlarms(config: ValidConfig): Promise<void> {
  for (const check of dataPlaneHealthChecks(config, gateHosts)) {
    for (const child of check.children) {
      if (child.kind !== 'metric') continue;
      const { region, ...alarm } = child.alarm;
      await cw(region).send(new PutMetricAlarmCommand(alarm));
    }
  }
}

/** Fake (moto never evaluates alarms): sets each vote alarm from the newest datapoint, as CloudWatch would. */
async function fakeEvaluateAlarms(config: ValidConfig, target: string): Promise<void> {
  for (const observer of config.observers) {
    const stats = await cw(observer).send(new GetMetricStatisticsCommand({
      Namespace: voteMetricNamespace, MetricName: voteMetricName, Dimensions: voteDimensions(config, observer, target),
      StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 60_000), Period: 60, Statistics: ['Maximum'],
    }));
    const points = stats.Datapoints ?? [];
    if (points.length === 0) continue; // TreatMissingData: ignore — the alarm keeps its state
    const newest = points.reduce((a, b) => (a.Timestamp! > b.Timestamp! ? a : b));
    const alarmName = voteAlarmName(config, observer, target);
    await cw(observer).send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: newest.Maximum! >= 1 ? 'ALARM' : 'OK', StateReason: 'fake evaluation in test' }));
  }
}

describe('data-plane health checks in moto', () => {
  it('creates one Inverted HTTPS child per observer and a CALCULATED parent that needs every child healthy (3 of 3)', async () => {
    const checks = dataPlaneHealthChecks(config, gateHosts);
    const gateTarget = checks.find((c) => c.target === 'eu-west-1')!;
    const childIds: string[] = [];
    for (const child of gateTarget.children) childIds.push(await createChild(child, `it-gate-${child.observer}`));
    const parent = await route53.send(new CreateHealthCheckCommand({
      CallerReference: 'it-calculated-eu-west-1',
      HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: gateTarget.calculated.HealthThreshold, ChildHealthChecks: childIds },
    }));
    const readBack = await route53.send(new GetHealthCheckCommand({ HealthCheckId: parent.HealthCheck!.Id! }));
    expect(readBack.HealthCheck!.HealthCheckConfig).toMatchObject({ Type: 'CALCULATED', HealthThreshold: 3, ChildHealthChecks: childIds });
    const child = await route53.send(new GetHealthCheckCommand({ HealthCheckId: childIds[1]! }));
    expect(child.HealthCheck!.HealthCheckConfig).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gate-eu-west-1.lambda-url.eu-west-1.on.aws', ResourcePath: '/drain/eu-west-1', RequestInterval: 30, FailureThreshold: 1, Inverted: true, Regions: ['us-west-2', 'eu-west-1', 'ap-southeast-2'] });
  });

  it('creates CLOUDWATCH_METRIC children on each observer-region vote alarm (moto keeps only the Type of such a check, so the alarm link is asserted on the request)', async () => {
    await createAlarms(config);
    const metricTarget = dataPlaneHealthChecks(config, gateHosts).find((c) => c.target === 'ap-southeast-2')!;
    const id = await createChild(metricTarget.children[0]!, 'it-metric-us-east-1');
    const readBack = await route53.send(new GetHealthCheckCommand({ HealthCheckId: id }));
    expect(readBack.HealthCheck!.HealthCheckConfig!.Type).toBe('CLOUDWATCH_METRIC');
    expect(metricTarget.children[0]!.config).toMatchObject({ AlarmIdentifier: { Region: 'us-east-1', Name: 'shop-vote-us-east-1-ap-southeast-2' }, InsufficientDataHealthStatus: 'LastKnownStatus' });
    const alarms = await cw('us-east-1').send(new DescribeAlarmsCommand({ AlarmNames: ['shop-vote-us-east-1-ap-southeast-2'] }));
    expect(alarms.MetricAlarms![0]).toMatchObject({ Namespace: 'Arbiter/Votes', MetricName: 'DrainVote', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore' });
  });
});

describe('data-plane votes from the decide pass (moto CloudWatch and DynamoDB)', () => {
  it('writes drain votes as metric data in the observer region once a quorum drains a metric-mode target, without any Route 53 change', async () => {
    // The container wires a vote writer (built on its first call: a lazy port); the datapoint read back from moto below proves it is CloudWatch's.
    expect(world.container.deps.votes).toBeDefined();
    const nowMs = Date.now();
    const { store } = world.container.deps;
    await store.putProposal(proposalWanting(config, 'us-east-1', { 'ap-southeast-2': 'drained' }, nowMs));
    await store.putProposal(proposalWanting(config, 'ap-southeast-2', { 'ap-southeast-2': 'drained' }, nowMs));
    // The deciding observer's own proposal must back the drain (protocol v2): it sees the quorum's verdicts too.
    for (const observer of regions) await store.putSnapshot(snapshotOf(observer, { 'us-east-1': 'healthy', 'eu-west-1': 'healthy', 'ap-southeast-2': 'unhealthy' }, nowMs));
    const outcome = await world.container.decide.run();
    expect(outcome.decision.routing['ap-southeast-2']).toBe('drained');
    expect(outcome.changeIds).toEqual([]);
    const stats = await cw('eu-west-1').send(new GetMetricStatisticsCommand({
      Namespace: voteMetricNamespace, MetricName: voteMetricName, Dimensions: voteDimensions(config, 'eu-west-1', 'ap-southeast-2'),
      StartTime: new Date(nowMs - 120_000), EndTime: new Date(nowMs + 120_000), Period: 60, Statistics: ['Maximum'],
    }));
    expect(stats.Datapoints!.map((d) => d.Maximum)).toContain(1);
  });

  it('drains the target once two observers vote drain and not with one (alarm evaluation and health-check status faked: moto does neither)', async () => {
    // A deployment of its own: its dimensions and alarms share nothing with the other tests' votes.
    const config = validated({ ...dataPlaneInput(), name: 'isolated' });
    await createAlarms(config);
    const target = 'ap-southeast-2';
    const write = (observer: string, vote: 'drain' | 'no-drain') => new CloudWatchVoteWriter({ config, client: cw(observer) }).writeVotes([{ observer, target, vote, decisionId: 'd-it' }], Date.now());
    const threshold = (await route53.send(new CreateHealthCheckCommand({ CallerReference: `it-calc-${target}`, HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: dataPlaneHealthChecks(config, gateHosts)[2]!.calculated.HealthThreshold, ChildHealthChecks: [] } }))).HealthCheck!.HealthCheckConfig!.HealthThreshold!;
    const childrenHealthy = async () => {
      await fakeEvaluateAlarms(config, target);
      const states = [];
      for (const observer of config.observers) {
        const out = await cw(observer).send(new DescribeAlarmsCommand({ AlarmNames: [voteAlarmName(config, observer, target)] }));
        states.push(out.MetricAlarms![0]!.StateValue !== 'ALARM');
      }
      return states;
    };
    await write('us-east-1', 'no-drain');
    await write('eu-west-1', 'no-drain');
    await write('ap-southeast-2', 'drain');
    expect(calculatedHealthy(await childrenHealthy(), threshold)).toBe(true);
    await write('us-east-1', 'drain');
    expect(calculatedHealthy(await childrenHealthy(), threshold)).toBe(false);
  });
});

describe('gate handler over moto DynamoDB', () => {
  const gate = createGateHandler(() => world.container);
  /** The fields of a function-URL event the gate reads (version 2.0, a request id, method and path). */
  const urlEvent = (rawPath: string, method = 'GET') => ({ version: '2.0', rawPath, requestContext: { requestId: 'gate-test', http: { method } } });
  const request = (rawPath: string, method = 'GET') => gate(urlEvent(rawPath, method));

  it('answers 200 "drain" for a target a quorum of fresh proposals (its own among them) drains, 404 for the others, and says nothing else', async () => {
    const nowMs = Date.now();
    const { store } = world.container.deps;
    await store.putProposal(proposalWanting(config, 'eu-west-1', { 'eu-west-1': 'drained' }, nowMs, 2));
    await store.putProposal(proposalWanting(config, 'ap-southeast-2', { 'eu-west-1': 'drained' }, nowMs, 2));
    const fresh = createGateHandler(() => world.container);
    const drained = await fresh(urlEvent('/drain/eu-west-1'));
    expect(drained).toMatchObject({ statusCode: 200, body: 'drain' });
    expect(Object.keys(drained.headers ?? {}).sort()).toEqual(['cache-control', 'content-type']);
    expect(await fresh(urlEvent('/drain/us-east-1'))).toMatchObject({ statusCode: 404, body: 'no-drain' });
  });

  it('refuses other methods and unknown paths without voting drain', async () => {
    expect(await request('/drain/eu-west-1', 'POST')).toMatchObject({ statusCode: 404, body: 'no-drain' });
    expect(await request('/anything')).toMatchObject({ statusCode: 404, body: 'no-drain' });
  });
});
