export * from './alarm-runtime';
export * from './decide-runtime';
export * from './deps';
export * from './probe-loop';
export * from './probe-runtime';
export * from './view';
