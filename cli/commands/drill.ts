/** `arbiter drill <target> --mode shadow|evacuate [--hold 5m]`: starts a drill. */
import type { DrillRecord } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { UsageError } from '../io';
import { parseDurationSeconds } from '../format/table';

export async function runDrill(ctx: OperatorContext, target: string, options: { mode: string; hold?: string }): Promise<number> {
  if (options.mode !== 'shadow' && options.mode !== 'evacuate') throw new UsageError(`--mode must be shadow or evacuate, got "${options.mode}"`);
  const body = { target, mode: options.mode, ...(options.hold === undefined ? {} : { holdSeconds: parseDurationSeconds(options.hold, '--hold') }) };
  return runApi(ctx, { method: 'POST', path: '/drills', body }, (answer, meta) => {
    const { drill, launched, warning } = answer as { drill: DrillRecord; launched: boolean; warning?: string };
    ctx.io.out(`Drill ${drill.id}: ${drill.mode} ${drill.target}, ${launched ? 'started' : 'stored, not started'} in ${meta.region}. Follow it with: arbiter drills`);
    if (warning !== undefined) ctx.io.out(`Warning: ${warning}`);
  });
}
