/** `arbiter status`: every target's routing state and why, from the first region that answers. */
import type { StatusBody } from '../../shared/runtime/operator/status';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

/** Renders a status body as a table and a few sentences. */
export function renderStatus(body: StatusBody): string {
  const rows = body.targets.map((t) => [
    // (a status from an API older than data-plane mode has no vote field)
    t.target, t.routing, t.vote ? `vote ${t.vote.vote} (${t.vote.mechanism})` : (t.route53 ?? 'unreadable'),
    `${t.tally.healthy} healthy, ${t.tally.unhealthy} unhealthy, ${t.tally.suspect} suspect, ${t.tally.unknown} unknown`,
    t.override === null ? '-' : `${t.override.action === 'serve' ? 'PINNED serving' : t.override.action} until ${formatTime(t.override.expiresMs)}`,
  ]);
  const pins = (body.activeOverrides ?? []).filter((o) => o.action === 'serve');
  const lines = pins.map((o) => `PINNED SERVING: ${o.target} until ${formatTime(o.expiresMs)} by ${o.actor} (${o.id}: ${o.reason}). Automation is OFF for ${o.target}: it stays serving even if it fails. End it: arbiter overrides end ${o.id}`);
  lines.push(renderTable(['TARGET', 'DECIDED', 'ROUTE 53', `VERDICTS (quorum ${body.quorum})`, 'OVERRIDE'], rows));
  const last = body.lastApplied;
  lines.push(last === null ? 'No decision applied yet: every target serves at its configured weight.' : `Last decision ${last.decisionId} applied by ${last.observer} at ${formatTime(last.appliedMs)}.`);
  if (body.runningDrills.length > 0) lines.push(`Running drills: ${body.runningDrills.map((d) => `${d.id} (${d.mode} ${d.target})`).join(', ')}.`);
  for (const problem of body.problems) lines.push(`Problem: ${problem}`);
  return lines.join('\n');
}

export async function runStatus(ctx: OperatorContext): Promise<number> {
  return runApi(ctx, { method: 'GET', path: '/status' }, (body) => ctx.io.out(renderStatus(body as StatusBody)));
}
