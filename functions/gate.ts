/**
 * gate: the Lambda function URL Route 53 health checkers probe in data-plane `gate` mode.
 * GET /drain/<target> → 200 "drain" while this observer's decision drains the target, else 404.
 * Thin: parse the path, ask the DataPlaneGate (shared/adapters/aws/dataplane-gate.ts), answer.
 * An event that is not a function-URL request (a direct invocation, a REST API event) gets a 400.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DataPlaneGate } from '../shared/adapters/aws/dataplane-gate';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { parseHttpRequest } from './lib/events';

/** Builds the gate handler around a container provider (tests pass one per region). */
export function createGateHandler(getContainer: () => ObserverContainer) {
  let gate: DataPlaneGate | undefined;
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const { deps } = getContainer();
    gate ??= new DataPlaneGate({ config: deps.config, store: deps.store, clock: deps.clock, telemetry: deps.telemetry });
    const request = parseHttpRequest(event);
    if (!request.ok) {
      deps.telemetry.warn('gate: refused an event that is not a function URL request', { reason: request.reason });
      return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `unsupported event: ${request.reason}` };
    }
    const { method } = request.value;
    if (method !== 'GET' && method !== 'HEAD') return { statusCode: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed' };
    const answer = await gate.answer(request.value.rawPath);
    return {
      statusCode: answer.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-arbiter-observer': deps.observer, 'x-arbiter-source': answer.source },
      body: method === 'HEAD' ? '' : answer.body,
    };
  };
}

// No middy stack: health checkers call this every few seconds and it must stay cheap and fast.
export const handler = createGateHandler(lambdaContainer);
