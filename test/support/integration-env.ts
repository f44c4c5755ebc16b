/**
 * Environment for the integration project (jest setupFiles): Powertools stays quiet (tests inject
 * a recording telemetry and assert on it), tracing is off outside Lambda, and SDK clients that are
 * not given credentials get moto's fake ones. Nothing here reaches AWS: every client gets a moto URL.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
