/** `arbiter drills`: recent drills and their reports; `arbiter drills <id>`: one drill's full report. */
import type { DrillRecord } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function renderDrills(drills: readonly DrillRecord[]): string {
  if (drills.length === 0) return 'No drill yet.';
  return renderTable(['ID', 'TARGET', 'MODE', 'STATUS', 'STARTED (UTC)', 'RTO', 'PROBLEMS'], drills.map((d) => [
    d.id, d.target, d.mode, d.status, formatTime(d.startedMs), d.rtoMs === null ? '-' : `${(d.rtoMs / 1000).toFixed(1)} s of ${d.rtoSecondsMax} s`, d.problems.join('; ') || '-',
  ]));
}

/** One drill: its summary, every phase with its timing, and its problems and notes. */
export function renderDrillReport(d: DrillRecord): string {
  const hold = d.mode === 'evacuate' ? `, hold ${d.holdSeconds} s` : '';
  const lines = [
    `Drill ${d.id}: ${d.mode} ${d.target}, ${d.status.toUpperCase()}${hold}; started ${formatTime(d.startedMs)} by ${d.startedBy} in ${d.observer}.`,
    d.rtoMs === null ? `RTO: not measured (bound ${d.rtoSecondsMax} s).` : `RTO: ${seconds(d.rtoMs)} of ${d.rtoSecondsMax} s${d.mode === 'shadow' ? ' (predicted)' : ''}.`,
    renderTable(['PHASE', 'STARTED (UTC)', 'TOOK', 'DETAIL'], d.phases.map((p) => [p.name, formatTime(p.startedMs), p.endedMs === null ? 'did not complete' : seconds(p.durationMs), p.detail ?? ''])),
  ];
  if (d.changeIds.length > 0) lines.push(`Route 53 changes: ${d.changeIds.join(', ')}.`);
  for (const problem of d.problems) lines.push(`${problem.startsWith('note:') ? 'Note' : 'Problem'}: ${problem.replace(/^note: /, '')}`);
  return lines.join('\n');
}

export async function runDrills(ctx: OperatorContext, id?: string): Promise<number> {
  if (id !== undefined) {
    return runApi(ctx, { method: 'GET', path: `/drills/${encodeURIComponent(id)}` }, (body) => ctx.io.out(renderDrillReport((body as { drill: DrillRecord }).drill)));
  }
  return runApi(ctx, { method: 'GET', path: '/drills' }, (body) => ctx.io.out(renderDrills((body as { drills: DrillRecord[] }).drills)));
}
