/** `arbiter overrides`: the active overrides. */
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

export function renderOverrides(overrides: readonly Override[]): string {
  if (overrides.length === 0) return 'No active override: automation decides every target.';
  return renderTable(['ID', 'TARGET', 'ACTION', 'EXPIRES', 'ACTOR', 'REASON'], overrides.map((o) => [o.id, o.target, o.force ? `${o.action} (forced)` : o.action, formatTime(o.expiresMs), o.actor, o.reason]));
}

export async function runOverrides(ctx: OperatorContext): Promise<number> {
  return runApi(ctx, { method: 'GET', path: '/overrides' }, (body) => ctx.io.out(renderOverrides((body as { overrides: Override[] }).overrides)));
}
