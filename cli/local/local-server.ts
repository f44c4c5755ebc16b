/**
 * The local run's HTTP server on 127.0.0.1: the dashboard's static files, its state (one read at
 * /local/state, or pushed every second as server-sent events at /local/events), the switches of
 * the sample apps and of the observers, and every observer region's operator API at
 * /api/<region>/… (served by handleApiRequest, as the `api` Lambda serves it).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Region } from '../../shared/domain';
import { requestBodyBytesMax } from '../../shared/runtime/operator/api-router';
import { readDashboardState } from './dashboard-state';
import { isObserverMode, localRequestId, observerModes, type LocalWorld } from './local-world';
import { isSampleMode, type SampleApp } from './sample-app';

const assetsDir = join(__dirname, 'dashboard');
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export class PortInUseError extends Error {}

/** How often the event stream pushes the state. */
export const statePushIntervalMs = 1_000;
/** Event streams open at once; one more is refused with 503. */
export const eventStreamsMax = 16;
let eventStreams = 0;

export interface LocalServerDeps {
  world: LocalWorld;
  samples: readonly SampleApp[];
  sampleUrls: Record<Region, string>;
}

/** The caller as the local API sees it: the SigV4 access key id, or the dashboard. */
export function localPrincipal(headers: IncomingMessage['headers']): string {
  const credential = /Credential=([^/,\s]+)\//.exec(String(headers.authorization ?? ''));
  if (credential !== null) return `local:${credential[1]}`;
  const actor = headers['x-arbiter-actor'];
  return `local:${typeof actor === 'string' && /^[\w.@-]{1,64}$/.test(actor) ? actor : 'dashboard'}`;
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > requestBodyBytesMax * 2) throw new Error(`body larger than ${requestBodyBytesMax * 2} bytes`);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(statusCode, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** One field of a JSON object body, or undefined when the body is not one. */
function jsonField(body: string | null, field: string): unknown {
  try {
    return (JSON.parse(body ?? '{}') as Record<string, unknown> | null)?.[field];
  } catch {
    return undefined;
  }
}

/**
 * Server-sent events: the whole state at once, then every statePushIntervalMs with only the new
 * timeline entries. The dashboard updates its page in place from them; when the stream breaks it
 * greys the page out and EventSource reconnects.
 */
function streamState(deps: LocalServerDeps, request: IncomingMessage, response: ServerResponse): void {
  if (eventStreams >= eventStreamsMax) return send(response, 503, { error: `${eventStreamsMax} dashboards are already connected` });
  eventStreams += 1;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  let afterSeq = 0;
  let busy = false;
  const push = async () => {
    if (busy) return;
    busy = true;
    try {
      const state = await readDashboardState(deps.world, deps.samples, deps.sampleUrls, afterSeq);
      afterSeq = state.timeline.at(-1)?.seq ?? afterSeq;
      response.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
    } catch (error) {
      response.write(`event: problem\ndata: ${JSON.stringify({ error: (error as Error).message })}\n\n`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void push(), statePushIntervalMs);
  request.on('close', () => {
    clearInterval(timer);
    eventStreams -= 1;
  });
  void push();
}

async function route(deps: LocalServerDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const asset = assets[url.pathname];
  if (request.method === 'GET' && asset !== undefined) {
    response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' }).end(readFileSync(join(assetsDir, asset.file)));
    return;
  }
  if (request.method === 'GET' && url.pathname === '/local/state') {
    const afterSeq = Number(url.searchParams.get('after') ?? '0');
    send(response, 200, await readDashboardState(deps.world, deps.samples, deps.sampleUrls, Number.isFinite(afterSeq) ? afterSeq : 0));
    return;
  }
  if (request.method === 'GET' && url.pathname === '/local/events') return streamState(deps, request, response);
  const observer = /^\/local\/observers\/([\w-]+)$/.exec(url.pathname);
  if (observer !== null && request.method === 'POST') {
    const mode = jsonField(await readBody(request), 'mode');
    if (!isObserverMode(mode)) return send(response, 400, { error: `body must be {"mode": ${observerModes.map((m) => `"${m}"`).join(' | ')}}` });
    if (!deps.world.setObserverMode(observer[1]!, mode)) return send(response, 404, { error: `no observer ${observer[1]} (known: ${deps.world.config.observers.join(', ')})` });
    return send(response, 200, { observer: observer[1], mode });
  }
  const sample = /^\/local\/samples\/([\w-]+)$/.exec(url.pathname);
  if (sample !== null && request.method === 'POST') {
    const app = deps.samples.find((s) => s.region === sample[1]);
    const mode = jsonField(await readBody(request), 'mode');
    if (app === undefined) return send(response, 404, { error: `no sample app in ${sample[1]}` });
    if (!isSampleMode(mode)) return send(response, 400, { error: 'body must be {"mode": "healthy" | "down" | "slow" | "flaky"}' });
    app.mode = mode;
    deps.world.timeline.add({ observer: null, kind: 'sample', text: `sample app in ${app.region} switched to ${mode}` });
    return send(response, 200, { region: app.region, mode });
  }
  const api = /^\/api\/([\w-]+)(\/.*)$/.exec(url.pathname);
  if (api !== null) {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]));
    const answer = await deps.world.api(api[1]!, {
      method: request.method ?? 'GET', path: api[2]!, headers, query: Object.fromEntries(url.searchParams), body: await readBody(request), principal: localPrincipal(request.headers), requestId: localRequestId(),
    });
    return send(response, answer.statusCode, answer.body, { ...answer.headers, 'x-arbiter-region': api[1]! });
  }
  send(response, 404, { error: `no route ${url.pathname.slice(0, 200)}` });
}

/**
 * Listens on 127.0.0.1:port (0 = a free port). A port in use is a PortInUseError with a one-line message.
 * @example const { server, url } = await startLocalServer(deps, 8080);
 */
export async function startLocalServer(deps: LocalServerDeps, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    route(deps, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: (error as Error).message });
      else response.end();
    });
  });
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} on 127.0.0.1 is already in use: stop what uses it or pass --port <another>`) : error),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
