/** `arbiter validate [file]`: exit 0 on a valid config, 2 with every problem listed otherwise. */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { dataPlaneTargets, quorumSize, voteMechanism } from '../../shared/domain';
import type { CommandIo } from '../io';

export function runValidate(file: string, io: CommandIo): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    io.err(`${file} is not valid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):`);
    io.err(formatProblems(result.errors).split('\n').map((l) => `  ${l}`).join('\n'));
    return 2;
  }
  const c = result.config;
  io.out(`${file} is valid: ${c.observers.length} observers (quorum ${quorumSize(c.observers.length)}), ${c.targets.length} targets, ${c.alarms.length} alarms, ${c.drills.length} drills.`);
  const dataPlane = dataPlaneTargets(c);
  if (dataPlane.length > 0) {
    io.out(`Data-plane mode for ${dataPlane.map((t) => `${t.region} (${voteMechanism(t)} votes)`).join(', ')}: Arbiter never changes their records; `
      + `each gets a CALCULATED health check that fails once ${quorumSize(c.observers.length)} of ${c.observers.length} observers vote drain. Attach the checks \`arbiter deploy\` prints to their records.`);
  }
  return 0;
}
