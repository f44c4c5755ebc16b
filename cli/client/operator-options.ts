/** The options every operator command takes (status, drain, restore, overrides, drill, drills, audit). */
import type { Command } from 'commander';
import type { GlobalOptions } from './operator-context';

/** Default stage whose .arbiter/<stage>.json names the API URLs. */
export const defaultStage = 'dev';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds --profile, --region, --output, --stage, --local and --endpoint to a command. */
export function withOperatorOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile for credentials (default chain otherwise)')
    .option('--region <region>', 'observer region to try first')
    .option('--output <format>', 'table or json (errors too: the API\'s {error, problems} on stdout)', 'table')
    .option('--stage <stage>', 'stage whose API URLs are in .arbiter/<stage>.json', defaultStage)
    .option('--local [where]', 'talk to the local run (npm start): a port (8181), host:port or URL; default 127.0.0.1:8080')
    .option('--endpoint <url>', 'an API URL to try, in order (repeatable)', collect);
}

/** The command's options merged with the program's --config. */
export function operatorOptions(command: Command, config: string): GlobalOptions {
  const o = command.opts<Omit<GlobalOptions, 'config'>>();
  return { ...o, config };
}
