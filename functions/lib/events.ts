/**
 * Input validation shared by the handlers: the EventBridge envelope, and the Arbiter event inside
 * it (its detail-type must match its type). A malformed event is a reason string, never an exception.
 */
import { z } from 'zod';
import { detailTypes, eventSource, parseArbiterEvent, type ArbiterEvent } from '../../shared/domain';

export const envelopeSchema = z.object({
  id: z.string().optional(),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: z.string().optional(),
  detail: z.unknown(),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A scheduled-rule event (the reconcile tick and the probe schedule). */
export function isScheduledEvent(event: unknown): boolean {
  const parsed = envelopeSchema.safeParse(event);
  return parsed.success && parsed.data.source === 'aws.events' && parsed.data['detail-type'] === 'Scheduled Event';
}

/** Parses an 'arbiter' EventBridge event; `allowed` restricts which Arbiter event types are accepted. */
export function parseArbiterEnvelope(event: unknown, allowed?: ReadonlyArray<ArbiterEvent['type']>): Parsed<ArbiterEvent> {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) return { ok: false, reason: `not an EventBridge event: ${envelope.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  if (envelope.data.source !== eventSource) return { ok: false, reason: `source ${JSON.stringify(envelope.data.source)} is not ${eventSource}` };
  const parsed = parseArbiterEvent(envelope.data.detail);
  if (!parsed.ok) return { ok: false, reason: `malformed Arbiter event: ${parsed.reason}` };
  if (envelope.data['detail-type'] !== detailTypes[parsed.event.type]) return { ok: false, reason: `detail-type ${JSON.stringify(envelope.data['detail-type'])} does not match event type ${parsed.event.type}` };
  if (allowed !== undefined && !allowed.includes(parsed.event.type)) return { ok: false, reason: `event type ${parsed.event.type} is not handled here` };
  return { ok: true, value: parsed.event };
}
