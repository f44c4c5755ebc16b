/**
 * probe: the scheduled probe loop (every minute) and the answer to peers' 'Arbiter Probe Now'.
 * Wiring only: the loop is runProbeLoop, the answer ProbeRuntime.answerProbeNow.
 */
import type { Context } from 'aws-lambda';
import { runProbeLoop } from '../shared/runtime';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { isScheduledEvent, parseArbiterEnvelope } from './lib/events';
import { withPowertools } from './lib/powertools';

/** Kept back from the Lambda deadline for the final snapshot flush and heartbeat. */
export const flushReserveMs = 3_000;

export type ProbeHandlerResult = { status: 'ignored'; reason: string } | { status: 'done'; rounds: number; stoppedBy: string } | { status: 'answered'; changed: string[] } | { status: 'skipped' };

/** Builds both probe handlers around a container provider (tests pass one per region). */
export function createProbeHandlers(getContainer: () => ObserverContainer) {
  const scheduled = async (event: unknown, context: Context): Promise<ProbeHandlerResult> => {
    const { probe, deps } = getContainer();
    if (!isScheduledEvent(event)) {
      deps.telemetry.warn('probe: ignored an event that is not the schedule', { reason: 'expected source aws.events, detail-type Scheduled Event' });
      return { status: 'ignored', reason: 'not a scheduled event' };
    }
    const outcome = await runProbeLoop(probe, deps, { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: flushReserveMs });
    return { status: 'done', rounds: outcome.rounds, stoppedBy: outcome.stoppedBy };
  };

  const probeNow = async (event: unknown): Promise<ProbeHandlerResult> => {
    const { probe, deps } = getContainer();
    const parsed = parseArbiterEnvelope(event, ['probe-now']);
    if (!parsed.ok) {
      deps.telemetry.warn('probe-now: ignored a malformed event', { reason: parsed.reason });
      return { status: 'ignored', reason: parsed.reason };
    }
    if (parsed.value.type !== 'probe-now') return { status: 'ignored', reason: 'not probe-now' };
    const { observer, target, alarmName } = parsed.value;
    const outcome = await probe.answerProbeNow({ observer, target, ...(alarmName === undefined ? {} : { alarmName }) });
    if (outcome === null) return { status: 'skipped' };
    await probe.flush();
    return { status: 'answered', changed: outcome.changed };
  };

  return { handler: withPowertools(scheduled), probeNowHandler: withPowertools(probeNow) };
}

export const { handler, probeNowHandler } = createProbeHandlers(lambdaContainer);
