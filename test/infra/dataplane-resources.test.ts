/**
 * Data-plane CloudFormation: the health checks (children and CALCULATED with threshold = quorum),
 * the vote alarms, the gate URL and the vote mechanism's permissions. The fragments are rendered
 * into one template and checked with cfn-lint from .venv (installed by setup-python.sh if missing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calculatedOutputKey, dataPlaneDecideStatements, dataPlaneGateStatements, dataPlaneHealthCheckResources, dataPlaneRegionResources, gateFunctionLogicalId, gateHostOutput,
  gateHostsFromOutputs, healthCheckStackTemplate,
} from '../../resources/dataplane-resources';
import { serverlessParams } from '../../resources/stack-resources';
import { quorumSize, validateConfig, type ArbiterConfigInput, type ValidConfig } from '../../shared/domain';
import { configInput, regions } from '../support/fixtures';
import { ensureVenv } from '../support/moto';

const cfnLintPath = join(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');
const cfnLintTimeoutMs = 120_000;
jest.setTimeout(cfnLintTimeoutMs + 60_000);

function configWith(input: ArbiterConfigInput): ValidConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

/** us-east-1 stays weight, eu-west-1 votes by gate, ap-southeast-2 by metric. */
function mixed(observers: string[] = [...regions]): ValidConfig {
  const input = configInput({ observers });
  input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
  input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'metric' };
  return configWith(input);
}

const hostsFor = (observers: readonly string[]) => Object.fromEntries(observers.map((r) => [r, `g${r.replace(/-/g, '')}.lambda-url.${r}.on.aws`]));

type HealthCheck = { Type: string; Properties: { HealthCheckConfig: Record<string, unknown> } };

describe('data-plane health checks (deployment-wide)', () => {
  it.each([[['us-east-1', 'eu-west-1', 'ap-southeast-2']], [['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1']]])('gives each data-plane target a CALCULATED check over one child per observer: every child must be healthy for gate votes, a quorum of drain votes for metric (%j)', (observers) => {
    const config = mixed(observers);
    const { Resources, Outputs } = dataPlaneHealthCheckResources(config, hostsFor(observers));
    const calculated = Object.entries(Resources as Record<string, HealthCheck>).filter(([, r]) => r.Properties.HealthCheckConfig.Type === 'CALCULATED');
    expect(calculated.map(([id]) => id).sort()).toEqual(['CalculatedApSoutheast2HealthCheck', 'CalculatedEuWest1HealthCheck']);
    for (const [id, check] of calculated) {
      expect(check.Properties.HealthCheckConfig.HealthThreshold).toBe(id === 'CalculatedEuWest1HealthCheck' ? observers.length : observers.length - quorumSize(observers.length) + 1);
      const children = check.Properties.HealthCheckConfig.ChildHealthChecks as Array<{ Ref: string }>;
      expect(children).toHaveLength(observers.length);
      for (const child of children) expect(Resources[child.Ref]).toBeDefined();
      expect(Outputs[id]).toEqual(expect.objectContaining({ Value: { Ref: id } }));
    }
    expect(Object.keys(Resources).some((id) => id.includes('UsEast1HealthCheck') && id.startsWith('Calculated'))).toBe(false);
  });

  it('makes gate children Inverted HTTPS checks (standard interval, 3 checker regions by default) on each observer gate and metric children read that observer region alarm', () => {
    const config = mixed();
    const { Resources } = dataPlaneHealthCheckResources(config, hostsFor(regions));
    const gate = (Resources.VoteApSoutheast2EuWest1HealthCheck as HealthCheck).Properties.HealthCheckConfig;
    expect(gate).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gapsoutheast2.lambda-url.ap-southeast-2.on.aws', ResourcePath: '/drain/eu-west-1', RequestInterval: 30, FailureThreshold: 1, Inverted: true, Regions: ['us-west-2', 'eu-west-1', 'ap-southeast-2'] });
    const metric = (Resources.VoteEuWest1ApSoutheast2HealthCheck as HealthCheck).Properties.HealthCheckConfig;
    expect(metric).toEqual({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Region: 'eu-west-1', Name: 'shop-vote-eu-west-1-ap-southeast-2' }, InsufficientDataHealthStatus: 'LastKnownStatus', Inverted: false });
  });
});

describe('data-plane region resources and permissions', () => {
  it('creates this observer region vote alarms (missing data keeps the state) and a public gate URL', () => {
    const resources = dataPlaneRegionResources(mixed(), 'eu-west-1') as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    expect(resources.VoteApSoutheast2Alarm!.Properties).toMatchObject({ AlarmName: 'shop-vote-eu-west-1-ap-southeast-2', Namespace: 'Arbiter/Votes', TreatMissingData: 'ignore', Period: 60, Threshold: 1 });
    expect(resources.VoteEuWest1Alarm).toBeUndefined();
    expect(resources.GateFunctionUrl!.Properties).toEqual({ TargetFunctionArn: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, AuthType: 'NONE' });
    expect(resources.GateFunctionUrlPermission!.Properties).toMatchObject({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' });
  });

  it('creates nothing for a config without data-plane targets', () => {
    const config = configWith(configInput());
    expect(dataPlaneRegionResources(config, 'eu-west-1')).toEqual({});
    expect(dataPlaneDecideStatements(config)).toEqual([]);
    expect(dataPlaneHealthCheckResources(config, {}).Resources).toEqual({});
  });

  it('limits PutMetricData to the vote namespace and the gate to reading the table', () => {
    expect(dataPlaneDecideStatements(mixed())).toEqual([{ Effect: 'Allow', Action: ['cloudwatch:PutMetricData'], Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Arbiter/Votes' } } }]);
    const table = 'arn:aws:dynamodb:eu-west-1:123456789012:table/arbiter-shop-prod';
    expect(dataPlaneGateStatements(table)).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [table] }]);
  });
});

describe('serverless.yml parameters (serverlessParams) with data-plane targets', () => {
  function metricOnly(): ValidConfig {
    const input = configInput();
    input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'metric' };
    return configWith(input);
  }

  it("adds this observer's vote alarms and PutMetricData (vote namespace only) for decide alone", () => {
    const params = serverlessParams(metricOnly(), 'prod', 'eu-west-1');
    expect(params.resources.VoteApSoutheast2Alarm).toMatchObject({ Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'shop-vote-eu-west-1-ap-southeast-2' } });
    const putMetric = (fn: keyof typeof params.functions) => params.functions[fn].iam.filter((s) => JSON.stringify(s).includes('cloudwatch:PutMetricData'));
    expect(putMetric('decide')).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'cloudwatch:namespace': 'Arbiter/Votes' } } })]);
    for (const fn of ['probe', 'probeNow', 'alarm', 'drill', 'api'] as const) expect(putMetric(fn)).toEqual([]);
  });

  it('leaves a weight-only stack unchanged', () => {
    const params = serverlessParams(configWith(configInput()), 'prod', 'eu-west-1');
    expect(Object.keys(params.resources).filter((id) => id.startsWith('Vote') || id.startsWith('Gate'))).toEqual([]);
    expect(JSON.stringify(params.functions.decide.iam)).not.toContain('cloudwatch');
  });

  it('adds the gate function (reads only this region replica) and its host output only when a target votes by gate', () => {
    const gated = serverlessParams(mixed(), 'prod', 'eu-west-1');
    expect(gated.dataPlaneFunctions).toEqual({
      gate: expect.objectContaining({ handler: 'functions/gate.handler', memorySize: 128, timeout: 3, reservedConcurrency: 10, iamRoleStatements: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/arbiter-shop-prod' }] }] }),
    });
    expect(gated.outputs.ArbiterGateHost).toEqual(gateHostOutput());
    const metricOnlyParams = serverlessParams(metricOnly(), 'prod', 'eu-west-1');
    expect(metricOnlyParams.dataPlaneFunctions).toEqual({});
    expect(metricOnlyParams.outputs.ArbiterGateHost).toBeUndefined();
  });
});

describe('cfn-lint', () => {
  it('accepts the health-check stack arbiter deploy creates, for 3 and 5 observers', () => {
    ensureVenv();
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-healthchecks-'));
    const files = [[...regions], ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1']].map((observers, i) => {
      const path = join(dir, `health-checks-${i}.json`);
      writeFileSync(path, healthCheckStackTemplate(mixed(observers), hostsFor(observers)));
      return path;
    });
    const result = spawnSync(cfnLintPath, ['--regions', 'us-east-1', '--', ...files], { encoding: 'utf8', timeout: cfnLintTimeoutMs });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, output: '' });
    const template = JSON.parse(healthCheckStackTemplate(mixed(), hostsFor(regions))) as { Outputs: Record<string, unknown> };
    expect(Object.keys(template.Outputs)).toEqual([calculatedOutputKey('eu-west-1'), calculatedOutputKey('ap-southeast-2')]);
  });

  it('refuses a health-check stack without a gate host for every observer, or without data-plane targets', () => {
    const hosts = hostsFor(regions);
    delete hosts['ap-southeast-2'];
    expect(() => healthCheckStackTemplate(mixed(), hosts)).toThrow('no valid gate host for observer ap-southeast-2');
    expect(() => gateHostsFromOutputs(mixed(), { 'us-east-1': { ArbiterGateHost: 'a.lambda-url.us-east-1.on.aws' }, 'eu-west-1': { ArbiterGateHost: 'https://not-a-host/' } })).toThrow('the eu-west-1 stack has no valid ArbiterGateHost output (got "https://not-a-host/")');
    expect(() => healthCheckStackTemplate(configWith(configInput()), {})).toThrow('no target uses route53.mode: health-check');
  });

  it('accepts a template made of the region fragment, a gate function and the health checks', () => {
    ensureVenv();
    const config = mixed();
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: {
        GateRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
        [gateFunctionLogicalId]: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'gate.handler', Role: { 'Fn::GetAtt': ['GateRole', 'Arn'] }, Code: { ZipFile: 'exports.handler = async () => ({})' } } },
        ...dataPlaneRegionResources(config, 'eu-west-1'),
        ...dataPlaneHealthCheckResources(config, hostsFor(regions)).Resources,
      },
      Outputs: { GateHost: gateHostOutput() },
    };
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-dataplane-'));
    const path = join(dir, 'template.json');
    writeFileSync(path, JSON.stringify(template));
    const result = spawnSync(cfnLintPath, ['--regions', 'eu-west-1', '--', path], { encoding: 'utf8', timeout: cfnLintTimeoutMs });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });
});
