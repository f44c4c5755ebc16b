/**
 * Jest projects: `unit` (pure and in-memory, fast), `sim` (seeded simulator runs),
 * `integration` (moto server on loopback), `infra` (osls packaging + cfn-lint),
 * `browser` (Chromium headless against `npm start`'s server).
 * @swc/jest transforms TypeScript; `npm run typecheck` type-checks separately.
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^@middy/(.*)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testEnvironment: 'node',
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/shared/**/*.test.ts', '<rootDir>/cli/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'sim', testMatch: ['<rootDir>/sim/**/*.test.ts', '<rootDir>/test/sim/**/*.test.ts'] },
    // moto answers on loopback, but on 2 cores shared with the sim workers one Route 53 round trip has
    // taken over 5 s (jest's default): a test's budget here is what a loaded machine needs, not what
    // an idle one does. Suites that start stacks set their own, longer, timeouts.
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], setupFiles: ['<rootDir>/test/support/integration-env.ts'], testTimeout: 30_000 },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
