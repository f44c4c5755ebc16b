/** Data-plane mode: votes, health check definitions and the gate's answer (see docs/dataplane.md). */
export * from './gate';
export * from './health-checks';
export * from './votes';
export * from './dataplane-cost';
export * from './vote-settle';
export * from './route53-status';
