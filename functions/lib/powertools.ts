/**
 * Powertools for every handler: one Logger, Metrics and Tracer per container, and the middy
 * stack that attaches them (Lambda context and correlation id in logs, EMF metrics flushed at the
 * end of each invocation, a trace segment per invocation).
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';

export const serviceName = 'arbiter';
export const metricsNamespace = 'Arbiter';

export const logger = new Logger({ serviceName });
// Metrics' own warnings (e.g. an invocation with no metrics) go through the structured logger.
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName, logger });
export const tracer = new Tracer({ serviceName });

/**
 * Wraps a handler body in the Powertools middy stack.
 * @example export const handler = withPowertools(async (event, context) => ({ ok: true }));
 */
export function withPowertools<E, R>(body: (event: E, context: Context) => Promise<R>) {
  return middy(body)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true, correlationIdPath: 'id' }))
    .use(logMetrics(metrics));
}
