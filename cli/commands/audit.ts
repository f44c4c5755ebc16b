/** `arbiter audit [--since] [--limit]`: the audit log, newest first. */
import type { AuditPage } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

export function renderAudit(page: AuditPage): string {
  if (page.entries.length === 0) return 'No audit entry in that range.';
  const table = renderTable(['AT', 'OBSERVER', 'KIND', 'ACTOR', 'SUMMARY'], page.entries.map((e) => [formatTime(e.atMs), e.observer, e.kind, e.actor, e.summary]));
  return page.cursor === undefined ? table : `${table}\nMore entries: repeat with --cursor ${page.cursor}`;
}

export async function runAudit(ctx: OperatorContext, options: { since?: string; limit?: string; cursor?: string }): Promise<number> {
  return runApi(ctx, { method: 'GET', path: '/audit', query: { since: options.since, limit: options.limit, cursor: options.cursor } }, (body) => ctx.io.out(renderAudit(body as AuditPage)));
}
