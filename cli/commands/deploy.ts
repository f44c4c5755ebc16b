/**
 * `arbiter deploy --stage <stage> [--dry-run]`: packages every region once (same bundles everywhere),
 * then deploys the stacks one after another, the home stack (it owns the Global Table) first,
 * stopping at the first failure. `--dry-run` prints the plan and calls nothing.
 */
import type { DeploymentPlan } from '../../resources/stack-plan';
import { exitCodes, type CommandIo } from '../io';
import { loadPlan, packageDir, runPackage, spawnOsls, type OslsRunner } from './package';

export interface StackCommandOptions {
  configFile: string;
  stage: string;
  dryRun: boolean;
  run?: OslsRunner;
}

/** The plan as text: order, region, stack name, what each stack creates. */
export function formatPlan(plan: DeploymentPlan, verb: 'deploy' | 'remove'): string {
  const stacks = verb === 'deploy' ? plan.stacks : [...plan.stacks].reverse();
  const lines = [`${verb} plan for stage ${plan.stage} (${stacks.length} regions, one after another; stops at the first failure):`];
  stacks.forEach((stack, index) => {
    lines.push(`  ${index + 1}. ${stack.region}  stack ${stack.stackName}${stack.home ? '  [home: owns the Global Table]' : ''}`);
    if (verb === 'deploy') for (const item of stack.creates) lines.push(`       - ${item}`);
  });
  if (verb === 'remove') lines.push(`  The Global Table ${plan.tableName} is retained (DeletionPolicy Retain, deletion protection on): delete it by hand to lose the audit log.`);
  return lines.join('\n');
}

// (kept small: one message naming the failed region, what was done and what was not attempted)
function failed(io: CommandIo, verb: string, region: string, code: number, done: string[], rest: string[]): number {
  io.err(`arbiter ${verb}: stopped: ${region} failed (osls exit ${code}). Done: ${done.join(', ') || 'none'}. Not attempted: ${rest.join(', ') || 'none'}.`);
  return exitCodes.failure;
}

/**
 * @example await runDeploy({ configFile: 'arbiter.config.yml', stage: 'prod', dryRun: true }, processIo)
 */
export async function runDeploy(options: StackCommandOptions, io: CommandIo): Promise<number> {
  let plan: DeploymentPlan;
  try {
    plan = loadPlan(options.configFile, options.stage).plan;
  } catch (error) {
    io.err(`arbiter deploy: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  io.out(formatPlan(plan, 'deploy'));
  if (options.dryRun) return exitCodes.ok;
  const run = options.run ?? spawnOsls;
  const packaged = await runPackage({ configFile: options.configFile, stage: options.stage, run }, io);
  if (packaged !== exitCodes.ok) return packaged;
  const regions = plan.stacks.map((s) => s.region);
  for (const [index, region] of regions.entries()) {
    io.out(`deploying ${region} (${index + 1}/${regions.length})`);
    const code = await run({ args: ['deploy', '--stage', options.stage, '--region', region, '--package', packageDir(options.stage, region)], env: { ARBITER_CONFIG_FILE: options.configFile } });
    if (code !== 0) return failed(io, 'deploy', region, code, regions.slice(0, index), regions.slice(index + 1));
  }
  io.out(`deployed ${regions.length} regions`);
  return exitCodes.ok;
}
