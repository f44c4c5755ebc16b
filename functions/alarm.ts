/**
 * alarm: CloudWatch 'Alarm State Change' events → signals every observer sees (recordAlarmChange).
 * An unknown alarm or a malformed event is one log line and no write; it never throws.
 */
import { z } from 'zod';
import { recordAlarmChange } from '../shared/runtime';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { issuesText } from './lib/events';
import { withPowertools } from './lib/powertools';

export const alarmStateChangeSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  detail: z.object({
    alarmName: z.string().min(1).max(255),
    state: z.object({
      value: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
      timestamp: z.string().refine((t) => Number.isFinite(Date.parse(t)), 'must be a timestamp'),
    }),
  }),
});

export type AlarmHandlerResult = { status: 'ignored'; reason: string } | { status: 'recorded'; signalId: string; duplicate: boolean };

/** Builds the alarm handler around a container provider (tests pass one per region). */
export function createAlarmHandler(getContainer: () => ObserverContainer) {
  const alarmBody = async (event: unknown): Promise<AlarmHandlerResult> => {
    const { deps } = getContainer();
    const parsed = alarmStateChangeSchema.safeParse(event);
    if (!parsed.success) {
      const reason = issuesText(parsed.error.issues);
      deps.telemetry.warn('alarm: ignored a malformed event', { reason });
      return { status: 'ignored', reason };
    }
    const { alarmName, state } = parsed.data.detail;
    const outcome = await recordAlarmChange(deps, { alarmName, state: state.value, changedMs: Date.parse(state.timestamp) });
    if (!outcome.recorded) {
      deps.telemetry.info('alarm: ignored an alarm that is not configured', { alarmName, reason: outcome.reason });
      return { status: 'ignored', reason: outcome.reason };
    }
    return { status: 'recorded', signalId: outcome.signal.id, duplicate: outcome.duplicate };
  };
  return withPowertools(alarmBody);
}

export const handler = createAlarmHandler(lambdaContainer);
