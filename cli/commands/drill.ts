/**
 * `arbiter drill <target> --mode shadow|evacuate [--hold 5m] [--wait]`: starts a drill; with
 * --wait, polls its report until it is no longer running and prints it (exit 0 passed, 1 failed,
 * 4 refused; 3 when no region answers; 1 when --wait-timeout passes first, the drill going on).
 * For a data-plane target whose check ids `.arbiter/<stage>.json` names, each poll also reads
 * Route 53's own CALCULATED check, and the report says when Route 53 itself saw the target
 * unhealthy and healthy again (the drill's report alone shows the observers' votes).
 */
import type { DrillRecord } from '../../shared/ports';
import { runApi, type OperatorContext } from '../client/operator-context';
import type { Route53StatusSource } from '../client/route53-status';
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

/** What the CLI saw of Route 53's own check of the drilled target while it waited (times from the drill's start). */
export interface Route53Observed {
  target: string;
  reads: number;
  unhealthyFromMs: number | null;
  healthyAgainFromMs: number | null;
  /** The last reason a read answered unknown, or null. */
  problem: string | null;
}

/** Reads the drilled target's check once and folds it into what was observed. */
async function observeCheck(health: Route53StatusSource, observed: Route53Observed, sinceMs: number): Promise<void> {
  const status = (await health.read([observed.target]))[observed.target];
  observed.reads += 1;
  if (status === undefined || status.calculated === 'unknown') {
    observed.problem = status?.problem ?? 'no HealthCheckStatus datapoint yet';
    return;
  }
  const atMs = Date.now() - sinceMs;
  if (status.calculated === 'unhealthy' && observed.unhealthyFromMs === null) observed.unhealthyFromMs = atMs;
  if (status.calculated === 'healthy' && observed.unhealthyFromMs !== null && observed.healthyAgainFromMs === null) observed.healthyAgainFromMs = atMs;
}

/** One sentence on what Route 53 itself showed during the drill. */
export function describeObserved(o: Route53Observed, pollMs: number): string {
  const every = `read ${o.reads} times, every ${Math.round(pollMs / 1000)} s`;
  if (o.unhealthyFromMs === null) return `Route 53's own check of ${o.target} (${every}): never seen unhealthy${o.problem === null ? '' : `; last unknown read: ${o.problem}`}.`;
  const back = o.healthyAgainFromMs === null ? 'still unhealthy at the last read' : `healthy again from +${Math.round(o.healthyAgainFromMs / 1000)} s`;
  return `Route 53's own check of ${o.target} (${every}): unhealthy from +${Math.round(o.unhealthyFromMs / 1000)} s, ${back}.`;
}

async function waitForReport(ctx: OperatorContext, drillId: string, target: string, timeoutMs: number, pollMs: number): Promise<number> {
  const deadlineMs = Date.now() + timeoutMs;
  const startedMs = Date.now();
  const health = ctx.health !== undefined && ctx.health.ids[target] !== undefined ? ctx.health : null;
  const observed: Route53Observed = { target, reads: 0, unhealthyFromMs: null, healthyAgainFromMs: null, problem: null };
  const quiet = { ...ctx, output: 'table' as const, io: { out: () => {}, err: (t: string) => (t.startsWith('answered by') ? undefined : ctx.io.err(t)) } };
  for (let poll = 0; poll < drillWaitPollsMax; poll += 1) {
    let drill: DrillRecord | null = null;
    const code = await runApi(quiet, { method: 'GET', path: `/drills/${encodeURIComponent(drillId)}` }, (body) => (drill = (body as { drill: DrillRecord }).drill));
    if (code !== exitCodes.ok) return code;
    const current = drill as DrillRecord | null;
    if (health !== null) await observeCheck(health, observed, startedMs);
    if (current !== null && current.status !== 'running') {
      if (ctx.output === 'json') ctx.io.out(JSON.stringify(health === null ? { drill: current } : { drill: current, route53Observed: observed }, null, 2));
      else ctx.io.out(health === null ? renderDrillReport(current) : `${renderDrillReport(current)}\n${describeObserved(observed, pollMs)}`);
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
  return waitForReport(ctx, (started as DrillRecord).id, target, timeoutMs, pollMs);
}
