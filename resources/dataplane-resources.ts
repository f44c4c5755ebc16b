/**
 * CloudFormation for data-plane mode (route53.mode: health-check; see docs/dataplane.md).
 *
 * Two parts, because Route 53 health checks are global but what they read is regional:
 *   - per observer region (in that region's stack): the gate function's public URL and the IAM
 *     statement that lets the gate read the table (GetItem/Query only);
 *   - once per deployment, after every region's stack exists (the child checks need every
 *     region's gate host): the child health checks and one CALCULATED check per target with
 *     HealthThreshold = n, whose ids are the stack's outputs for users to attach to their records.
 * Nothing here calls AWS.
 */
import { dataPlaneHealthChecks, dataPlaneTargets, isGateHost, type GateHosts, type ValidConfig } from '../shared/domain';
import { gateFunctionSizing } from '../shared/domain/cost/function-sizing';
import { logicalId } from './stack-plan';

type Json = unknown;
type Resources = Record<string, Json>;

/** The logical id osls gives the `gate` function. */
export const gateFunctionLogicalId = 'GateLambdaFunction';

/** Whether the stacks ship the gate (some target is in health-check mode, whose votes the gates carry). */
export function usesGate(config: ValidConfig): boolean {
  return dataPlaneTargets(config).length > 0;
}

/** The gate reads this region's replica, nothing else. */
export function dataPlaneGateStatements(tableArn: Json): Json[] {
  return [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [tableArn] }];
}

/**
 * One observer region's data-plane resources (serverless.yml includes them through
 * serverlessParams; empty without health-check targets): the gate URL (public: Route 53 checkers cannot sign
 * requests; it answers only drain/no-drain per target) and its two permissions.
 * @example dataPlaneRegionResources(config).GateFunctionUrl
 */
export function dataPlaneRegionResources(config: ValidConfig): Resources {
  const resources: Resources = {};
  if (usesGate(config)) {
    resources.GateFunctionUrl = { Type: 'AWS::Lambda::Url', Properties: { TargetFunctionArn: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, AuthType: 'NONE' } };
    resources.GateFunctionUrlPermission = { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' } };
    // Function URLs created since October 2025 also need InvokeFunction, here only through the URL.
    resources.GateFunctionInvokePermission = { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true } };
  }
  return resources;
}

/** The region stack output that carries the gate host. */
export const gateHostOutputKey = 'ArbiterGateHost';

/** The gate host name in a region stack's outputs (the function URL without scheme and slash). */
export function gateHostOutput(): Json {
  return { Value: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['GateFunctionUrl', 'FunctionUrl'] }] }] }, Description: 'Host name of this observer gate (for the data-plane health checks)' };
}

/**
 * The deployment-wide health checks: children per observer and a CALCULATED check per target.
 * @example dataPlaneHealthCheckResources(config, hosts).CalculatedEuWest1HealthCheck.Properties.HealthCheckConfig.HealthThreshold // 3 (gate, 3 observers)
 */
export function dataPlaneHealthCheckResources(config: ValidConfig, gateHosts: GateHosts): { Resources: Resources; Outputs: Resources } {
  const Resources: Resources = {};
  const Outputs: Resources = {};
  for (const check of dataPlaneHealthChecks(config, gateHosts)) {
    const childIds = check.children.map((child) => {
      const id = `${logicalId(`vote-${child.observer}-${check.target}`)}HealthCheck`;
      const tags = [{ Key: 'Name', Value: `${config.name} vote ${child.observer} on ${check.target}` }];
      Resources[id] = { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: child.config, HealthCheckTags: tags } };
      return id;
    });
    const calculatedId = calculatedOutputKey(check.target);
    Resources[calculatedId] = {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: check.calculated.HealthThreshold, ChildHealthChecks: childIds.map((id) => ({ Ref: id })) },
        HealthCheckTags: [{ Key: 'Name', Value: `${config.name} ${check.target}: attach to its records` }],
      },
    };
    Outputs[calculatedId] = { Value: { Ref: calculatedId }, Description: `Attach to the records of ${check.target}: unhealthy once a quorum of observers votes drain` };
  }
  return { Resources, Outputs };
}

/** This region stack's data-plane outputs: the gate host, read by `arbiter deploy` for the health checks. */
export function dataPlaneStackOutputs(config: ValidConfig): Resources {
  return usesGate(config) ? { [gateHostOutputKey]: gateHostOutput() } : {};
}

/**
 * The serverless.yml `functions` entry of the gate, only when a target votes by gate: a function
 * nobody calls would still be a public URL to defend.
 * `tracingStatements`: the X-Ray statement when tracing is on (every traced role needs it).
 * @example dataPlaneFunctions(config, tableArn).gate?.handler // 'functions/gate.handler'
 */
export function dataPlaneFunctions(config: ValidConfig, tableArn: Json, tracingStatements: Json[] = []): Record<string, Json> {
  if (!usesGate(config)) return {};
  const sizing = gateFunctionSizing;
  return {
    gate: {
      handler: sizing.handler, description: sizing.description, memorySize: sizing.memoryMb, timeout: sizing.timeoutSeconds,
      // With X-Ray on, Lambda refuses to create a traced function whose role cannot upload traces.
      reservedConcurrency: sizing.reservedConcurrency, iamRoleStatements: [...dataPlaneGateStatements(tableArn), ...tracingStatements],
    },
  };
}

/** The output key of a target's CALCULATED check in the health-check stack. */
export function calculatedOutputKey(target: string): string {
  return `${logicalId(`calculated-${target}`)}HealthCheck`;
}

/**
 * The gate host of every observer, from the region stacks' outputs (only needed when a target
 * votes by gate). Throws naming the region whose stack lacks a valid host.
 * @example gateHostsFromOutputs(config, { 'us-east-1': { ArbiterGateHost: 'abc.lambda-url.us-east-1.on.aws' }, ... })
 */
export function gateHostsFromOutputs(config: ValidConfig, outputsByRegion: Record<string, Record<string, string>>): GateHosts {
  if (!usesGate(config)) return {};
  const hosts: GateHosts = {};
  for (const region of config.observers) {
    const host = outputsByRegion[region]?.[gateHostOutputKey];
    if (!isGateHost(host)) throw new Error(`the ${region} stack has no valid ${gateHostOutputKey} output (got ${JSON.stringify(host)}): deploy that region again`);
    hosts[region] = host;
  }
  return hosts;
}

/**
 * The whole health-check stack (deployed by `arbiter deploy` in the home region once every region
 * stack exists): child checks, one CALCULATED check per data-plane target, their ids as outputs.
 * @example JSON.parse(healthCheckStackTemplate(config, hosts)).Outputs.CalculatedEuWest1HealthCheck
 */
export function healthCheckStackTemplate(config: ValidConfig, gateHosts: GateHosts): string {
  const { Resources, Outputs } = dataPlaneHealthCheckResources(config, gateHosts);
  if (Object.keys(Resources).length === 0) throw new Error('no target uses route53.mode: health-check: there is no health-check stack to deploy');
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Arbiter ${config.name}: data-plane health checks (attach each CALCULATED check to its target's records)`,
    Resources,
    Outputs,
  }, null, 2);
}
