/**
 * The operator API (HTTP API, payload v2, IAM authorization on every route): translates the event
 * to an ApiRequest, calls handleApiRequest, serialises the answer. Logic lives in
 * shared/runtime/operator. Any other event (a REST API payload 1.0, a direct invocation with
 * another service's event, a non-string body) is refused with a 400 naming what is wrong.
 */
import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createDynamoDbClient } from '../shared/adapters/aws/dynamodb-store';
import { createEventBridgeClient } from '../shared/adapters/aws/eventbridge-bus';
import { arbiterIdempotencyPersistence, PowertoolsIdempotency } from '../shared/adapters/idempotency/powertools-idempotency';
import { eventSource } from '../shared/domain';
import { PublishError } from '../shared/ports';
import { handleApiRequest } from '../shared/runtime/operator/api-router';
import { drillStartDetailType } from '../shared/runtime/operator/drill-runtime';
import type { ApiRequest, ApiResponse, OperatorDeps } from '../shared/runtime/operator/api-types';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { parseHttpRequest, type HttpRequestEvent, type Parsed } from './lib/events';
import { withPowertools } from './lib/powertools';

/** Publishes the event that starts an API-requested drill in this region's drill function. */
export function drillLauncher(client: EventBridgeClient, busName: string, observer: string): (drillId: string) => Promise<void> {
  return async (drillId) => {
    const out = await client.send(new PutEventsCommand({ Entries: [{ Source: eventSource, DetailType: drillStartDetailType, Detail: JSON.stringify({ drillId, observer }), EventBusName: busName }] }));
    if ((out.FailedEntryCount ?? 0) > 0) throw new PublishError(`drill ${drillId} stored but not started: ${out.Entries?.[0]?.ErrorMessage ?? 'PutEvents failed'}`, [{ type: 'drill-start', reason: out.Entries?.[0]?.ErrorCode ?? 'unknown' }]);
  };
}

/** The router's request from a parsed HTTP event (a named stage's prefix is removed from the path). */
function fromHttpRequest(event: HttpRequestEvent): ApiRequest {
  const { stage, rawPath } = event;
  const path = stage && stage !== '$default' && rawPath.startsWith(`/${stage}/`) ? rawPath.slice(stage.length + 1) : rawPath;
  return { method: event.method, path, headers: event.headers, query: event.query, body: event.body, principal: event.principal, requestId: event.requestId };
}

/**
 * Translates an HTTP API v2 (or function URL) event; anything else is the reason it is not one.
 * @example toApiRequest({ httpMethod: 'GET', path: '/status' }) // → { ok: false, reason: 'an API Gateway REST API (payload format 1.0) event: …' }
 */
export function toApiRequest(event: unknown): Parsed<ApiRequest> {
  const parsed = parseHttpRequest(event);
  return parsed.ok ? { ok: true, value: fromHttpRequest(parsed.value) } : parsed;
}

/** The API's deps over an observer container: ids, Powertools idempotency on the table, the drill launcher. */
export function operatorDeps(container: ObserverContainer): OperatorDeps & { idempotency: PowertoolsIdempotency } {
  const sdk = { region: container.env.region, ...(container.env.endpointUrl === undefined ? {} : { endpoint: container.env.endpointUrl }) };
  const idempotency = new PowertoolsIdempotency(arbiterIdempotencyPersistence(container.env.table, createDynamoDbClient(sdk)));
  const launchDrill = drillLauncher(createEventBridgeClient(sdk), container.env.bus, container.env.region);
  return { ...container.deps, newId: (prefix) => `${prefix}-${randomUUID()}`, idempotency, launchDrill };
}

const serialise = (response: ApiResponse): APIGatewayProxyStructuredResultV2 => ({ statusCode: response.statusCode, headers: { 'content-type': 'application/json', ...response.headers }, body: JSON.stringify(response.body) });

/** Builds the API handler around a deps provider (tests pass memory deps). */
export function createApiHandler(getDeps: () => OperatorDeps) {
  return withPowertools(async (event: unknown, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const deps = getDeps();
    const request = toApiRequest(event);
    if (!request.ok) {
      deps.telemetry.warn('api: refused an event that is not an HTTP API request', { reason: request.reason });
      return serialise({ statusCode: 400, body: { error: 'unsupported event', problems: [{ path: '(event)', message: request.reason }] } });
    }
    if (deps.idempotency instanceof PowertoolsIdempotency) deps.idempotency.registerLambdaContext(context);
    return serialise(await handleApiRequest(deps, request.value));
  });
}

let deps: ReturnType<typeof operatorDeps> | undefined;

export const handler = createApiHandler(() => (deps ??= operatorDeps(lambdaContainer())));
