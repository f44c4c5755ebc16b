export * from './bus.port';
export * from './clock.port';
export * from './dns.port';
export * from './errors';
export * from './prober.port';
export * from './store.port';
export * from './telemetry.port';
