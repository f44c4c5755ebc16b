/** `arbiter validate [file]`: exit 0 on a valid config, 2 with every problem listed otherwise. */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
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
  return 0;
}
