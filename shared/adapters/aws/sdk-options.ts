/**
 * Options every AWS SDK client in Arbiter is built with: explicit timeouts, an explicit retry
 * strategy (bounded attempts, capped full-jitter backoff), and an optional endpoint (moto in tests).
 * Clients are built once per container and can be injected into every adapter.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Attempts per SDK call (first try included) unless a caller says otherwise. */
export const sdkAttemptsMax = 4;
/** Full-jitter backoff: uniform in [0, min(cap, base · 2^attempt)). */
export const sdkBackoffBaseMs = 100;
export const sdkBackoffCapMs = 2_000;
/** TCP connect and whole-response timeouts for every SDK call. */
export const sdkConnectTimeoutMs = 2_000;
export const sdkRequestTimeoutMs = 5_000;

export interface SdkOptions {
  region: string;
  /** e.g. the moto URL in tests (`ARBITER_ENDPOINT_URL`). */
  endpoint?: string;
  /** Static credentials, or a provider (the CLI's --profile). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  attemptsMax?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Injected in tests to fault requests at the HTTP layer. */
  requestHandler?: NodeHttpHandler;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

/** Capped full-jitter backoff for retry `attempt` (1-based). */
export function jitteredBackoffMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceilingMs = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * ceilingMs);
}

/** The shared part of every client's configuration. */
export function sdkClientConfig(options: SdkOptions) {
  const attemptsMax = options.attemptsMax ?? sdkAttemptsMax;
  if (!Number.isInteger(attemptsMax) || attemptsMax < 1 || attemptsMax > 10) throw new RangeError(`attemptsMax must be an integer in 1..10, got ${attemptsMax}`);
  const baseMs = options.backoffBaseMs ?? sdkBackoffBaseMs;
  const capMs = options.backoffCapMs ?? sdkBackoffCapMs;
  const random = options.random ?? Math.random;
  return {
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: attemptsMax,
    retryStrategy: new ConfiguredRetryStrategy(attemptsMax, (attempt: number) => jitteredBackoffMs(attempt, baseMs, capMs, random)),
    requestHandler: options.requestHandler ?? new NodeHttpHandler({ connectionTimeout: sdkConnectTimeoutMs, requestTimeout: sdkRequestTimeoutMs }),
  };
}

/** The error name an SDK (or smithy) error carries, for translation into Arbiter's errors. */
export function sdkErrorName(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.code === 'string') return e.code;
  }
  return 'Unknown';
}

/** Throttling and server-side failures that survived the SDK's retries. */
export function isTransientSdkError(error: unknown): boolean {
  const name = sdkErrorName(error);
  if (/Throttl|ThroughputExceeded|RequestLimitExceeded|TooManyRequests|ServiceUnavailable|InternalServerError|InternalFailure|TransactionConflict|TimeoutError|ECONNRESET|ECONNREFUSED/.test(name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}
