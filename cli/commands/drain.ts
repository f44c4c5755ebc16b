/** `arbiter drain <target> --ttl 30m --reason "…" [--force]`: a drain override through the API. */
import { randomUUID } from 'node:crypto';
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { UsageError } from '../io';
import { formatTime, parseDurationSeconds } from '../format/table';

export interface DrainOptions {
  ttl: string;
  reason?: string;
  force?: boolean;
}

/** One sentence for a created override and its warnings. */
export function describeOverride(body: { override: Override; warnings?: string[] }, answeredBy: string): string {
  const o = body.override;
  const lines = [`Override ${o.id}: ${o.action} ${o.target} until ${formatTime(o.expiresMs)}${o.force ? ' (forced past the safety rules)' : ''}; answered by ${answeredBy}.`];
  for (const warning of body.warnings ?? []) lines.push(`Warning: ${warning}`);
  return lines.join('\n');
}

export async function runDrain(ctx: OperatorContext, target: string, options: DrainOptions): Promise<number> {
  const ttlSeconds = parseDurationSeconds(options.ttl, '--ttl');
  if (options.reason === undefined || options.reason.trim() === '') throw new UsageError('--reason is required: say why, it goes into the audit log');
  const body = { target, action: 'drain', ttlSeconds, reason: options.reason, force: options.force === true };
  // One key per invocation: the client's own retries (next region) reuse it, so one drain is written once.
  return runApi(ctx, { method: 'POST', path: '/overrides', body, headers: { 'idempotency-key': `cli-${randomUUID()}` } }, (answer, meta) => ctx.io.out(describeOverride(answer as { override: Override }, meta.region)));
}
