/**
 * A sample application endpoint for the local run: a real HTTP server on 127.0.0.1 whose health
 * endpoint can be switched between healthy, down, slow and flaky from the dashboard.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SampleMode = 'healthy' | 'down' | 'slow' | 'flaky';
export const sampleModes: readonly SampleMode[] = ['healthy', 'down', 'slow', 'flaky'];

/** How long a `slow` endpoint takes: above the local latencyMsMax, below the probe timeout. */
export const slowAnswerMs = 600;
/** Share of `flaky` answers that fail. */
export const flakyFailureRatio = 0.5;

export function isSampleMode(value: unknown): value is SampleMode {
  return typeof value === 'string' && (sampleModes as readonly string[]).includes(value);
}

export class SampleApp {
  mode: SampleMode = 'healthy';
  requests = 0;
  private server: Server | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly region: string, private readonly random: () => number = Math.random) {}

  /** Listens on 127.0.0.1 on a free port; returns the health URL. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      this.requests += 1;
      const ok = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', region: this.region }));
      const fail = () => response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable', region: this.region }));
      if (this.mode === 'down') return fail();
      if (this.mode === 'flaky') return this.random() < flakyFailureRatio ? fail() : ok();
      if (this.mode === 'slow') {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          ok();
        }, slowAnswerMs);
        this.timers.add(timer);
        return undefined;
      }
      return ok();
    });
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
