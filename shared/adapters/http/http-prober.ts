/**
 * The `Prober` port over node:http/https: one request per probe, as Route 53 health checkers do.
 *
 *   start ──connect (≤ connectTimeoutMs)──▶ headers ──body (first 5,120 bytes)──▶ done
 *   └──────────────────── whole probe ≤ endpoint.timeoutMs ─────────────────────┘
 *
 * Latency runs from the request's start to the end of the (capped) body read. Redirects are
 * answers (status 3xx) unless the endpoint sets `followRedirects`, then at most `redirectsMax`
 * hops within the same deadline. Failures are results with a ProbeErrorKind; it never throws.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EndpointConfig, ProbeErrorKind, ProbeResult, Region } from '../../domain';
import type { Prober } from '../../ports';

/** Route 53 health checks read this many bytes of the body for string matching. */
export const bodyBytesMax = 5_120;
/** Connect timeout, capped by the endpoint's whole timeout. */
export const connectTimeoutMs = 2_000;
export const redirectsMax = 3;

export interface HttpProberOptions {
  nowMs?: () => number;
  /** Sent as User-Agent, so endpoint owners can tell Arbiter's probes from traffic. */
  userAgent?: string;
  /** Which observer probes (goes into a header; useful in endpoint logs). */
  observer?: Region;
}

interface Answer {
  status: number;
  location?: string;
  body: string;
}

class ProbeFailure extends Error {
  constructor(readonly kind: ProbeErrorKind, message: string) {
    super(message);
  }
}

const tlsCodes = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO|HOSTNAME_MISMATCH)/;

/** Node's socket and TLS error codes → the kinds the verdict machine reports. */
export function classifyError(error: unknown): ProbeErrorKind {
  if (error instanceof ProbeFailure) return error.kind;
  const code = String((error as NodeJS.ErrnoException | null)?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'connect';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'UND_ERR_SOCKET') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (tlsCodes.test(code)) return 'tls';
  return 'other';
}

function readCapped(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const finish = () => resolve(Buffer.concat(chunks).subarray(0, bodyBytesMax).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= bodyBytesMax) {
        response.destroy();
        finish();
      }
    });
    response.on('end', finish);
    response.on('error', reject);
  });
}

/** One HTTP exchange; rejects with ProbeFailure or a node error. */
function exchange(url: URL, method: string, deadlineMs: number, now: () => number, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const remainingMs = Math.max(1, deadlineMs - now());
    const req = send(url, { method, headers, agent: false });
    const overall = setTimeout(() => req.destroy(new ProbeFailure('timeout', `no complete answer within the endpoint timeout`)), remainingMs);
    const connect = setTimeout(() => req.destroy(new ProbeFailure('timeout', `connect did not complete within ${Math.min(connectTimeoutMs, remainingMs)} ms`)), Math.min(connectTimeoutMs, remainingMs));
    req.on('socket', (socket) => {
      const connected = () => clearTimeout(connect);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    req.on('response', (response) => {
      clearTimeout(connect);
      readCapped(response).then((body) => {
        clearTimeout(overall);
        resolve({ status: response.statusCode ?? 0, body, ...(typeof response.headers.location === 'string' ? { location: response.headers.location } : {}) });
      }, (error: unknown) => {
        clearTimeout(overall);
        reject(error);
      });
    });
    req.on('error', (error) => {
      clearTimeout(overall);
      clearTimeout(connect);
      reject(error);
    });
    req.end();
  });
}

/**
 * @example
 *   const prober = new HttpProber({ observer: 'eu-west-1' });
 *   const result = await prober.probe('us-east-1', 0, endpoint); // never throws
 */
export class HttpProber implements Prober {
  private readonly now: () => number;

  constructor(private readonly options: HttpProberOptions = {}) {
    this.now = options.nowMs ?? Date.now;
  }

  async probe(target: Region, endpointIndex: number, endpoint: EndpointConfig): Promise<ProbeResult> {
    const startedMs = this.now();
    const deadlineMs = startedMs + endpoint.timeoutMs;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'arbiter-probe/1', ...(this.options.observer === undefined ? {} : { 'x-arbiter-observer': this.options.observer }) };
    const base = { target, endpointIndex, startedMs };
    try {
      let url = new URL(endpoint.url);
      for (let hop = 0; ; hop += 1) {
        const answer = await exchange(url, endpoint.method, deadlineMs, this.now, headers);
        const isRedirect = answer.status >= 300 && answer.status < 400 && answer.location !== undefined;
        if (!isRedirect || !endpoint.followRedirects) return { ...base, latencyMs: this.now() - startedMs, status: answer.status, bodyExcerpt: answer.body };
        if (hop + 1 > redirectsMax) throw new ProbeFailure('redirect', `more than ${redirectsMax} redirects`);
        url = new URL(answer.location!, url);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ...base, latencyMs: this.now() - startedMs, error: { kind: classifyError(error), message: message.slice(0, 300) } };
    }
  }
}
