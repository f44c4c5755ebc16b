/**
 * The `arbiter` CLI. Each command lives in cli/commands; this file only wires commander.
 */
import { Command, CommanderError } from 'commander';
import { defaultConfigPath } from '../shared/adapters/config/config-file';
import { runAudit } from './commands/audit';
import { runDrain, type DrainOptions } from './commands/drain';
import { runDrill } from './commands/drill';
import { runDrills } from './commands/drills';
import { runOverrides } from './commands/overrides';
import { defaultServeTtl, runRestore } from './commands/restore';
import { parsePort, runStart } from './commands/start';
import { runStatus } from './commands/status';
import { operatorContext } from './client/operator-context';
import { operatorOptions, withOperatorOptions } from './client/operator-options';
import { runValidate } from './commands/validate';
import { runSimulate } from './commands/simulate';
import { runPackage } from './commands/package';
import { runDeploy } from './commands/deploy';
import { runRemove } from './commands/remove';
import { runCost } from './commands/cost';
import { defaultLocalPort } from './local/local-run';
import { exitCodes, processIo, UsageError, type CommandIo } from './io';

export function buildProgram(io: CommandIo, setExit: (code: number) => void): Command {
  const program = new Command('arbiter')
    .description('Arbiter: a multi-region failover control plane for active-active applications on AWS')
    .option('--config <file>', 'configuration file', defaultConfigPath)
    .showHelpAfterError('(run arbiter --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('validate [file]')
    .description('check a configuration file (default: --config)')
    .action((file: string | undefined) => setExit(runValidate(file ?? program.opts<{ config: string }>().config, io)));

  program
    .command('start')
    .description('run the control plane locally: three observer regions, sample apps and a dashboard (npm start)')
    .option('--port <port>', 'dashboard port on 127.0.0.1 (0: any free port)', String(defaultLocalPort))
    .action(async (options: { port: string }) => setExit(await runStart({ configPath: program.opts<{ config: string }>().config, port: parsePort(options.port) }, io)));

  program
    .command('package')
    .description('package every observer region offline into dist/package/<stage>/<region> (npm run package)')
    .option('--stage <stage>', 'stage name', 'dev')
    .action(async (options: { stage: string }) => setExit(await runPackage({ configFile: program.opts<{ config: string }>().config, stage: options.stage }, io)));

  program
    .command('deploy')
    .description('deploy every observer region in order (home stack first), stopping at the first failure')
    .requiredOption('--stage <stage>', 'stage name')
    .option('--dry-run', 'print the plan without calling AWS', false)
    .option('--attach-health-checks', 'attach each data-plane target\'s CALCULATED health check to its record (a Route 53 change at deploy time); without it, deploy prints what to attach', false)
    .action(async (options: { stage: string; dryRun: boolean; attachHealthChecks: boolean }) => setExit(await runDeploy({ configFile: program.opts<{ config: string }>().config, stage: options.stage, dryRun: options.dryRun, attachHealthChecks: options.attachHealthChecks }, io)));

  program
    .command('remove')
    .description('remove every observer region in reverse order (home stack last; the table is retained)')
    .requiredOption('--stage <stage>', 'stage name')
    .option('--dry-run', 'print the plan without calling AWS', false)
    .action(async (options: { stage: string; dryRun: boolean }) => setExit(await runRemove({ configFile: program.opts<{ config: string }>().config, stage: options.stage, dryRun: options.dryRun }, io)));

  program
    .command('simulate')
    .description('run the deterministic simulator: a scenario (name in sim/scenarios or a file) from a seed; exit 5 on an invariant violation')
    .requiredOption('--scenario <name|file>', 'scenario name or YAML file')
    .requiredOption('--seed <n>', 'seed of the first run (replays exactly)')
    .option('--runs <k>', 'runs, seeds n … n+k-1', '1')
    .option('--json', 'print results as JSON', false)
    .action(async (options: { scenario: string; seed: string; runs: string; json: boolean }) => setExit(await runSimulate(options, io)));

  const operator = (name: string, description: string) => withOperatorOptions(program.command(name).description(description));
  const contextOf = (command: Command) => operatorContext(operatorOptions(command, program.opts<{ config: string }>().config), io);

  operator('status', 'every target\'s routing state and why (from the first region that answers)')
    .action(async (_o: unknown, command: Command) => setExit(await runStatus(contextOf(command))));

  operator('drain <target>', 'drain a target through an override (audited)')
    .requiredOption('--ttl <duration>', 'how long, e.g. 30m, 2h')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--force', 'go past the safety rules (audited as override-forced)')
    .action(async (target: string, options: DrainOptions, command: Command) => setExit(await runDrain(contextOf(command), target, options)));

  operator('restore <target>', 'end the target\'s drain override, or pin it serving when it has none (says which)')
    .option('--ttl <duration>', 'how long a serve override lasts', defaultServeTtl)
    .option('--reason <text>', 'why, for the audit log')
    .option('--force', 'go past the safety rules')
    .action(async (target: string, options: { ttl: string; reason?: string; force?: boolean }, command: Command) => setExit(await runRestore(contextOf(command), target, options)));

  operator('overrides', 'active overrides').action(async (_o: unknown, command: Command) => setExit(await runOverrides(contextOf(command))));

  operator('drill <target>', 'start a drill: shadow predicts, evacuate really drains and restores')
    .requiredOption('--mode <mode>', 'shadow or evacuate')
    .option('--hold <duration>', 'how long an evacuate drill holds the target drained (30s..1h)')
    .action(async (target: string, options: { mode: string; hold?: string }, command: Command) => setExit(await runDrill(contextOf(command), target, options)));

  operator('drills', 'recent drills and their reports').action(async (_o: unknown, command: Command) => setExit(await runDrills(contextOf(command))));

  operator('audit', 'the audit log, newest first')
    .option('--since <time>', 'epoch ms or ISO 8601')
    .option('--limit <n>', 'entries (1..100)')
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .action(async (options: { since?: string; limit?: string; cursor?: string }, command: Command) => setExit(await runAudit(contextOf(command), options)));

  program
    .command('cost')
    .description('estimate the monthly AWS bill of the configured deployment (--config), line by line')
    .action(() => setExit(runCost(program.opts<{ config: string }>().config, io)));

  return program;
}

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof UsageError) {
      io.err(`arbiter: ${error.message}`);
      return exitCodes.usage;
    }
    io.err(`arbiter: ${(error as Error).message}`);
    return exitCodes.failure;
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
