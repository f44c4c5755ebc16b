/** The pure core of Arbiter. Imports only itself (and zod for the config schema). */
export * from './assert';
export * from './config';
export * from './dataplane';
export * from './decision/decision';
export * from './hash';
export * from './overrides/overrides';
export * from './policy/proposal';
export * from './policy/memory';
export * from './policy/safety';
export * from './probe/evaluate';
export * from './quorum/tally';
export * from './route-plan/route-plan';
export * from './route-plan/register';
export * from './schedule/schedule-expression';
export * from './types';
export * from './verdict/verdict-machine';
export * from './events';
