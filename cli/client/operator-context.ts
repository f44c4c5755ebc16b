/**
 * What every operator command shares: the global options turned into an API client, one call with
 * its failover note, and the API's answer turned into output and an exit code.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadConfigFile } from '../../shared/adapters/config/config-file';
import { exitCodes, type CommandIo } from '../io';
import { ApiClient, UnreachableError, type ApiAnswer, type ApiCall, type CredentialsProvider } from './api-client';
import { checkProfile } from './aws-profile';
import { EndpointError, outputsFilePath, resolveEndpoints, type Endpoint } from './endpoints';
import { awsHealthStatusReader, healthCheckIdsFromOutputs, type Route53StatusSource } from './route53-status';

export interface GlobalOptions {
  config: string;
  profile?: string;
  region?: string;
  output: string;
  stage: string;
  local?: string | boolean;
  endpoint?: string[];
}

export interface OperatorContext {
  client: ApiClient;
  output: 'table' | 'json';
  io: CommandIo;
  /** Route 53's own status of the data-plane checks, when `.arbiter/<stage>.json` names them. */
  health?: Route53StatusSource;
}

/** Injected by tests: credentials and the fetch used. */
export interface ContextOverrides {
  credentials?: CredentialsProvider;
  fetch?: typeof fetch;
  /** Replaces the Route 53 status source (null: none). */
  health?: Route53StatusSource | null;
}

/** Used against the local run when no AWS credentials are configured (it does not check signatures). */
export const localCredentials = { accessKeyId: 'local-operator', secretAccessKey: 'local-run-does-not-check' };

function isLoopback(endpoints: readonly Endpoint[]): boolean {
  return endpoints.every((e) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(e.url).hostname));
}

function credentialsFor(options: GlobalOptions, endpoints: readonly Endpoint[]): CredentialsProvider {
  const chain = fromNodeProviderChain(options.profile === undefined ? {} : { profile: options.profile });
  if (!isLoopback(endpoints)) return chain;
  return async () => chain().catch(() => localCredentials);
}

/** Builds the context, or throws EndpointError / Error with a one-line message. */
export function operatorContext(options: GlobalOptions, io: CommandIo, overrides: ContextOverrides = {}): OperatorContext {
  if (options.output !== 'table' && options.output !== 'json') throw new EndpointError(`--output must be table or json, got "${options.output}"`);
  if (options.profile !== undefined && overrides.credentials === undefined) checkProfile(options.profile);
  const endpoints = resolveEndpoints({
    endpoint: options.endpoint, local: options.local, stage: options.stage, region: options.region,
    observers: () => {
      const loaded = loadConfigFile(options.config);
      if (!loaded.ok) throw new EndpointError(`--local needs the observer regions from ${options.config}, which is invalid (run arbiter validate)`);
      return [...loaded.config.observers];
    },
  });
  const credentials = overrides.credentials ?? credentialsFor(options, endpoints);
  const client = new ApiClient({ endpoints, credentials, fetch: overrides.fetch });
  const ids = isLoopback(endpoints) ? {} : healthCheckIdsFromOutputs(outputsFilePath(options.stage));
  const health = overrides.health !== undefined ? overrides.health : Object.keys(ids).length === 0 ? null : { ids, read: awsHealthStatusReader(ids, credentials) };
  return { client, output: options.output, io, ...(health === null ? {} : { health }) };
}

interface ErrorBody {
  error?: string;
  problems?: Array<{ path: string; message: string }>;
  hint?: string;
}

/** One line per problem: what is wrong, and what to do. */
function explainError(answer: ApiAnswer): { code: number; lines: string[] } {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : { error: String(answer.body) }) as ErrorBody;
  const problems = (body.problems ?? []).map((p) => `  ${p.path}: ${p.message}`);
  const message = `${body.error ?? `HTTP ${answer.status}`} (${answer.region}, HTTP ${answer.status})`;
  if (answer.status === 400 || answer.status === 413 || answer.status === 422) return { code: exitCodes.usage, lines: [message, ...problems] };
  if (answer.status === 401 || answer.status === 403) return { code: exitCodes.refused, lines: [`${message}: check --profile and that your principal is on overrides.operators`] };
  if (answer.status === 409) return { code: exitCodes.refused, lines: [message, ...(body.hint === undefined ? [] : [`  to go ahead anyway: ${body.hint.includes('force') ? 'repeat with --force' : body.hint}`])] };
  // Other 4xx (404 no such override or drill, 405) are refusals by the API, as README documents.
  return { code: answer.status < 500 ? exitCodes.refused : exitCodes.failure, lines: [message, ...problems] };
}

/**
 * Sends one call and hands a 2xx body (through `enrich`, when given) to `render` (table output) or
 * prints it as JSON. Returns the exit code.
 * @example return runApi(ctx, { method: 'GET', path: '/overrides' }, (body) => ctx.io.out(renderOverrides(body)));
 */
export async function runApi(ctx: OperatorContext, call: ApiCall, render: (body: unknown, answer: ApiAnswer) => void, enrich?: (body: unknown) => Promise<unknown>): Promise<number> {
  let answer: ApiAnswer;
  try {
    answer = await ctx.client.send(call);
  } catch (error) {
    if (!(error instanceof UnreachableError)) throw error;
    ctx.io.err(`arbiter: ${error.message}. Check your network and the API URLs (--endpoint, --local, .arbiter/<stage>.json).`);
    if (ctx.output === 'json') ctx.io.out(JSON.stringify({ error: 'no region answered', tried: error.skipped }, null, 2));
    return exitCodes.unreachable;
  }
  const skipped = answer.skipped.map((s) => `${s.region}: ${s.reason}`).join('; ');
  ctx.io.err(`answered by ${answer.region}${skipped === '' ? '' : ` after trying ${skipped}`}`);
  if (answer.status >= 300) {
    const { code, lines } = explainError(answer);
    ctx.io.err(`arbiter: ${lines[0]}`);
    for (const line of lines.slice(1)) ctx.io.err(line);
    // JSON output: the API's own error body ({error, problems, …}) on stdout, for scripts.
    if (ctx.output === 'json') ctx.io.out(JSON.stringify(typeof answer.body === 'object' && answer.body !== null ? { ...answer.body, status: answer.status, region: answer.region } : { error: String(answer.body), status: answer.status, region: answer.region }, null, 2));
    return code;
  }
  // `enrich` adds what the CLI reads beside the API (Route 53's own check status), to both outputs.
  const body = enrich === undefined ? answer.body : await enrich(answer.body);
  if (ctx.output === 'json') ctx.io.out(JSON.stringify(body, null, 2));
  else render(body, answer);
  return exitCodes.ok;
}
