export * from './manual-clock';
export * from './memory-bus';
export * from './memory-dns';
export * from './memory-store';
export * from './scripted-prober';
