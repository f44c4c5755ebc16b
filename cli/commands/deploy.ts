/**
 * `arbiter deploy --stage <stage> [--dry-run]`: packages every region once (same bundles everywhere),
 * then deploys the stacks one after another, the home stack (it owns the Global Table) first,
 * stopping at the first failure. Then it reads every region stack's outputs and
 *   - in data-plane mode, deploys the health-check stack in the home region (its child checks need
 *     every region's gate host) and prints the CALCULATED check to attach to each target's records;
 *   - writes `.arbiter/<stage>.json` (every region's API URL, and the health-check ids), which the
 *     operator commands read.
 * `--dry-run` prints the plan and calls nothing (`--output json`: the plan as JSON).
 * `--profile p` uses that AWS profile (for osls and CloudFormation alike); `--region r` deploys only
 * r's stack (to retry one region; the home stack must exist already when r is not home).
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { DeploymentPlan } from '../../resources/stack-plan';
import { calculatedOutputKey, gateHostsFromOutputs, healthCheckStackTemplate } from '../../resources/dataplane-resources';
import { CloudFormationStacks, createCloudFormationClient, type StackOperations } from '../../shared/adapters/aws/cloudformation-stacks';
import type { ValidConfig } from '../../shared/domain';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { attachHealthCheck, type BoundRecord } from '../../shared/adapters/aws/route53-health-check-attach';
import { createRoute53Client, route53Region } from '../../shared/adapters/aws/route53-dns';
import { checkProfile } from '../client/aws-profile';
import { outputsFilePath, writeOutputsFile } from '../client/endpoints';
import { exitCodes, UsageError, type CommandIo } from '../io';
import { loadPlan, packageDir, runPackage, spawnOsls, type OslsRunner } from './package';

export interface StackCommandOptions {
  configFile: string;
  stage: string;
  dryRun: boolean;
  /** AWS profile (checked to exist) for osls and the CloudFormation calls. */
  profile?: string;
  /** Only this observer region's stack. */
  region?: string;
  output?: 'table' | 'json';
  run?: OslsRunner;
  /** CloudFormation in one region (default: the AWS SDK with the usual credential chain). */
  stacks?: (region: string) => StackOperations;
  /** Folder of the outputs file (default `.arbiter`). */
  outputsDir?: string;
  /** Deploy only: attach each data-plane target's CALCULATED check to its record (opt-in). */
  attachHealthChecks?: boolean;
  /** Route 53 for attaching (default: the AWS SDK in us-east-1, Route 53's API region, with --profile's credentials). */
  route53?: Route53Client;
}

/** The osls output that carries a region's HTTP API URL. */
export const apiUrlOutputKey = 'HttpApiUrl';

export const defaultStacks = (region: string, profile?: string): StackOperations =>
  new CloudFormationStacks({ client: createCloudFormationClient({ region, ...(profile === undefined ? {} : { credentials: fromNodeProviderChain({ profile }) }) }) });

/** What deploy and remove share: the plan, the AWS options checked, the regions to act on. */
export interface StackCommandSetup {
  config: ValidConfig;
  plan: DeploymentPlan;
  /** Regions whose stacks this run deploys or removes, in plan order. */
  regions: string[];
  stacks: (region: string) => StackOperations;
  /** Environment added to osls runs (AWS_PROFILE with --profile). */
  oslsEnv: Record<string, string>;
}

/** Loads the plan and checks --profile and --region; a UsageError names what is wrong. */
export function setupStackCommand(options: StackCommandOptions): StackCommandSetup {
  const { config, plan } = loadPlan(options.configFile, options.stage);
  if (options.profile !== undefined) checkProfile(options.profile);
  const all = plan.stacks.map((s) => s.region);
  if (options.region !== undefined && !all.includes(options.region)) throw new UsageError(`--region ${options.region} is not an observer region (${all.join(', ')})`);
  return {
    config, plan,
    regions: options.region === undefined ? all : [options.region],
    stacks: options.stacks ?? ((region) => defaultStacks(region, options.profile)),
    oslsEnv: { ARBITER_CONFIG_FILE: options.configFile, ...(options.profile === undefined ? {} : { AWS_PROFILE: options.profile }) },
  };
}

/** The plan as text: order, region, stack name, what each stack creates. */
export function formatPlan(plan: DeploymentPlan, verb: 'deploy' | 'remove'): string {
  const stacks = verb === 'deploy' ? plan.stacks : [...plan.stacks].reverse();
  const healthChecks = plan.healthChecks;
  const count = stacks.length + (healthChecks === null ? 0 : 1);
  const lines = [`${verb} plan for stage ${plan.stage} (${count} stacks, one after another; stops at the first failure):`];
  const healthLine = (index: number) => {
    if (healthChecks === null) return;
    lines.push(`  ${index}. ${healthChecks.region}  stack ${healthChecks.stackName}  [data plane: Route 53 health checks]`);
    if (verb === 'deploy') {
      for (const target of healthChecks.targets) lines.push(`       - ${target.region}: one ${target.vote} vote check per observer and a CALCULATED check (attach it to ${target.region}'s records)`);
    } else {
      lines.push(`       - first detach its CALCULATED checks from your records: Route 53 lets a health check in use be deleted, and a record's routing then becomes unpredictable`);
    }
  };
  if (verb === 'remove') healthLine(1);
  const offset = verb === 'remove' && healthChecks !== null ? 1 : 0;
  stacks.forEach((stack, index) => {
    lines.push(`  ${index + 1 + offset}. ${stack.region}  stack ${stack.stackName}${stack.home ? '  [home: owns the Global Table]' : ''}`);
    if (verb === 'deploy') for (const item of stack.creates) lines.push(`       - ${item}`);
  });
  if (verb === 'deploy') {
    healthLine(stacks.length + 1);
    lines.push(`  Then writes ${outputsFilePath(plan.stage)} (API URLs${healthChecks === null ? '' : ', health-check ids'}) for the operator commands.`);
  }
  if (verb === 'remove') lines.push(`  The Global Table ${plan.tableName} is retained (DeletionPolicy Retain, deletion protection on): delete it by hand to lose the audit log.`);
  return lines.join('\n');
}

// (kept small: one message naming the failed step, what was done and what was not attempted)
function failed(io: CommandIo, verb: string, step: string, why: string, done: string[], rest: string[]): number {
  io.err(`arbiter ${verb}: stopped: ${step} failed (${why}). Done: ${done.join(', ') || 'none'}. Not attempted: ${rest.join(', ') || 'none'}.`);
  return exitCodes.failure;
}

/**
 * Attaches the check when the user opted in, else says exactly what to attach: the record (zone,
 * name, type, SetIdentifier, routing policy) and the field to add. Any routing policy takes it.
 */
async function attachOrInstruct(binding: BoundRecord, id: string, target: string, options: StackCommandOptions): Promise<string> {
  const record = `${binding.recordName} ${binding.recordType} (set ${binding.setIdentifier}, ${binding.routingPolicy ?? 'weighted'}) in zone ${binding.hostedZoneId}`;
  if (options.attachHealthChecks !== true) {
    return `  attach health check ${id} to ${record}: add "HealthCheckId": "${id}" to that record set (it fails when an observer's decision drains ${target}), or deploy with --attach-health-checks`;
  }
  const route53 = options.route53 ?? createRoute53Client({ region: route53Region, ...(options.profile === undefined ? {} : { credentials: fromNodeProviderChain({ profile: options.profile }) }) });
  const outcome = await attachHealthCheck(route53, binding, id);
  return `  ${outcome === 'attached' ? 'attached' : 'already attached:'} health check ${id} to ${record}`;
}

/**
 * After the region stacks: outputs, the health-check stack (data plane), the outputs file.
 * Returns an error message, or null when everything was written.
 */
async function finishDeploy(config: ValidConfig, plan: DeploymentPlan, options: StackCommandOptions, stacksIn: (region: string) => StackOperations, io: CommandIo): Promise<string | null> {
  const outputsByRegion: Record<string, Record<string, string>> = {};
  try {
    for (const stack of plan.stacks) outputsByRegion[stack.region] = await stacksIn(stack.region).outputs(stack.stackName);
  } catch (error) {
    return `reading the region stacks' outputs: ${(error as Error).message}`;
  }
  const apiUrls: Record<string, string> = {};
  for (const stack of plan.stacks) {
    const url = outputsByRegion[stack.region]![apiUrlOutputKey];
    if (url === undefined) return `the ${stack.region} stack has no ${apiUrlOutputKey} output`;
    apiUrls[stack.region] = url;
  }
  const healthChecks: Record<string, string> = {};
  if (plan.healthChecks !== null) {
    const { region, stackName } = plan.healthChecks;
    io.out(`deploying ${stackName} in ${region} (Route 53 health checks for ${plan.healthChecks.targets.map((t) => t.region).join(', ')})`);
    try {
      const templateBody = healthCheckStackTemplate(config, gateHostsFromOutputs(config, outputsByRegion));
      const result = await stacksIn(region).deploy({ stackName, templateBody, tags: { 'arbiter:deployment': config.name, 'arbiter:stage': plan.stage } });
      io.out(`${stackName}: ${result.action}`);
      for (const target of plan.healthChecks.targets) {
        const id = result.outputs[calculatedOutputKey(target.region)];
        if (id === undefined) return `${stackName} has no ${calculatedOutputKey(target.region)} output`;
        healthChecks[target.region] = id;
        const binding = config.targets.find((t) => t.region === target.region)!.route53;
        for (const record of [binding, ...(binding.extraRecords ?? [])]) io.out(await attachOrInstruct(record, id, target.region, options));
      }
    } catch (error) {
      return `the health-check stack ${stackName}: ${(error as Error).message}`;
    }
  }
  const path = writeOutputsFile(plan.stage, apiUrls, options.outputsDir, healthChecks);
  io.out(`wrote ${path}`);
  return null;
}

/**
 * @example await runDeploy({ configFile: 'arbiter.config.yml', stage: 'prod', dryRun: true }, processIo)
 */
export async function runDeploy(options: StackCommandOptions, io: CommandIo): Promise<number> {
  let setup: StackCommandSetup;
  try {
    setup = setupStackCommand(options);
  } catch (error) {
    if (options.output === 'json') io.out(JSON.stringify({ error: (error as Error).message }, null, 2));
    io.err(`arbiter deploy: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  const { config, plan, regions } = setup;
  if (options.dryRun && options.output === 'json') {
    io.out(JSON.stringify({ verb: 'deploy', dryRun: true, regions, plan, outputsFile: outputsFilePath(plan.stage) }, null, 2));
    return exitCodes.ok;
  }
  io.out(formatPlan(plan, 'deploy'));
  if (options.region !== undefined) io.out(`  --region ${options.region}: only this region's stack${plan.homeRegion === options.region ? '' : ` (the home stack in ${plan.homeRegion} must exist already)`}.`);
  if (options.dryRun) return exitCodes.ok;
  const run = options.run ?? spawnOsls;
  const packaged = await runPackage({ configFile: options.configFile, stage: options.stage, run, regions }, io);
  if (packaged !== exitCodes.ok) return packaged;
  const later = plan.healthChecks === null ? [] : [`${plan.healthChecks.stackName} (${plan.healthChecks.region})`];
  for (const [index, region] of regions.entries()) {
    io.out(`deploying ${region} (${index + 1}/${regions.length})`);
    const code = await run({ args: ['deploy', '--stage', options.stage, '--region', region, '--package', packageDir(options.stage, region)], env: setup.oslsEnv });
    if (code !== 0) return failed(io, 'deploy', region, `osls exit ${code}`, regions.slice(0, index), [...regions.slice(index + 1), ...later]);
  }
  const problem = await finishDeploy(config, plan, options, setup.stacks, io);
  if (problem !== null) return failed(io, 'deploy', 'finishing', problem, regions, []);
  io.out(`deployed ${regions.length} regions${plan.healthChecks === null ? '' : ' and the health checks'}`);
  return exitCodes.ok;
}
