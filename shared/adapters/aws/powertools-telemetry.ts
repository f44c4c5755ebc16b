/**
 * The `Telemetry` port over Powertools: structured JSON logs (Logger) and CloudWatch metrics in
 * embedded metric format (Metrics, flushed by the handler's logMetrics middleware).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from '../../ports';

/** Metric names are CloudWatch names; keep them few (each is a custom metric). */
export const metricNameLengthMax = 255;

/**
 * @example
 *   const telemetry = new PowertoolsTelemetry(logger, metrics);
 *   telemetry.metric('DecisionsApplied', 1, 'Count');
 */
export class PowertoolsTelemetry implements Telemetry {
  constructor(private readonly logger: Logger, private readonly metrics: Metrics) {}

  info(message: string, context?: Record<string, unknown>): void {
    this.logger.info(message, context ?? {});
  }

  warn(message: string, context?: Record<string, unknown>): void {
    this.logger.warn(message, context ?? {});
  }

  error(message: string, context?: Record<string, unknown>): void {
    this.logger.error(message, context ?? {});
  }

  metric(name: string, value: number, unit: 'Count' | 'Milliseconds' = 'Count'): void {
    if (name.length === 0 || name.length > metricNameLengthMax || !Number.isFinite(value)) {
      this.logger.warn('metric dropped: invalid name or value', { name: name.slice(0, 64), value });
      return;
    }
    this.metrics.addMetric(name, unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count, value);
  }
}
