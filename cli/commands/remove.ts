/**
 * `arbiter remove --stage <stage> [--dry-run]`: removes the health-check stack first (data-plane
 * mode), then the region stacks in reverse deploy order (the home stack last), stopping at the
 * first failure. The Global Table is retained by design; the outputs file goes once all is removed.
 */
import { rmSync } from 'node:fs';
import type { DeploymentPlan } from '../../resources/stack-plan';
import { outputsFilePath } from '../client/endpoints';
import { exitCodes, type CommandIo } from '../io';
import { defaultStacks, formatPlan, type StackCommandOptions } from './deploy';
import { loadPlan, spawnOsls } from './package';

/**
 * @example await runRemove({ configFile: 'arbiter.config.yml', stage: 'prod', dryRun: true }, processIo)
 */
export async function runRemove(options: StackCommandOptions, io: CommandIo): Promise<number> {
  let plan: DeploymentPlan;
  try {
    plan = loadPlan(options.configFile, options.stage).plan;
  } catch (error) {
    io.err(`arbiter remove: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  io.out(formatPlan(plan, 'remove'));
  if (options.dryRun) return exitCodes.ok;
  const run = options.run ?? spawnOsls;
  const regions = [...plan.stacks].reverse().map((s) => s.region);
  const removed: string[] = [];
  if (plan.healthChecks !== null) {
    const { region, stackName } = plan.healthChecks;
    io.out(`removing ${stackName} (${region})`);
    try {
      const outcome = await (options.stacks ?? defaultStacks)(region).remove(stackName);
      io.out(`${stackName}: ${outcome}`);
      removed.push(stackName);
    } catch (error) {
      io.err(`arbiter remove: stopped: ${stackName} failed (${(error as Error).message}). Removed: none. Not attempted: ${regions.join(', ')}.`);
      return exitCodes.failure;
    }
  }
  for (const [index, region] of regions.entries()) {
    io.out(`removing ${region} (${index + 1}/${regions.length})`);
    const code = await run({ args: ['remove', '--stage', options.stage, '--region', region], env: { ARBITER_CONFIG_FILE: options.configFile } });
    if (code !== 0) {
      io.err(`arbiter remove: stopped: ${region} failed (osls exit ${code}). Removed: ${[...removed, ...regions.slice(0, index)].join(', ') || 'none'}. Not attempted: ${regions.slice(index + 1).join(', ') || 'none'}.`);
      return exitCodes.failure;
    }
  }
  rmSync(outputsFilePath(plan.stage, options.outputsDir), { force: true });
  io.out(`removed ${regions.length} regions${plan.healthChecks === null ? '' : ' and the health checks'} (table ${plan.tableName} retained)`);
  return exitCodes.ok;
}
