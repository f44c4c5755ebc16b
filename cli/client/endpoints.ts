/**
 * Where the operator API is: every observer region's URL, in the order the CLI tries them.
 *
 * Sources, first that applies:
 *   --endpoint <url> (repeatable)  as given; a URL ending in /api/<region> (the local run) is labelled with that region
 *   --local [where]                the local run (`npm start`): <base>/api/<observer> for every observer in --config;
 *                                  where is a port (8181), host:port (127.0.0.1:8181) or a base URL
 *   .arbiter/<stage>.json          written by `arbiter deploy`: { "stage": "prod", "apiUrls": { "us-east-1": "https://…" } }
 * `--region r` moves r to the front (it is tried first).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../io';

export interface Endpoint {
  region: string;
  url: string;
}

/** The local run's default base URL. */
export const defaultLocalBaseUrl = 'http://127.0.0.1:8080';
/** Regions a CLI call tries at most. */
export const endpointsMax = 16;

export class EndpointError extends UsageError {}

/** The outputs file `arbiter deploy` writes for a stage. */
export function outputsFilePath(stage: string, dir = '.arbiter'): string {
  if (!/^[a-z0-9-]{1,32}$/.test(stage)) throw new EndpointError(`--stage must be lower-case letters, digits or dashes, got "${stage}"`);
  return join(dir, `${stage}.json`);
}

/** Reads `.arbiter/<stage>.json`; a missing or malformed file is an EndpointError saying what to do. */
export function readOutputsFile(path: string): Endpoint[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new EndpointError(`no API URLs: ${path} does not exist (run arbiter deploy, or pass --endpoint <url> or --local)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EndpointError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const apiUrls = (value as { apiUrls?: unknown } | null)?.apiUrls;
  if (apiUrls === null || typeof apiUrls !== 'object' || Array.isArray(apiUrls)) throw new EndpointError(`${path} must be {"apiUrls": {"<region>": "<url>"}}`);
  return Object.entries(apiUrls as Record<string, unknown>).map(([region, url]) => ({ region, url: checkUrl(String(url), `${path} apiUrls.${region}`) }));
}

function checkUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointError(`${what} is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new EndpointError(`${what} must be http(s), got "${url}"`);
  return url.replace(/\/+$/, '');
}

/**
 * The local run's base URL from --local's value: a port, host:port, or a URL.
 * @example localBaseUrl('8181') // → 'http://127.0.0.1:8181'
 */
export function localBaseUrl(value: string): string {
  const trimmed = value.trim();
  if (/^\d{1,5}$/.test(trimmed)) {
    if (Number(trimmed) < 1 || Number(trimmed) > 65_535) throw new EndpointError(`--local port must be 1-65535, got "${value}"`);
    return `http://127.0.0.1:${trimmed}`;
  }
  if (/^[A-Za-z0-9.-]+:\d{1,5}$/.test(trimmed) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(trimmed)) return `http://${trimmed}`;
  return trimmed;
}

/** The region an API URL belongs to: /api/<region> (local run) or execute-api.<region>.amazonaws.com. */
export function regionOfUrl(url: string): string | null {
  return /\/api\/([a-z0-9-]+)\/?$/.exec(url)?.[1] ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1] ?? null;
}

export interface EndpointOptions {
  endpoint?: string[];
  local?: string | boolean;
  stage: string;
  region?: string;
  /** Observer regions from --config, for --local. */
  observers: () => string[];
}

/**
 * @example resolveEndpoints({ endpoint: ['http://127.0.0.1:8080/api/eu-west-1'], stage: 'prod', observers: () => [] })
 */
export function resolveEndpoints(options: EndpointOptions): Endpoint[] {
  let endpoints: Endpoint[];
  if (options.endpoint !== undefined && options.endpoint.length > 0) {
    endpoints = options.endpoint.map((raw, index) => {
      const url = checkUrl(raw, '--endpoint');
      return { region: regionOfUrl(url) ?? `endpoint ${index + 1}`, url };
    });
  } else if (options.local !== undefined && options.local !== false) {
    const base = checkUrl(options.local === true ? defaultLocalBaseUrl : localBaseUrl(options.local), '--local');
    endpoints = options.observers().map((region) => ({ region, url: `${base}/api/${region}` }));
  } else {
    endpoints = readOutputsFile(outputsFilePath(options.stage));
  }
  if (endpoints.length === 0) throw new EndpointError('no API URL to try (pass --endpoint <url>, --local, or deploy first)');
  if (endpoints.length > endpointsMax) throw new EndpointError(`at most ${endpointsMax} API URLs, got ${endpoints.length}`);
  if (options.region !== undefined) {
    const first = endpoints.filter((e) => e.region === options.region);
    if (first.length === 0) throw new EndpointError(`--region ${options.region} has no API URL (known: ${endpoints.map((e) => e.region).join(', ')})`);
    endpoints = [...first, ...endpoints.filter((e) => e.region !== options.region)];
  }
  return endpoints;
}

/**
 * Writes `.arbiter/<stage>.json` (by `arbiter deploy`, once it knows every region's API URL): the
 * API URLs, and in data-plane mode the CALCULATED health-check id of each such target.
 * @example writeOutputsFile('prod', { 'us-east-1': 'https://abc.execute-api.us-east-1.amazonaws.com' })
 */
export function writeOutputsFile(stage: string, apiUrls: Record<string, string>, dir = '.arbiter', healthChecks: Record<string, string> = {}): string {
  const path = outputsFilePath(stage, dir);
  for (const [region, url] of Object.entries(apiUrls)) checkUrl(url, `apiUrls.${region}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, `${JSON.stringify({ stage, apiUrls, ...(Object.keys(healthChecks).length > 0 ? { healthChecks } : {}) }, null, 2)}\n`);
  return path;
}
