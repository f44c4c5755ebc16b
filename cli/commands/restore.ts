/**
 * `arbiter restore <target>`: ends the target's active drain override(s), and nothing else. With
 * no drain override it changes nothing and says what holds the target (automation, or a pin) and
 * how to pin it serving on purpose (`arbiter pin`).
 */
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { exitCodes } from '../io';

export async function runRestore(ctx: OperatorContext, target: string, options: { reason?: string }): Promise<number> {
  const reason = options.reason?.trim() || 'restored by operator';
  let overrides: Override[] = [];
  const listed = await runApi({ ...ctx, output: 'table' }, { method: 'GET', path: '/overrides' }, (body) => {
    overrides = ((body as { overrides: Override[] }).overrides ?? []).filter((o) => o.target === target);
  });
  if (listed !== exitCodes.ok) return listed;
  const drains = overrides.filter((o) => o.action === 'drain');
  if (drains.length === 0) {
    const pins = overrides.filter((o) => o.action === 'serve').map((o) => o.id);
    const held = pins.length === 0 ? 'automation decides it' : `it is pinned serving by ${pins.join(', ')} (end a pin with: arbiter overrides end <id>)`;
    const message = `${target} has no active drain override: nothing to restore, nothing changed; ${held}.`;
    if (ctx.output === 'json') ctx.io.out(JSON.stringify({ target, ended: [], message }, null, 2));
    else ctx.io.out(`${message}\nTo keep ${target} serving whatever automation decides, pin it: arbiter pin ${target} --ttl 1h --reason "…"`);
    return exitCodes.ok;
  }
  const ended: string[] = [];
  for (const drain of drains) {
    const code = await runApi({ ...ctx, output: 'table' }, { method: 'DELETE', path: `/overrides/${encodeURIComponent(drain.id)}`, query: { reason } }, (_answer, meta) => {
      ended.push(drain.id);
      if (ctx.output !== 'json') ctx.io.out(`Ended drain override ${drain.id} on ${target} (answered by ${meta.region}); automation decides ${target} again.`);
    });
    if (code !== exitCodes.ok) return code;
  }
  if (ctx.output === 'json') ctx.io.out(JSON.stringify({ target, ended }, null, 2));
  return exitCodes.ok;
}
