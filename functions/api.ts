/**
 * The operator API (HTTP API, payload v2, IAM authorization on every route): translates the event
 * to an ApiRequest, calls handleApiRequest, serialises the answer. Logic lives in
 * shared/runtime/operator.
 */
import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createDynamoDbClient } from '../shared/adapters/aws/dynamodb-store';
import { createEventBridgeClient } from '../shared/adapters/aws/eventbridge-bus';
import { arbiterIdempotencyPersistence, PowertoolsIdempotency } from '../shared/adapters/idempotency/powertools-idempotency';
import { eventSource } from '../shared/domain';
import { PublishError } from '../shared/ports';
import { handleApiRequest } from '../shared/runtime/operator/api-router';
import { drillStartDetailType } from '../shared/runtime/operator/drill-runtime';
import type { ApiRequest, OperatorDeps } from '../shared/runtime/operator/api-types';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { withPowertools } from './lib/powertools';

/** Publishes the event that starts an API-requested drill in this region's drill function. */
export function drillLauncher(client: EventBridgeClient, busName: string, observer: string): (drillId: string) => Promise<void> {
  return async (drillId) => {
    const out = await client.send(new PutEventsCommand({ Entries: [{ Source: eventSource, DetailType: drillStartDetailType, Detail: JSON.stringify({ drillId, observer }), EventBusName: busName }] }));
    if ((out.FailedEntryCount ?? 0) > 0) throw new PublishError(`drill ${drillId} stored but not started: ${out.Entries?.[0]?.ErrorMessage ?? 'PutEvents failed'}`, [{ type: 'drill-start', reason: out.Entries?.[0]?.ErrorCode ?? 'unknown' }]);
  };
}

/** Translates an HTTP API v2 event (a named stage's prefix is removed from the path). */
export function toApiRequest(event: APIGatewayProxyEventV2WithIAMAuthorizer): ApiRequest {
  const stage = event.requestContext.stage;
  const rawPath = event.rawPath || '/';
  const path = stage && stage !== '$default' && rawPath.startsWith(`/${stage}/`) ? rawPath.slice(stage.length + 1) : rawPath;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body === undefined ? null : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.requestContext.http.method, path, headers, query: { ...(event.queryStringParameters ?? {}) }, body,
    principal: event.requestContext.authorizer?.iam?.userArn ?? null, requestId: event.requestContext.requestId,
  };
}

/** The API's deps over an observer container: ids, Powertools idempotency on the table, the drill launcher. */
export function operatorDeps(container: ObserverContainer): OperatorDeps & { idempotency: PowertoolsIdempotency } {
  const sdk = { region: container.env.region, ...(container.env.endpointUrl === undefined ? {} : { endpoint: container.env.endpointUrl }) };
  const idempotency = new PowertoolsIdempotency(arbiterIdempotencyPersistence(container.env.table, createDynamoDbClient(sdk)));
  const launchDrill = drillLauncher(createEventBridgeClient(sdk), container.env.bus, container.env.region);
  return { ...container.deps, newId: (prefix) => `${prefix}-${randomUUID()}`, idempotency, launchDrill };
}

let deps: ReturnType<typeof operatorDeps> | undefined;

async function serve(event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  deps ??= operatorDeps(lambdaContainer());
  deps.idempotency.registerLambdaContext(context);
  const response = await handleApiRequest(deps, toApiRequest(event));
  return { statusCode: response.statusCode, headers: { 'content-type': 'application/json', ...response.headers }, body: JSON.stringify(response.body) };
}

export const handler = withPowertools(serve);
