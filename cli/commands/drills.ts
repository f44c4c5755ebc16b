/** `arbiter drills`: recent drills and their reports. */
import type { DrillRecord } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { formatTime, renderTable } from '../format/table';

export function renderDrills(drills: readonly DrillRecord[]): string {
  if (drills.length === 0) return 'No drill yet.';
  return renderTable(['ID', 'TARGET', 'MODE', 'STATUS', 'STARTED', 'RTO', 'PROBLEMS'], drills.map((d) => [
    d.id, d.target, d.mode, d.status, formatTime(d.startedMs), d.rtoMs === null ? '-' : `${(d.rtoMs / 1000).toFixed(1)} s of ${d.rtoSecondsMax} s`, d.problems.join('; ') || '-',
  ]));
}

export async function runDrills(ctx: OperatorContext): Promise<number> {
  return runApi(ctx, { method: 'GET', path: '/drills' }, (body) => ctx.io.out(renderDrills((body as { drills: DrillRecord[] }).drills)));
}
