/**
 * gate: the Lambda function URL Route 53 health checkers probe in data-plane `gate` mode.
 * GET /drain/<target> → 200 "drain" while this observer's decision drains the target, else 404.
 * Thin: parse the path, ask the DataPlaneGate (shared/adapters/aws/dataplane-gate.ts), answer.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DataPlaneGate } from '../shared/adapters/aws/dataplane-gate';
import { lambdaContainer, type ObserverContainer } from './lib/container';

/** Builds the gate handler around a container provider (tests pass one per region). */
export function createGateHandler(getContainer: () => ObserverContainer) {
  let gate: DataPlaneGate | undefined;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { deps } = getContainer();
    gate ??= new DataPlaneGate({ config: deps.config, store: deps.store, clock: deps.clock, telemetry: deps.telemetry });
    const method = event.requestContext?.http?.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return { statusCode: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed' };
    const answer = await gate.answer(event.rawPath ?? '/');
    return {
      statusCode: answer.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-arbiter-observer': deps.observer, 'x-arbiter-source': answer.source },
      body: method === 'HEAD' ? '' : answer.body,
    };
  };
}

// No middy stack: health checkers call this every few seconds and it must stay cheap and fast.
export const handler = createGateHandler(lambdaContainer);
