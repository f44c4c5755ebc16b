/* eslint-disable @typescript-eslint/no-require-imports -- osls loads this resolver with require(): it must be CommonJS. */
// Variables resolver for serverless.yml: `${file(./resources/serverless-params.js):<key>}`.
// Reads the Arbiter config (ARBITER_CONFIG_FILE, default arbiter.config.yml), validates it with the
// same code the Lambdas use, and returns resources/stack-resources.ts' serverlessParams for
// --region/--stage. A bad config or region stops packaging with the problems listed.
const path = require('node:path');
const { require: tsxRequire } = require('tsx/cjs/api');

const cache = new Map();

module.exports = async ({ options }) => {
  const configPath = path.resolve(process.env.ARBITER_CONFIG_FILE || 'arbiter.config.yml');
  const stage = options.stage || 'dev';
  const { loadConfigFile, formatProblems } = tsxRequire('../shared/adapters/config/config-file.ts', __filename);
  const loaded = loadConfigFile(configPath);
  if (!loaded.ok) throw new Error(`Arbiter config ${configPath} is invalid:\n${formatProblems(loaded.errors)}`);
  const region = options.region || loaded.config.observers[0];
  const key = `${configPath}|${stage}|${region}`;
  if (!cache.has(key)) {
    const { serverlessParams } = tsxRequire('./stack-resources.ts', __filename);
    cache.set(key, { ...serverlessParams(loaded.config, stage, region), configFile: path.relative(process.cwd(), configPath) });
  }
  return cache.get(key);
};
