/**
 * Data-plane CloudFormation: the health checks (gate children and CALCULATED with threshold = n),
 * the gate URL and its permissions. The fragments are rendered
 * into one template and checked with cfn-lint from .venv (installed by setup-python.sh if missing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calculatedOutputKey, dataPlaneGateStatements, dataPlaneHealthCheckResources, dataPlaneRegionResources, gateFunctionLogicalId, gateHostOutput,
  gateHostsFromOutputs, healthCheckStackTemplate,
} from '../../resources/dataplane-resources';
import { serverlessParams } from '../../resources/stack-resources';
import { validateConfig, type ArbiterConfigInput, type ValidConfig } from '../../shared/domain';
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

/** us-east-1 stays weight; eu-west-1 (vote absent) and ap-southeast-2 (vote: gate) are data-plane targets. */
function mixed(observers: string[] = [...regions]): ValidConfig {
  const input = configInput({ observers });
  input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
  input.targets[2]!.route53 = { ...input.targets[2]!.route53, mode: 'health-check', vote: 'gate' };
  return configWith(input);
}

const hostsFor = (observers: readonly string[]) => Object.fromEntries(observers.map((r) => [r, `g${r.replace(/-/g, '')}.lambda-url.${r}.on.aws`]));

type HealthCheck = { Type: string; Properties: { HealthCheckConfig: Record<string, unknown> } };

describe('data-plane health checks (deployment-wide)', () => {
  it.each([[['us-east-1', 'eu-west-1', 'ap-southeast-2']], [['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1']]])('gives each data-plane target a CALCULATED check over one child per observer, every child needed healthy (%j)', (observers) => {
    const config = mixed(observers);
    const { Resources, Outputs } = dataPlaneHealthCheckResources(config, hostsFor(observers));
    const calculated = Object.entries(Resources as Record<string, HealthCheck>).filter(([, r]) => r.Properties.HealthCheckConfig.Type === 'CALCULATED');
    expect(calculated.map(([id]) => id).sort()).toEqual(['CalculatedApSoutheast2HealthCheck', 'CalculatedEuWest1HealthCheck']);
    for (const [id, check] of calculated) {
      expect(check.Properties.HealthCheckConfig.HealthThreshold).toBe(observers.length);
      const children = check.Properties.HealthCheckConfig.ChildHealthChecks as Array<{ Ref: string }>;
      expect(children).toHaveLength(observers.length);
      for (const child of children) expect(Resources[child.Ref]).toBeDefined();
      expect(Outputs[id]).toEqual(expect.objectContaining({ Value: { Ref: id } }));
    }
    expect(Object.keys(Resources).some((id) => id.includes('UsEast1HealthCheck') && id.startsWith('Calculated'))).toBe(false);
  });

  it('makes every child an Inverted HTTPS check (standard interval, 3 checker regions by default) on its observer gate', () => {
    const config = mixed();
    const { Resources } = dataPlaneHealthCheckResources(config, hostsFor(regions));
    const gate = (Resources.VoteApSoutheast2EuWest1HealthCheck as HealthCheck).Properties.HealthCheckConfig;
    expect(gate).toMatchObject({ Type: 'HTTPS', FullyQualifiedDomainName: 'gapsoutheast2.lambda-url.ap-southeast-2.on.aws', ResourcePath: '/drain/eu-west-1', RequestInterval: 30, FailureThreshold: 1, Inverted: true, Regions: ['us-west-2', 'eu-west-1', 'ap-southeast-2'] });
    const children = Object.values(Resources as Record<string, HealthCheck>).map((r) => r.Properties.HealthCheckConfig).filter((c) => c.Type !== 'CALCULATED');
    expect(children).toHaveLength(6);
    for (const child of children) expect(child).toMatchObject({ Type: 'HTTPS', Inverted: true, Port: 443 });
  });
});

describe('data-plane region resources and permissions', () => {
  it('creates a public gate URL and its two permissions, and no alarm or metric (votes go only through the gate)', () => {
    const resources = dataPlaneRegionResources(mixed()) as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    expect(Object.keys(resources).sort()).toEqual(['GateFunctionInvokePermission', 'GateFunctionUrl', 'GateFunctionUrlPermission']);
    expect(resources.GateFunctionUrl!.Properties).toEqual({ TargetFunctionArn: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, AuthType: 'NONE' });
    expect(resources.GateFunctionUrlPermission!.Properties).toMatchObject({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' });
  });

  it('creates nothing for a config without data-plane targets', () => {
    const config = configWith(configInput());
    expect(dataPlaneRegionResources(config)).toEqual({});
    expect(dataPlaneHealthCheckResources(config, {}).Resources).toEqual({});
  });

  it('limits the gate to reading the table', () => {
    const table = 'arn:aws:dynamodb:eu-west-1:123456789012:table/arbiter-shop-prod';
    expect(dataPlaneGateStatements(table)).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [table] }]);
  });
});

describe('serverless.yml parameters (serverlessParams) with data-plane targets', () => {
  it('gives decide no CloudWatch permission in data-plane mode (its votes are read by the gate, not written as metrics)', () => {
    const params = serverlessParams(mixed(), 'prod', 'eu-west-1');
    for (const fn of ['probe', 'probeNow', 'decide', 'alarm', 'drill', 'api'] as const) expect(JSON.stringify(params.functions[fn].iam)).not.toContain('cloudwatch');
  });

  it('leaves a weight-only stack unchanged', () => {
    const params = serverlessParams(configWith(configInput()), 'prod', 'eu-west-1');
    expect(Object.keys(params.resources).filter((id) => id.startsWith('Vote') || id.startsWith('Gate'))).toEqual([]);
    expect(JSON.stringify(params.functions.decide.iam)).not.toContain('cloudwatch');
  });

  it('adds the gate function (reads only this region replica) and its host output only when a target is in health-check mode', () => {
    const gated = serverlessParams(mixed(), 'prod', 'eu-west-1');
    expect(gated.dataPlaneFunctions).toEqual({
      gate: expect.objectContaining({ handler: 'functions/gate.handler', memorySize: 128, timeout: 3, reservedConcurrency: 10, iamRoleStatements: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/arbiter-shop-prod' }] }] }),
    });
    expect(gated.outputs.ArbiterGateHost).toEqual(gateHostOutput());
    const weightOnly = serverlessParams(configWith(configInput()), 'prod', 'eu-west-1');
    expect(weightOnly.dataPlaneFunctions).toEqual({});
    expect(weightOnly.outputs.ArbiterGateHost).toBeUndefined();
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
        ...dataPlaneRegionResources(config),
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
