/**
 * `arbiter restore <target>`: ends the target's active drain override(s); when there is none, it
 * creates a `serve` override for --ttl (default 1h) instead. The output says which it did.
 */
import { randomUUID } from 'node:crypto';
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { exitCodes } from '../io';
import { parseDurationSeconds } from '../format/table';
import { describeOverride } from './drain';

export const defaultServeTtl = '1h';

export async function runRestore(ctx: OperatorContext, target: string, options: { ttl?: string; reason?: string; force?: boolean }): Promise<number> {
  const reason = options.reason?.trim() || 'restored by operator';
  const ttlSeconds = parseDurationSeconds(options.ttl ?? defaultServeTtl, '--ttl');
  let drains: Override[] = [];
  const listed = await runApi({ ...ctx, output: 'table' }, { method: 'GET', path: '/overrides' }, (body) => {
    drains = ((body as { overrides: Override[] }).overrides ?? []).filter((o) => o.target === target && o.action === 'drain');
  });
  if (listed !== exitCodes.ok) return listed;
  if (drains.length === 0) {
    const body = { target, action: 'serve', ttlSeconds, reason, force: options.force === true };
    return runApi(ctx, { method: 'POST', path: '/overrides', body, headers: { 'idempotency-key': `cli-${randomUUID()}` } }, (answer, meta) => {
      ctx.io.out(`${target} had no active drain override, so a serve override was created.`);
      ctx.io.out(describeOverride(answer as { override: Override }, meta.region));
    });
  }
  for (const drain of drains) {
    const code = await runApi(ctx, { method: 'DELETE', path: `/overrides/${encodeURIComponent(drain.id)}`, query: { reason } }, (_answer, meta) =>
      ctx.io.out(`Ended drain override ${drain.id} on ${target} (answered by ${meta.region}); automation decides ${target} again.`),
    );
    if (code !== exitCodes.ok) return code;
  }
  return exitCodes.ok;
}
