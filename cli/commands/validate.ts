/** `arbiter validate [file]`: exit 0 on a valid config, 2 with every problem listed otherwise. */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { calculatedThreshold, dataPlaneTargets, voteMechanism } from '../../shared/domain';
import type { CommandIo } from '../io';

export function runValidate(file: string, io: CommandIo): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    io.err(`${file} is not valid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):`);
    io.err(formatProblems(result.errors).split('\n').map((l) => `  ${l}`).join('\n'));
    return 2;
  }
  const c = result.config;
  io.out(`${file} is valid: ${c.observers.length} observers (quorum ${Math.floor(c.observers.length / 2) + 1}), ${c.targets.length} targets, ${c.alarms.length} alarms, ${c.drills.length} drills.`);
  const dataPlane = dataPlaneTargets(c);
  if (dataPlane.length > 0) {
    const n = c.observers.length;
    io.out(`Data-plane mode for ${dataPlane.map((t) => `${t.region} (${voteMechanism(t)} votes)`).join(', ')}: Arbiter never changes their records; `
      + `each gets a CALCULATED health check that fails once ${n - calculatedThreshold(n) + 1} of ${n} observers vote drain. Attach the checks \`arbiter deploy\` prints to their records.`);
  }
  return 0;
}
