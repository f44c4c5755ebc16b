/**
 * `arbiter validate [file] [--output json]`: exit 0 on a valid config, 2 with every problem listed
 * otherwise. JSON output is `{file, valid, problems: [{path, message}]}` (and a summary when valid).
 */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { dataPlaneTargets, quorumSize, voteMechanism } from '../../shared/domain';
import { exitCodes, type CommandIo } from '../io';

export function runValidate(file: string, io: CommandIo, output: 'table' | 'json' = 'table'): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    if (output === 'json') io.out(JSON.stringify({ file, valid: false, problems: result.errors }, null, 2));
    io.err(`${file} is not valid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):`);
    io.err(formatProblems(result.errors).split('\n').map((l) => `  ${l}`).join('\n'));
    return exitCodes.usage;
  }
  const c = result.config;
  const dataPlane = dataPlaneTargets(c);
  if (output === 'json') {
    io.out(JSON.stringify({
      file, valid: true, problems: [],
      summary: { observers: c.observers.length, quorum: quorumSize(c.observers.length), targets: c.targets.length, alarms: c.alarms.length, drills: c.drills.length, dataPlaneTargets: dataPlane.map((t) => ({ target: t.region, vote: voteMechanism(t) })) },
    }, null, 2));
    return exitCodes.ok;
  }
  io.out(`${file} is valid: ${c.observers.length} observers (quorum ${quorumSize(c.observers.length)}), ${c.targets.length} targets, ${c.alarms.length} alarms, ${c.drills.length} drills.`);
  if (dataPlane.length > 0) {
    io.out(`Data-plane mode for ${dataPlane.map((t) => `${t.region} (${voteMechanism(t)} votes)`).join(', ')}: Arbiter never changes their records; `
      + `each gets a CALCULATED health check that fails once ${quorumSize(c.observers.length)} of ${c.observers.length} observers vote drain. Attach the checks \`arbiter deploy\` prints to their records.`);
  }
  return exitCodes.ok;
}
