/**
 * Layering, checked in CI (`npm run lint`): dependencies point inwards.
 *   shared/domain  -> only itself
 *   shared/ports   -> domain
 *   shared/runtime -> domain, ports
 *   shared/adapters, functions, cli, sim -> anything inward
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'shared/domain imports nothing outside itself: no AWS SDK, middy, Powertools, node built-ins.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { pathNot: ['^shared/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'ports-import-only-domain',
      severity: 'error',
      from: { path: '^shared/ports/' },
      to: { pathNot: '^shared/(domain|ports)/' },
    },
    {
      name: 'runtime-imports-only-domain-and-ports',
      severity: 'error',
      from: { path: '^shared/runtime/' },
      to: { pathNot: '^shared/(domain|ports|runtime)/' },
    },
    {
      name: 'core-does-not-reach-outwards',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|cli|sim|bench|test)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    includeOnly: '^(shared|functions|cli|sim|bench|node_modules)/',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '^(test|\\.serverless|\\.esbuild|\\.venv|\\.tools|dist)/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
