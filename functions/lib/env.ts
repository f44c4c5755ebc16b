/**
 * The Lambda environment, read once at cold start. Every missing or malformed variable is named
 * in one ConfigurationError, so a bad deployment fails with one clear line.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '../../shared/ports';

export interface ArbiterEnv {
  /** Absolute path of the YAML config shipped in the bundle. */
  configPath: string;
  table: string;
  bus: string;
  stage: string;
  /** This observer's region (AWS_REGION). */
  region: string;
  /** Tests: the moto URL every SDK client uses. */
  endpointUrl?: string;
}

const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const namePattern = /^[A-Za-z0-9._\-/]{1,256}$/;

/**
 * @example const env = readEnv(process.env); // throws ConfigurationError naming ARBITER_TABLE when it is missing
 */
export function readEnv(source: Record<string, string | undefined>): ArbiterEnv {
  const problems: string[] = [];
  const required = (name: string, pattern: RegExp, what: string): string => {
    const value = source[name];
    if (value === undefined || value === '') problems.push(`${name} is missing`);
    else if (!pattern.test(value)) problems.push(`${name} must be ${what}, got ${JSON.stringify(value.slice(0, 80))}`);
    return value ?? '';
  };
  const table = required('ARBITER_TABLE', namePattern, 'a DynamoDB table name');
  const bus = required('ARBITER_BUS', namePattern, 'an EventBridge bus name');
  const stage = required('ARBITER_STAGE', /^[a-z0-9-]{1,32}$/, 'a stage name (lowercase letters, digits, dashes)');
  const region = required('AWS_REGION', regionPattern, 'an AWS region name');
  const endpointUrl = source.ARBITER_ENDPOINT_URL;
  if (endpointUrl !== undefined && endpointUrl !== '' && !/^https?:\/\/[^\s]+$/.test(endpointUrl)) problems.push(`ARBITER_ENDPOINT_URL must be an http(s) URL, got ${JSON.stringify(endpointUrl.slice(0, 80))}`);
  if (problems.length > 0) throw new ConfigurationError(`Arbiter environment: ${problems.join('; ')}`);
  const configFile = source.ARBITER_CONFIG_PATH || 'arbiter.config.yml';
  const configPath = isAbsolute(configFile) ? configFile : resolve(source.LAMBDA_TASK_ROOT || process.cwd(), configFile);
  return { configPath, table, bus, stage, region, ...(endpointUrl ? { endpointUrl } : {}) };
}
