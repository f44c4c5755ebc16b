/**
 * Powertools for every handler: one Logger, Metrics and Tracer per container, and the middy
 * stack that attaches them (Lambda context and correlation id in logs, EMF metrics flushed at the
 * end of each invocation, a trace segment per invocation).
 *
 * Tracing is off by default (lambdaTracingEnabled; the stack sets POWERTOOLS_TRACE_ENABLED=false):
 * then the Tracer and the X-Ray SDK under it are never loaded, which saves a fifth of a cold
 * start's module initialisation, and SDK clients are used as they are.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

export const serviceName = 'arbiter';
export const metricsNamespace = 'Arbiter';

export const logger = new Logger({ serviceName });
// Metrics' own warnings (e.g. an invocation with no metrics) go through the structured logger.
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName, logger });

/** What the handlers use of the Tracer. */
export interface ClientTracer {
  captureAWSv3Client<T>(client: T): T;
}

/** True unless POWERTOOLS_TRACE_ENABLED is "false" (Powertools' own default). */
export const tracingEnabled = (process.env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
const realTracer: Tracer | null = tracingEnabled ? new (require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer')).Tracer({ serviceName }) : null;
const captureLambdaHandler = (t: Tracer) => (require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware')).captureLambdaHandler(t);
/* eslint-enable @typescript-eslint/no-require-imports */

export const tracer: ClientTracer = realTracer ?? { captureAWSv3Client: (client) => client };

/**
 * Wraps a handler body in the Powertools middy stack.
 * @example export const handler = withPowertools(async (event, context) => ({ ok: true }));
 */
export function withPowertools<E, R>(body: (event: E, context: Context) => Promise<R>) {
  const handler = middy(body);
  if (realTracer !== null) handler.use(captureLambdaHandler(realTracer));
  return handler.use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'id' })).use(logMetrics(metrics));
}
