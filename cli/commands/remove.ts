/**
 * `arbiter remove --stage <stage> [--dry-run]`: removes the health-check stack first (data-plane
 * mode), then the region stacks in reverse deploy order (the home stack last), stopping at the
 * first failure. The Global Table is retained by design; the outputs file goes once all is removed.
 * `--profile p` uses that AWS profile; `--region r` removes only r's stack (never the home stack
 * alone: it owns the table the other regions use).
 */
import { rmSync } from 'node:fs';
import { outputsFilePath } from '../client/endpoints';
import { exitCodes, UsageError, type CommandIo } from '../io';
import { formatPlan, setupStackCommand, type StackCommandOptions, type StackCommandSetup } from './deploy';
import { spawnOsls } from './package';

/**
 * @example await runRemove({ configFile: 'arbiter.config.yml', stage: 'prod', dryRun: true }, processIo)
 */
export async function runRemove(options: StackCommandOptions, io: CommandIo): Promise<number> {
  let setup: StackCommandSetup;
  try {
    setup = setupStackCommand(options);
    if (options.region === setup.plan.homeRegion && setup.plan.stacks.length > 1) throw new UsageError(`--region ${options.region} is the home region: its stack owns the Global Table the other regions use; remove the others first, then run arbiter remove without --region`);
  } catch (error) {
    io.err(`arbiter remove: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  const { plan } = setup;
  io.out(formatPlan(plan, 'remove'));
  if (options.region !== undefined) io.out(`  --region ${options.region}: only this region's stack; the health checks and ${outputsFilePath(plan.stage)} stay.`);
  if (options.dryRun) return exitCodes.ok;
  const run = options.run ?? spawnOsls;
  const regions = [...setup.regions].reverse();
  const removed: string[] = [];
  if (plan.healthChecks !== null && options.region === undefined) {
    const { region, stackName } = plan.healthChecks;
    io.out(`removing ${stackName} (${region})`);
    try {
      const outcome = await setup.stacks(region).remove(stackName);
      io.out(`${stackName}: ${outcome}`);
      removed.push(stackName);
    } catch (error) {
      io.err(`arbiter remove: stopped: ${stackName} failed (${(error as Error).message}). Removed: none. Not attempted: ${regions.join(', ')}.`);
      return exitCodes.failure;
    }
  }
  for (const [index, region] of regions.entries()) {
    io.out(`removing ${region} (${index + 1}/${regions.length})`);
    const code = await run({ args: ['remove', '--stage', options.stage, '--region', region], env: setup.oslsEnv });
    if (code !== 0) {
      io.err(`arbiter remove: stopped: ${region} failed (osls exit ${code}). Removed: ${[...removed, ...regions.slice(0, index)].join(', ') || 'none'}. Not attempted: ${regions.slice(index + 1).join(', ') || 'none'}.`);
      return exitCodes.failure;
    }
  }
  if (options.region !== undefined) {
    io.out(`removed ${options.region} (table ${plan.tableName} retained)`);
    return exitCodes.ok;
  }
  rmSync(outputsFilePath(plan.stage, options.outputsDir), { force: true });
  io.out(`removed ${regions.length} regions${plan.healthChecks === null ? '' : ' and the health checks'} (table ${plan.tableName} retained)`);
  return exitCodes.ok;
}
