/**
 * `arbiter validate [file] [--output json]`: exit 0 on a valid config, 2 with every problem listed
 * otherwise. JSON output is `{file, valid, problems: [{path, message}]}` (and a summary and the advice lines when valid).
 */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { bindingMode, dataPlaneTargets, quorumSize, voteMechanism, type ValidConfig } from '../../shared/domain';
import { exitCodes, type CommandIo } from '../io';

/** The data-plane summary and, for each control-plane target, the advice to move it to the data plane. */
export function validateAdvice(config: ValidConfig): string[] {
  const lines: string[] = [];
  const dataPlane = dataPlaneTargets(config);
  if (dataPlane.length > 0) {
    lines.push(`Data-plane mode for ${dataPlane.map((t) => `${t.region} (gate votes)`).join(', ')}: Arbiter never changes their records; `
      + 'each gets a CALCULATED health check (gate votes fail it once any live observer\'s decision (a quorum of fresh proposals) drains it). Attach the checks `arbiter deploy` prints to their records.');
  }
  config.targets.forEach((target, i) => {
    if (bindingMode(target) !== 'weight') return;
    lines.push(`Advice: ${target.region} moves traffic through the Route 53 control plane (targets[${i}].route53.mode is ${target.route53.mode === undefined ? 'absent, so weight' : 'weight'}), which lives in us-east-1 only: `
      + `it cannot fail over while that API is down. Set targets[${i}].route53.mode: health-check to fail over through Route 53 health checks (the data plane).`);
  });
  return lines;
}

export function runValidate(file: string, io: CommandIo, output: 'table' | 'json' = 'table'): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    if (output === 'json') io.out(JSON.stringify({ file, valid: false, problems: result.errors }, null, 2));
    io.err(`${file} is not valid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):`);
    io.err(formatProblems(result.errors).split('\n').map((l) => `  ${l}`).join('\n'));
    return exitCodes.usage;
  }
  const c = result.config;
  if (output === 'json') {
    io.out(JSON.stringify({
      file, valid: true, problems: [],
      summary: { observers: c.observers.length, quorum: quorumSize(c.observers.length), targets: c.targets.length, alarms: c.alarms.length, drills: c.drills.length, dataPlaneTargets: dataPlaneTargets(c).map((t) => ({ target: t.region, vote: voteMechanism(t) })) },
      advice: validateAdvice(c),
    }, null, 2));
    return exitCodes.ok;
  }
  io.out(`${file} is valid: ${c.observers.length} observers (quorum ${quorumSize(c.observers.length)}), ${c.targets.length} targets, ${c.alarms.length} alarms, ${c.drills.length} drills.`);
  for (const line of validateAdvice(c)) io.out(line);
  return exitCodes.ok;
}
