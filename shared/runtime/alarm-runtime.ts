/**
 * CloudWatch alarm state changes become signals every observer sees. An unknown alarm is
 * reported as ignored (a value, not an error): the alarm rule may be wider than the config.
 */
import type { AlarmSignal, AlarmState, ArbiterEvent } from '../domain';
import { AlreadyExistsError } from '../ports';
import type { ObserverDeps } from './deps';

export interface AlarmChange {
  alarmName: string;
  state: AlarmState;
  changedMs: number;
}

export type AlarmOutcome = { recorded: true; signal: AlarmSignal; duplicate: boolean } | { recorded: false; reason: string };

export async function recordAlarmChange(deps: ObserverDeps, change: AlarmChange): Promise<AlarmOutcome> {
  const alarm = deps.config.alarms.find((a) => a.name === change.alarmName);
  if (alarm === undefined) return { recorded: false, reason: `alarm ${change.alarmName} is not in the config` };
  const signal: AlarmSignal = { id: `${change.alarmName}#${change.changedMs}#${change.state}`, alarmName: change.alarmName, target: alarm.target, state: change.state, changedMs: change.changedMs };
  let duplicate = false;
  try {
    await deps.store.appendSignal(signal);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    duplicate = true;
  }
  const events: ArbiterEvent[] = [{ type: 'signal', observer: deps.observer, signal }];
  if (alarm.effect === 'confirm' && change.state === 'ALARM') {
    events.push({ type: 'probe-now', observer: deps.observer, target: alarm.target, reason: `alarm ${alarm.name} in ALARM`, requestedMs: change.changedMs, alarmName: alarm.name });
  }
  if (!duplicate) await deps.bus.publish(events);
  return { recorded: true, signal, duplicate };
}
