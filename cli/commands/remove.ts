/**
 * `arbiter remove --stage <stage> [--dry-run]`: removes the stacks in reverse deploy order (the home
 * stack last), stopping at the first failure. The Global Table is retained by design.
 */
import type { DeploymentPlan } from '../../resources/stack-plan';
import { exitCodes, type CommandIo } from '../io';
import { formatPlan, type StackCommandOptions } from './deploy';
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
  for (const [index, region] of regions.entries()) {
    io.out(`removing ${region} (${index + 1}/${regions.length})`);
    const code = await run({ args: ['remove', '--stage', options.stage, '--region', region], env: { ARBITER_CONFIG_FILE: options.configFile } });
    if (code !== 0) {
      io.err(`arbiter remove: stopped: ${region} failed (osls exit ${code}). Removed: ${regions.slice(0, index).join(', ') || 'none'}. Not attempted: ${regions.slice(index + 1).join(', ') || 'none'}.`);
      return exitCodes.failure;
    }
  }
  io.out(`removed ${regions.length} regions (table ${plan.tableName} retained)`);
  return exitCodes.ok;
}
