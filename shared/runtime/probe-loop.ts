/**
 * The probe Lambda's loop: rounds every `probe.intervalMs` inside one scheduled invocation.
 *
 *   invocation (scheduled every minute)
 *   ├─ round ─┤ sleep ├─ round ─┤ sleep ├─ round ─┤ … ├ flush + heartbeat ┤ deadline
 *   a round starts only if its worst case (every probe timing out, every confirmation run)
 *   plus `reserveMs` still fits before the deadline.
 */
import type { ObserverDeps } from './deps';
import type { ProbeRuntime } from './probe-runtime';

/** The probe function's schedule: one invocation a minute. */
export const probeScheduleMs = 60_000;
/** Consecutive failed rounds before the invocation gives up and reports the error. */
export const roundFailuresMax = 3;

export interface ProbeLoopOptions {
  /** Milliseconds left in the invocation (Lambda: context.getRemainingTimeInMillis). */
  remainingMs: () => number;
  /** Time kept back for the final flush and heartbeat. */
  reserveMs: number;
  /** Default: one schedule period's worth of rounds. */
  roundsMax?: number;
}

export interface ProbeLoopOutcome {
  rounds: number;
  failedRounds: number;
  stoppedBy: 'deadline' | 'rounds';
}

/**
 * The longest one round can take: every endpoint times out, then every confirmation runs. They are
 * pipelined (one sent every `confirmSpacingMs`), so the last answers one timeout after it was sent.
 */
export function roundBudgetMs(deps: Pick<ObserverDeps, 'config'>): number {
  const { confirmCount, confirmSpacingMs } = deps.config.probe;
  const timeoutMs = Math.max(...deps.config.targets.flatMap((t) => t.endpoints.map((e) => e.timeoutMs)));
  return timeoutMs + (confirmCount > 0 ? confirmSpacingMs * confirmCount + timeoutMs : 0);
}

/**
 * Runs rounds until the deadline or `roundsMax`, then flushes the snapshot and writes a heartbeat.
 * @example await runProbeLoop(runtime, deps, { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: 3000 });
 */
export async function runProbeLoop(runtime: ProbeRuntime, deps: ObserverDeps, options: ProbeLoopOptions): Promise<ProbeLoopOutcome> {
  const { clock, config, telemetry } = deps;
  const roundsMax = options.roundsMax ?? Math.ceil(probeScheduleMs / config.probe.intervalMs);
  const needMs = roundBudgetMs(deps) + options.reserveMs;
  let rounds = 0;
  let failedRounds = 0;
  let failuresInRow = 0;
  let stoppedBy: ProbeLoopOutcome['stoppedBy'] = 'rounds';
  while (rounds < roundsMax) {
    if (options.remainingMs() < needMs) {
      stoppedBy = 'deadline';
      break;
    }
    const startedMs = clock.nowMs();
    try {
      await runtime.round();
      failuresInRow = 0;
    } catch (error) {
      failedRounds += 1;
      failuresInRow += 1;
      telemetry.error('probe round failed', { message: (error as Error).message, failuresInRow });
      telemetry.metric('ProbeRoundFailures', 1, 'Count');
      if (failuresInRow >= roundFailuresMax) throw error;
    }
    rounds += 1;
    if (rounds >= roundsMax) break;
    const waitMs = Math.max(0, config.probe.intervalMs - (clock.nowMs() - startedMs));
    if (options.remainingMs() - waitMs < needMs) {
      stoppedBy = 'deadline';
      break;
    }
    await clock.sleepMs(waitMs);
  }
  await runtime.flush();
  await deps.store.putHeartbeat({ observer: deps.observer, kind: 'probe', writtenMs: clock.nowMs(), detail: `${rounds} rounds, ${failedRounds} failed, stopped by ${stoppedBy}` });
  telemetry.metric('ProbeRounds', rounds, 'Count');
  return { rounds, failedRounds, stoppedBy };
}
