/**
 * The `arbiter` CLI. Each command lives in cli/commands; this file only wires commander.
 */
import { Command, CommanderError } from 'commander';
import { defaultConfigPath } from '../shared/adapters/config/config-file';
import { parsePort, runStart } from './commands/start';
import { runValidate } from './commands/validate';
import { runSimulate } from './commands/simulate';
import { runPackage } from './commands/package';
import { runDeploy } from './commands/deploy';
import { runRemove } from './commands/remove';
import { defaultLocalPort } from './local/local-run';
import { exitCodes, processIo, type CommandIo } from './io';

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
    .action(async (options: { stage: string; dryRun: boolean }) => setExit(await runDeploy({ configFile: program.opts<{ config: string }>().config, stage: options.stage, dryRun: options.dryRun }, io)));

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

  return program;
}

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    io.err(`arbiter: ${(error as Error).message}`);
    return exitCodes.failure;
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
