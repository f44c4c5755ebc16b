/**
 * The `arbiter` CLI. Each command lives in cli/commands; this file only wires commander. Command
 * modules are loaded when their command runs, so `arbiter --version` or `--help` loads none of the
 * AWS SDK, the simulator or the local run.
 */
import { Command, CommanderError, Option } from 'commander';
import { operatorOptions, withOperatorOptions } from './client/operator-options';
import { exitCodes, processIo, UsageError, type CommandIo } from './io';

/** The version printed by --version (package.json's; the bundle inlines it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const cliVersion: string = (require('../package.json') as { version: string }).version;

/** Default --config (shared/adapters/config/config-file.ts's defaultConfigPath, kept literal so --help loads no YAML or zod). */
export const defaultConfigPath = 'arbiter.config.yml';
/** Default port of `arbiter start` (cli/local/local-run.ts's defaultLocalPort, kept literal so --help loads nothing). */
export const startPortDefault = '8080';

const outputOption = () => new Option('--output <format>', 'table or json').choices(['table', 'json']).default('table');

/** --profile and --region for the commands that call AWS themselves (deploy, remove). */
function withAwsOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile from ~/.aws/config or ~/.aws/credentials (default chain otherwise)')
    .option('--region <region>', 'only this observer region\'s stack (default: every observer region)');
}

export function buildProgram(io: CommandIo, setExit: (code: number) => void): Command {
  const program = new Command('arbiter')
    .description('Arbiter: a multi-region failover control plane for active-active applications on AWS')
    .version(cliVersion, '-V, --version', 'print the version')
    .option('--config <file>', 'configuration file', defaultConfigPath)
    .showHelpAfterError('(run arbiter --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const config = () => program.opts<{ config: string }>().config;

  program
    .command('validate [file]')
    .description('check a configuration file (default: --config), every problem at once')
    .addOption(outputOption())
    .action(async (file: string | undefined, options: { output: 'table' | 'json' }) => setExit((await import('./commands/validate')).runValidate(file ?? config(), io, options.output)));

  program
    .command('start')
    .description('run the control plane locally: three observer regions, sample apps and a dashboard (npm start)')
    .option('--port <port>', 'dashboard port on 127.0.0.1 (0: any free port)', startPortDefault)
    .action(async (options: { port: string }) => {
      const { parsePort, runStart } = await import('./commands/start');
      setExit(await runStart({ configPath: config(), port: parsePort(options.port) }, io));
    });

  program
    .command('package')
    .description('package every observer region offline into dist/package/<stage>/<region> (npm run package)')
    .option('--stage <stage>', 'stage name', 'dev')
    .action(async (options: { stage: string }) => setExit(await (await import('./commands/package')).runPackage({ configFile: config(), stage: options.stage }, io)));

  withAwsOptions(program.command('deploy'))
    .description('deploy every observer region in order (home stack first), stopping at the first failure')
    .requiredOption('--stage <stage>', 'stage name')
    .option('--dry-run', 'print the plan without calling AWS', false)
    .option('--attach-health-checks', 'attach each data-plane target\'s CALCULATED health check to its record (a Route 53 change at deploy time); without it, deploy prints what to attach', false)
    .addOption(outputOption())
    .action(async (options: { stage: string; dryRun: boolean; profile?: string; region?: string; output: 'table' | 'json'; attachHealthChecks: boolean }) =>
      setExit(await (await import('./commands/deploy')).runDeploy({ configFile: config(), ...options }, io)));

  withAwsOptions(program.command('remove'))
    .description('remove every observer region in reverse order (home stack last; the table is retained)')
    .requiredOption('--stage <stage>', 'stage name')
    .option('--dry-run', 'print the plan without calling AWS', false)
    .action(async (options: { stage: string; dryRun: boolean; profile?: string; region?: string }) =>
      setExit(await (await import('./commands/remove')).runRemove({ configFile: config(), ...options }, io)));

  program
    .command('simulate')
    .description('run the deterministic simulator: a scenario (name in sim/scenarios or a file) from a seed; exit 5 on an invariant violation')
    .option('--scenario <name|file>', 'scenario name or YAML file (required unless --list)')
    .option('--seed <n>', 'seed of the first run (replays exactly; required unless --list)')
    .option('--runs <k>', 'runs, seeds n … n+k-1', '1')
    .option('--json', 'print results as JSON', false)
    .option('--list', 'list every scenario in sim/scenarios and what it proves', false)
    .action(async (options: { scenario?: string; seed?: string; runs: string; json: boolean; list: boolean }) => setExit(await (await import('./commands/simulate')).runSimulate(options, io)));

  const contextOf = async (command: Command) => (await import('./client/operator-context')).operatorContext(operatorOptions(command, config()), io);
  const operator = (name: string, description: string, parent: Command = program, opts: { isDefault?: boolean } = {}) => withOperatorOptions(parent.command(name, opts).description(description));

  operator('status', 'every target\'s routing state and why, pins first (from the first region that answers)')
    .action(async (_o: unknown, command: Command) => setExit(await (await import('./commands/status')).runStatus(await contextOf(command))));

  operator('drain <target>', 'drain a target through an override (audited)')
    .requiredOption('--ttl <duration>', 'how long, with a unit: 90s, 30m, 2h, 1d')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--force', 'go past the safety rules (audited as override-forced)')
    .action(async (target: string, options: { ttl: string; reason?: string; force?: boolean }, command: Command) => setExit(await (await import('./commands/drain')).runDrain(await contextOf(command), target, options)));

  operator('restore <target>', 'end the target\'s drain override(s) and nothing else: automation decides it again')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (target: string, options: { reason?: string }, command: Command) => setExit(await (await import('./commands/restore')).runRestore(await contextOf(command), target, options)));

  operator('pin <target>', 'keep a target serving for --ttl whatever automation decides (a serve override: automation is OFF for it)')
    .requiredOption('--ttl <duration>', 'how long, with a unit: 30m, 2h')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action(async (target: string, options: { ttl: string; reason?: string }, command: Command) => setExit(await (await import('./commands/pin')).runPin(await contextOf(command), target, options)));

  const overrides = program.command('overrides').description('active overrides (list, the default), or end one early (end <id>)');
  operator('list', 'active overrides, pins marked', overrides, { isDefault: true })
    .action(async (_o: unknown, command: Command) => setExit(await (await import('./commands/overrides')).runOverrides(await contextOf(command))));
  operator('end <id>', 'end an override (drain or pin) before it expires (audited)', overrides)
    .option('--reason <text>', 'why, for the audit log')
    .action(async (id: string, options: { reason?: string }, command: Command) => setExit(await (await import('./commands/overrides')).runOverrideEnd(await contextOf(command), id, options)));

  operator('drill <target>', 'start a drill: shadow predicts, evacuate really drains and restores')
    .requiredOption('--mode <mode>', 'shadow or evacuate')
    .option('--hold <duration>', 'how long an evacuate drill holds the target drained, with a unit (30s..1h)')
    .option('--wait', 'wait for the report and print it (exit 0 passed, 1 failed, 4 refused)')
    .option('--wait-timeout <duration>', 'give up waiting after this long (the drill goes on)', '20m')
    .action(async (target: string, options: { mode: string; hold?: string; wait?: boolean; waitTimeout: string }, command: Command) => setExit(await (await import('./commands/drill')).runDrill(await contextOf(command), target, options)));

  operator('drills [id]', 'recent drills, or one drill\'s full report')
    .action(async (id: string | undefined, _o: unknown, command: Command) => setExit(await (await import('./commands/drills')).runDrills(await contextOf(command), id)));

  operator('audit', 'the audit log, newest first')
    .option('--since <time>', 'how far back: 10m, 2h, 7d, or epoch ms, or ISO 8601')
    .option('--limit <n>', 'entries (1..100)')
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .action(async (options: { since?: string; limit?: string; cursor?: string }, command: Command) => setExit(await (await import('./commands/audit')).runAudit(await contextOf(command), options)));

  program
    .command('cost')
    .description('estimate the monthly AWS bill of the configured deployment (--config), line by line; offline: it calls no AWS API, so it takes no --profile or --region')
    .addOption(outputOption())
    .action(async (options: { output: 'table' | 'json' }) => setExit((await import('./commands/cost')).runCost(config(), io, options.output)));

  return program;
}

/** True when the arguments ask for JSON output (errors are then JSON on stdout too). */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--output=json' || (a === '--output' && argv[i + 1] === 'json') || a === '--json');
}

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(io, (c) => (code = c));
  const fail = (message: string, exit: number) => {
    io.err(`arbiter: ${message}`);
    if (wantsJson(argv)) io.out(JSON.stringify({ error: message }, null, 2));
    return exit;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return exitCodes.ok;
      if (wantsJson(argv)) io.out(JSON.stringify({ error: error.message.replace(/^error: /, '') }, null, 2));
      return exitCodes.usage;
    }
    if (error instanceof UsageError) return fail(error.message, exitCodes.usage);
    return fail((error as Error).message, exitCodes.failure);
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
