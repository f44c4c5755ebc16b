/**
 * decide: Arbiter events (verdicts, proposals, applied decisions, overrides, signals) and the
 * scheduled reconcile → DecideRuntime.run. Wiring only; concurrent runs are harmless by design.
 */
import { admitEvent, type ArbiterEvent } from '../shared/domain';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { isScheduledEvent, parseArbiterEnvelope } from './lib/events';
import { withPowertools } from './lib/powertools';

/** The Arbiter events this function's rules deliver. */
export const decideEventTypes: ReadonlyArray<ArbiterEvent['type']> = ['verdicts', 'proposal', 'applied', 'override', 'override-end', 'signal'];

export type DecideHandlerResult =
  | { status: 'ignored'; reason: string }
  | { status: 'decided'; decisionId: string; proposalWritten: boolean; changeIds: string[]; error: string | null };

/** Builds the decide handler around a container provider (tests pass one per region). */
export function createDecideHandler(getContainer: () => ObserverContainer) {
  const decideBody = async (event: unknown): Promise<DecideHandlerResult> => {
    const { decide, deps } = getContainer();
    let trigger: ArbiterEvent | undefined;
    if (!isScheduledEvent(event)) {
      const parsed = parseArbiterEnvelope(event, decideEventTypes);
      if (!parsed.ok) {
        deps.telemetry.warn('decide: ignored a malformed event', { reason: parsed.reason });
        deps.telemetry.metric('EventsIgnored', 1, 'Count');
        return { status: 'ignored', reason: parsed.reason };
      }
      const refused = admitEvent(deps.config, parsed.value);
      if (refused !== null) {
        deps.telemetry.warn('decide: ignored an event', { reason: refused });
        deps.telemetry.metric('EventsIgnored', 1, 'Count');
        return { status: 'ignored', reason: refused };
      }
      trigger = parsed.value;
    }
    const outcome = await decide.run(trigger);
    await deps.store.putHeartbeat({ observer: deps.observer, kind: 'decide', writtenMs: deps.clock.nowMs(), detail: outcome.error ?? outcome.decision.id });
    return { status: 'decided', decisionId: outcome.decision.id, proposalWritten: outcome.proposalWritten, changeIds: outcome.changeIds, error: outcome.error };
  };
  return withPowertools(decideBody);
}

export const handler = createDecideHandler(lambdaContainer);
