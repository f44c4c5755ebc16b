/**
 * Input validation shared by the handlers: the EventBridge envelope, the Arbiter event inside it
 * (its detail-type must match its type), and HTTP requests (HTTP API payload 2.0, function URLs).
 * A malformed or foreign event is a reason string, never an exception.
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

/** The first three zod issues as one line (`detail.state.value: Invalid option; …`). */
export const issuesText = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) => issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');

/** A scheduled-rule event (the reconcile tick and the probe schedule). */
export function isScheduledEvent(event: unknown): boolean {
  const parsed = envelopeSchema.safeParse(event);
  return parsed.success && parsed.data.source === 'aws.events' && parsed.data['detail-type'] === 'Scheduled Event';
}

/** Parses an 'arbiter' EventBridge event; `allowed` restricts which Arbiter event types are accepted. */
export function parseArbiterEnvelope(event: unknown, allowed?: ReadonlyArray<ArbiterEvent['type']>): Parsed<ArbiterEvent> {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) return { ok: false, reason: `not an EventBridge event: ${issuesText(envelope.error.issues)}` };
  if (envelope.data.source !== eventSource) return { ok: false, reason: `source ${JSON.stringify(envelope.data.source)} is not ${eventSource}` };
  const parsed = parseArbiterEvent(envelope.data.detail);
  if (!parsed.ok) return { ok: false, reason: `malformed Arbiter event: ${parsed.reason}` };
  if (envelope.data['detail-type'] !== detailTypes[parsed.event.type]) return { ok: false, reason: `detail-type ${JSON.stringify(envelope.data['detail-type'])} does not match event type ${parsed.event.type}` };
  if (allowed !== undefined && !allowed.includes(parsed.event.type)) return { ok: false, reason: `event type ${parsed.event.type} is not handled here` };
  return { ok: true, value: parsed.event };
}

/** The parts of an HTTP request event (HTTP API payload 2.0, or a Lambda function URL) the handlers read. */
export interface HttpRequestEvent {
  method: string;
  rawPath: string;
  /** Stage of an HTTP API (`$default`, a named stage) or undefined for a function URL. */
  stage: string | undefined;
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Decoded body text (base64 bodies decoded), null without a body. */
  body: string | null;
  /** The SigV4 caller (IAM authorizer or an AWS_IAM function URL); null without IAM authorization. */
  principal: string | null;
  requestId: string;
}

const httpRequestSchema = z.object({
  version: z.literal('2.0'),
  rawPath: z.string().min(1).max(8_192),
  headers: z.record(z.string(), z.string()).optional(),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({
    stage: z.string().optional(),
    requestId: z.string().min(1).max(256),
    http: z.object({ method: z.string().min(1).max(16) }),
    // JWT and Lambda authorizers carry no IAM identity: only `iam.userArn` names a principal here.
    authorizer: z.object({ iam: z.object({ userArn: z.string().min(1).max(2_048) }).nullish() }).nullish(),
  }),
});

/**
 * Reads an HTTP API (payload 2.0) or function-URL event. A REST API (payload 1.0) event, an event
 * of another service, or a malformed request is a reason string, never an exception.
 * @example parseHttpRequest({ httpMethod: 'GET', path: '/status', requestContext: {} }) // → { ok: false, reason: 'an API Gateway REST API (payload format 1.0) event: …' }
 */
export function parseHttpRequest(event: unknown): Parsed<HttpRequestEvent> {
  const candidate = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  if (typeof candidate.httpMethod === 'string' && candidate.version !== '2.0') {
    return { ok: false, reason: 'an API Gateway REST API (payload format 1.0) event: Arbiter answers only HTTP API payload format 2.0 (and function URLs)' };
  }
  const parsed = httpRequestSchema.safeParse(event);
  if (!parsed.success) return { ok: false, reason: `not an HTTP API (payload 2.0) or function URL request: ${issuesText(parsed.error.issues)}` };
  const e = parsed.data;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = e.body === undefined || e.body === null ? null : e.isBase64Encoded === true ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
  return {
    ok: true,
    value: {
      method: e.requestContext.http.method.toUpperCase(), rawPath: e.rawPath, stage: e.requestContext.stage, headers, query: { ...(e.queryStringParameters ?? {}) }, body,
      principal: e.requestContext.authorizer?.iam?.userArn ?? null, requestId: e.requestContext.requestId,
    },
  };
}
