/**
 * Fault injection at the SDK's HTTP layer (not a mock of the SDK): requests go to moto as usual,
 * except those a rule matches, which get a crafted AWS error response or a rewritten request/response.
 * Every request is recorded by its operation (X-Amz-Target or the path) so tests can count calls.
 */
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

export interface RecordedRequest {
  operation: string;
  method: string;
  path: string;
  body: string;
}

export interface FaultRule {
  /** Which requests the rule applies to (by operation, e.g. 'AWSEvents.PutEvents' or 'POST /2013-04-01/hostedzone/Z…/rrset'). */
  match: (request: RecordedRequest) => boolean;
  /** How many matching requests it affects before it retires. */
  times: number;
  /** A crafted response instead of sending the request... */
  respond?: (request: RecordedRequest) => { statusCode: number; headers?: Record<string, string>; body: string };
  /** ...or a rewrite of the request and the response around a real round trip to moto. */
  rewrite?: (request: RecordedRequest) => { body: string; response: (body: string) => string };
}

function operationOf(request: HttpRequest): string {
  const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
  if (target !== undefined) return target;
  const query = Object.entries(request.query ?? {}).map(([k, v]) => `${k}=${String(v)}`).join('&');
  return `${request.method} ${request.path}${query === '' ? '' : `?${query}`}`;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return String(body);
}

async function readBody(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export class FaultyHttpHandler extends NodeHttpHandler {
  readonly requests: RecordedRequest[] = [];
  readonly rules: FaultRule[] = [];

  constructor() {
    super({ connectionTimeout: 2_000, requestTimeout: 5_000 });
  }

  count(predicate: (request: RecordedRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  override async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const body = bodyText(request.body);
    const recorded: RecordedRequest = { operation: operationOf(request), method: request.method, path: request.path, body };
    this.requests.push(recorded);
    const rule = this.rules.find((r) => r.times > 0 && r.match(recorded));
    if (rule === undefined) return super.handle(request, options);
    rule.times -= 1;
    if (rule.respond !== undefined) {
      const crafted = rule.respond(recorded);
      return { response: new HttpResponse({ statusCode: crafted.statusCode, headers: { 'content-type': 'application/x-amz-json-1.1', ...crafted.headers }, body: Readable.from([Buffer.from(crafted.body)]) }) };
    }
    const rewrite = rule.rewrite!(recorded);
    request.body = rewrite.body;
    for (const name of Object.keys(request.headers)) if (name.toLowerCase() === 'content-length') delete request.headers[name];
    request.headers['content-length'] = String(Buffer.byteLength(rewrite.body));
    const { response } = await super.handle(request, options);
    const rewritten = rewrite.response(await readBody(response));
    const headers = { ...response.headers, 'content-length': String(Buffer.byteLength(rewritten)) };
    return { response: new HttpResponse({ statusCode: response.statusCode, headers, body: Readable.from([Buffer.from(rewritten)]) }) };
  }
}
