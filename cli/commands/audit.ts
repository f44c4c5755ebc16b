/** `arbiter audit [--since 10m] [--limit] [--cursor]`: the audit log, newest first. */
import type { AuditPage } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, parseSinceMs, renderTable } from '../format/table';
import { UsageError } from '../io';

export function renderAudit(page: AuditPage): string {
  if (page.entries.length === 0) return 'No audit entry in that range.';
  const table = renderTable(['AT (UTC)', 'OBSERVER', 'KIND', 'ACTOR', 'SUMMARY'], page.entries.map((e) => [formatTime(e.atMs), e.observer, e.kind, e.actor, e.summary]));
  return page.cursor === undefined ? table : `${table}\nMore entries: repeat with --cursor ${page.cursor}`;
}

export async function runAudit(ctx: OperatorContext, options: { since?: string; limit?: string; cursor?: string }, nowMs = Date.now()): Promise<number> {
  const since = options.since === undefined ? undefined : String(parseSinceMs(options.since, nowMs));
  if (options.limit !== undefined && !/^\d{1,3}$/.test(options.limit.trim())) throw new UsageError(`--limit must be a whole number from 1 to 100, got "${options.limit}"`);
  if (options.cursor !== undefined && !/^[A-Za-z0-9_.:=-]{1,512}$/.test(options.cursor)) throw new UsageError(`--cursor must be a cursor printed by a previous page, got "${options.cursor.slice(0, 80)}"`);
  return runApi(ctx, { method: 'GET', path: '/audit', query: { since, limit: options.limit, cursor: options.cursor } }, (body) => ctx.io.out(renderAudit(body as AuditPage)));
}
