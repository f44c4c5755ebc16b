/**
 * `arbiter drill <target> --mode shadow|evacuate [--hold 5m] [--wait]`: starts a drill; with
 * --wait, polls its report until it is no longer running and prints it (exit 0 passed, 1 failed,
 * 4 refused; 3 when no region answers; 1 when --wait-timeout passes first, the drill going on).
 */
import type { DrillRecord } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import { exitCodes, UsageError } from '../io';
import { parseDurationSeconds } from '../format/table';
import { renderDrillReport } from './drills';

/** How often --wait reads the drill's report. */
export const drillWaitPollMs = 5_000;
/** Reads at most this many times, whatever --wait-timeout says. */
export const drillWaitPollsMax = 720;

export interface DrillCommandOptions {
  mode: string;
  hold?: string;
  wait?: boolean;
  waitTimeout?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exit code of a finished drill's status. */
export function drillExitCode(status: DrillRecord['status']): number {
  return status === 'passed' ? exitCodes.ok : status === 'refused' ? exitCodes.refused : exitCodes.failure;
}

async function waitForReport(ctx: OperatorContext, drillId: string, timeoutMs: number, pollMs: number): Promise<number> {
  const deadlineMs = Date.now() + timeoutMs;
  const quiet = { ...ctx, output: 'table' as const, io: { out: () => {}, err: (t: string) => (t.startsWith('answered by') ? undefined : ctx.io.err(t)) } };
  for (let poll = 0; poll < drillWaitPollsMax; poll += 1) {
    let drill: DrillRecord | null = null;
    const code = await runApi(quiet, { method: 'GET', path: `/drills/${encodeURIComponent(drillId)}` }, (body) => (drill = (body as { drill: DrillRecord }).drill));
    if (code !== exitCodes.ok) return code;
    const current = drill as DrillRecord | null;
    if (current !== null && current.status !== 'running') {
      ctx.io.out(ctx.output === 'json' ? JSON.stringify({ drill: current }, null, 2) : renderDrillReport(current));
      return drillExitCode(current.status);
    }
    if (Date.now() + pollMs > deadlineMs) break;
    const phase = current?.phases.at(-1)?.name ?? 'requested';
    ctx.io.err(`drill ${drillId}: running (${phase})…`);
    await sleep(pollMs);
  }
  ctx.io.err(`arbiter: stopped waiting for drill ${drillId} after ${Math.round(timeoutMs / 1000)} s; it goes on. Follow it with: arbiter drills ${drillId}`);
  return exitCodes.failure;
}

export async function runDrill(ctx: OperatorContext, target: string, options: DrillCommandOptions, pollMs = drillWaitPollMs): Promise<number> {
  if (options.mode !== 'shadow' && options.mode !== 'evacuate') throw new UsageError(`--mode must be shadow or evacuate, got "${options.mode}"`);
  if (options.mode === 'shadow' && options.hold !== undefined) throw new UsageError('--hold applies to evacuate drills only: a shadow drill drains nothing');
  const timeoutMs = parseDurationSeconds(options.waitTimeout ?? '20m', '--wait-timeout') * 1000;
  const body = { target, mode: options.mode, ...(options.hold === undefined ? {} : { holdSeconds: parseDurationSeconds(options.hold, '--hold') }) };
  let started: DrillRecord | null = null;
  const startOutput = options.wait === true ? { ...ctx, output: 'table' as const } : ctx;
  const code = await runApi(startOutput, { method: 'POST', path: '/drills', body }, (answer, meta) => {
    const { drill, launched, warning } = answer as { drill: DrillRecord; launched: boolean; warning?: string };
    started = drill;
    const line = `Drill ${drill.id}: ${drill.mode} ${drill.target}, ${launched ? 'started' : 'stored, not started'} in ${meta.region}.`;
    if (options.wait === true) ctx.io.err(line);
    else ctx.io.out(`${line} Follow it with: arbiter drills ${drill.id}`);
    if (warning !== undefined) ctx.io.err(`Warning: ${warning}`);
  });
  if (code !== exitCodes.ok || options.wait !== true || started === null) return code;
  return waitForReport(ctx, (started as DrillRecord).id, timeoutMs, pollMs);
}
