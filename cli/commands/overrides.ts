/** `arbiter overrides [list]`: the active overrides; `arbiter overrides end <id>`: ends one early. */
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

export function renderOverrides(overrides: readonly Override[]): string {
  if (overrides.length === 0) return 'No active override: automation decides every target.';
  const table = renderTable(['ID', 'TARGET', 'ACTION', 'EXPIRES', 'ACTOR', 'REASON'], overrides.map((o) => [o.id, o.target, `${o.action === 'serve' ? 'serve (PIN: automation off)' : o.action}${o.force ? ' (forced)' : ''}`, formatTime(o.expiresMs), o.actor, o.reason]));
  return `${table}\nEnd one early with: arbiter overrides end <id>`;
}

export async function runOverrides(ctx: OperatorContext): Promise<number> {
  return runApi(ctx, { method: 'GET', path: '/overrides' }, (body) => ctx.io.out(renderOverrides((body as { overrides: Override[] }).overrides)));
}

export async function runOverrideEnd(ctx: OperatorContext, id: string, options: { reason?: string }): Promise<number> {
  const reason = options.reason?.trim() || 'ended by operator';
  return runApi(ctx, { method: 'DELETE', path: `/overrides/${encodeURIComponent(id)}`, query: { reason } }, (answer, meta) => {
    const { override, alreadyEnded } = answer as { override: Override; alreadyEnded?: boolean };
    ctx.io.out(alreadyEnded === true
      ? `Override ${id} (${override.action} ${override.target}) was already ended; nothing changed.`
      : `Ended override ${id} (${override.action} ${override.target}), answered by ${meta.region}; automation decides ${override.target} again.`);
  });
}
