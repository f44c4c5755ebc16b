/**
 * The CLI's operator API client: SigV4-signed requests (service `execute-api`), tried region by
 * region. A region that does not answer (connection refused, timeout) or answers 5xx is skipped
 * and the next one is tried; the answer says which region gave it.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Endpoint } from './endpoints';

/** AWS credentials as the SDK's providers return them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export type CredentialsProvider = () => Promise<Credentials>;

/** One request to one region, connect to last byte. */
export const requestTimeoutMs = 10_000;
/** Largest response body read. */
export const responseBytesMax = 1024 * 1024;

export interface ApiAnswer {
  status: number;
  body: unknown;
  region: string;
  url: string;
  /** Regions tried before this one, with the address tried and why each was skipped. */
  skipped: Array<{ region: string; url: string; reason: string }>;
}

export class UnreachableError extends Error {
  constructor(readonly skipped: Array<{ region: string; url: string; reason: string }>) {
    super(`no region answered: ${skipped.map((s) => `${s.region} at ${s.url} (${s.reason})`).join('; ')}`);
  }
}

export interface ApiClientOptions {
  endpoints: readonly Endpoint[];
  credentials: CredentialsProvider;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The signing region of an endpoint: its label when it is a region name, else us-east-1. */
function signingRegion(endpoint: Endpoint): string {
  return /^[a-z]{2}(-[a-z]+)+-\d$/.test(endpoint.region) ? endpoint.region : 'us-east-1';
}

/** Signs one request with SigV4 for API Gateway (execute-api). */
export async function signRequest(url: URL, call: ApiCall, body: string | undefined, region: string, credentials: Credentials | CredentialsProvider): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Sha256 });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const signed = await signer.sign({
    method: call.method, protocol: url.protocol, hostname: url.hostname, port: url.port === '' ? undefined : Number(url.port), path: url.pathname, query,
    headers: { host: url.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
    body,
  });
  return signed.headers as Record<string, string>;
}

/** Why a failed fetch did not answer, in a few words. */
function failureReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return 'timed out';
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /**
   * Sends the call to each region in turn until one answers below 500.
   * @example const answer = await client.send({ method: 'GET', path: '/status' }); answer.region
   */
  async send(call: ApiCall): Promise<ApiAnswer> {
    const skipped: ApiAnswer['skipped'] = [];
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (const endpoint of this.options.endpoints) {
      const url = new URL(`${endpoint.url}${call.path}`);
      for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
      const headers = await signRequest(url, call, body, signingRegion(endpoint), this.options.credentials);
      delete headers.host;
      let response: Response;
      try {
        response = await this.fetch(url, { method: call.method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? requestTimeoutMs) });
      } catch (error) {
        skipped.push({ region: endpoint.region, url: endpoint.url, reason: failureReason(error) });
        continue;
      }
      const text = (await response.text()).slice(0, responseBytesMax);
      if (response.status >= 500) {
        skipped.push({ region: endpoint.region, url: endpoint.url, reason: `HTTP ${response.status}` });
        continue;
      }
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): keep the text for the message.
      }
      return { status: response.status, body: parsed, region: endpoint.region, url: endpoint.url, skipped };
    }
    throw new UnreachableError(skipped);
  }
}
