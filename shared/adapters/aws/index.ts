export * from './dynamodb-store';
export * from './eventbridge-bus';
export * from './powertools-telemetry';
export * from './route53-dns';
export * from './sdk-options';
export * from './system-clock';
export * from './dataplane-gate';
