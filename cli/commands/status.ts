/**
 * `arbiter status`: every target's routing state and why, from the first region that answers; for
 * data-plane targets also Route 53's own status of their checks, read from Route 53 (not the API).
 */
import type { TargetHealthStatus } from '../../shared/adapters/aws/route53-health-check-status';
import type { StatusBody } from '../../shared/runtime/operator/status';
import { runApi, type OperatorContext } from '../client/operator-context';
import { describeHealthStatus } from '../client/route53-status';
import { formatTime, renderTable } from '../format/table';

/** Renders a status body as a table and a few sentences; `checks`: Route 53's own status per data-plane target, when read. */
export function renderStatus(body: StatusBody, checks: Record<string, TargetHealthStatus> | null = null): string {
  const rows = body.targets.map((t) => [
    // (a status from an API older than data-plane mode has no vote field)
    t.target, t.routing, t.vote ? `vote ${t.vote.vote} (${t.vote.mechanism})` : (t.route53 ?? 'unreadable'),
    ...(checks === null ? [] : [t.vote ? describeHealthStatus(checks[t.target]) : '-']),
    `${t.tally.healthy} healthy, ${t.tally.unhealthy} unhealthy, ${t.tally.suspect} suspect, ${t.tally.unknown} unknown`,
    t.override === null ? '-' : `${t.override.action === 'serve' ? 'PINNED serving' : t.override.action} until ${formatTime(t.override.expiresMs)}`,
  ]);
  const pins = (body.activeOverrides ?? []).filter((o) => o.action === 'serve');
  const lines = pins.map((o) => `PINNED SERVING: ${o.target} until ${formatTime(o.expiresMs)} by ${o.actor} (${o.id}: ${o.reason}). Automation is OFF for ${o.target}: it stays serving even if it fails. End it: arbiter overrides end ${o.id}`);
  lines.push(renderTable(['TARGET', 'DECIDED', 'ROUTE 53', ...(checks === null ? [] : ['ROUTE 53 CHECK']), `VERDICTS (quorum ${body.quorum})`, 'OVERRIDE'], rows));
  if (checks === null && body.targets.some((t) => t.vote)) lines.push('Route 53\'s own check status: not read (no health-check ids in .arbiter/<stage>.json; arbiter deploy writes them).');
  const last = body.lastApplied;
  lines.push(last === null ? 'No decision applied yet: every target serves at its configured weight.' : `Last decision ${last.decisionId} applied by ${last.observer} at ${formatTime(last.appliedMs)}.`);
  if (body.runningDrills.length > 0) lines.push(`Running drills: ${body.runningDrills.map((d) => `${d.id} (${d.mode} ${d.target})`).join(', ')}.`);
  for (const problem of body.problems) lines.push(`Problem: ${problem}`);
  return lines.join('\n');
}

/** Data-plane targets (those the API reports a vote for) whose checks the context can read. */
function dataPlaneTargets(ctx: OperatorContext, body: StatusBody): string[] {
  return body.targets.filter((t) => Boolean(t.vote) && ctx.health?.ids[t.target] !== undefined).map((t) => t.target);
}

type StatusWithChecks = StatusBody & { route53Checks?: Record<string, TargetHealthStatus> };

export async function runStatus(ctx: OperatorContext): Promise<number> {
  const health = ctx.health;
  const enrich = health === undefined ? undefined : async (body: unknown): Promise<StatusWithChecks> => {
    const targets = dataPlaneTargets(ctx, body as StatusBody);
    return { ...(body as StatusBody), route53Checks: targets.length === 0 ? {} : await health.read(targets) };
  };
  return runApi(ctx, { method: 'GET', path: '/status' }, (body) => ctx.io.out(renderStatus(body as StatusBody, (body as StatusWithChecks).route53Checks ?? null)), enrich);
}
