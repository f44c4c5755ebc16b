/**
 * Import first in a unit test that runs Lambda handlers: Powertools stays quiet (the handlers'
 * own telemetry is what tests assert on) and tracing is off, as in the integration project's setup.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';

export {};
