/**
 * gate: the Lambda function URL Route 53 health checkers probe in data-plane `gate` mode.
 * GET /drain/<target> → 200 "drain" while this observer's settled vote drains the target; every
 * other request (another target, path or method) → 404 "no-drain". Nothing else is disclosed.
 * Thin: parse the path, ask the DataPlaneGate (shared/adapters/aws/dataplane-gate.ts), answer.
 * An event that is not a function-URL request (a direct invocation, a REST API event) gets a 400.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DataPlaneGate } from '../shared/adapters/aws/dataplane-gate';
import { gateAnswer } from '../shared/domain';
import { lambdaContainer, type ObserverContainer } from './lib/container';
import { parseHttpRequest } from './lib/events';

/** Builds the gate handler around a container provider (tests pass one per region). */
export function createGateHandler(getContainer: () => ObserverContainer) {
  let gate: DataPlaneGate | undefined;
  return async (event: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const { deps } = getContainer();
    gate ??= new DataPlaneGate({ config: deps.config, observer: deps.observer, store: deps.store, clock: deps.clock, telemetry: deps.telemetry });
    const request = parseHttpRequest(event);
    if (!request.ok) {
      deps.telemetry.warn('gate: refused an event that is not a function URL request', { reason: request.reason });
      return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `unsupported event: ${request.reason}` };
    }
    const { method } = request.value;
    // Only GET and HEAD can vote; any other method gets the same "no-drain" as any other path.
    const answer = method === 'GET' || method === 'HEAD' ? await gate.answer(request.value.rawPath) : { ...gateAnswer(null, request.value.rawPath), source: 'none' as const };
    // Nothing but the vote leaves: no observer name, no answer source, no reason (replica failures are logged by the gate).
    return { statusCode: answer.status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: method === 'HEAD' ? '' : answer.body };
  };
}

// No middy stack: health checkers call this every few seconds and it must stay cheap and fast.
export const handler = createGateHandler(lambdaContainer);
