/**
 * `arbiter pin <target> --ttl 1h --reason "…"`: a `serve` override. The target stays serving for
 * the TTL even if it fails: automation is off for it, and the output says so.
 */
import { randomUUID } from 'node:crypto';
import type { Override } from '../../shared/domain';
import { runApi, type OperatorContext } from '../client/operator-context';
import { UsageError } from '../io';
import { pinWarning } from '../../shared/runtime/operator/override-service';
import { parseDurationSeconds } from '../format/table';
import { describeOverride } from './drain';

export interface PinOptions {
  ttl: string;
  reason?: string;
}

export async function runPin(ctx: OperatorContext, target: string, options: PinOptions): Promise<number> {
  const ttlSeconds = parseDurationSeconds(options.ttl, '--ttl');
  if (options.reason === undefined || options.reason.trim() === '') throw new UsageError('--reason is required: say why, it goes into the audit log');
  const body = { target, action: 'serve', ttlSeconds, reason: options.reason, force: false };
  return runApi(ctx, { method: 'POST', path: '/overrides', body, headers: { 'idempotency-key': `cli-${randomUUID()}` } }, (answer, meta) => {
    const created = answer as { override: Override; warnings?: string[] };
    // The API adds the same warning; print ours only when an older API did not.
    const warnings = created.warnings?.some((w) => w.includes('automation is OFF')) ? created.warnings : [pinWarning(created.override), ...(created.warnings ?? [])];
    ctx.io.out(describeOverride({ ...created, warnings }, meta.region));
  });
}
