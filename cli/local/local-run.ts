/** Assembles the local run: sample apps, the three-region control plane, and the dashboard server. */
import type { Server } from 'node:http';
import type { Region } from '../../shared/domain';
import { localConfig, readConfigText, targetRegionsOf } from './local-config';
import { LocalWorld, type LocalWorldOptions } from './local-world';
import { startLocalServer } from './local-server';
import { SampleApp } from './sample-app';

export interface LocalRun {
  url: string;
  world: LocalWorld;
  samples: SampleApp[];
  /** API base URL per observer region (what `--local` uses). */
  apiUrls: Record<Region, string>;
  /** Closes every open connection (dashboards' event streams too) without stopping: they reconnect. */
  dropConnections(): void;
  stop(): Promise<void>;
}

/** Default dashboard port of `npm start`. */
export const defaultLocalPort = 8080;

/**
 * Starts everything on 127.0.0.1 and returns once the dashboard answers. Anything that fails to
 * start stops what had started.
 * @example const run = await startLocalRun({ configPath: 'arbiter.config.yml', port: 0 }); await run.stop();
 */
export async function startLocalRun(options: { configPath: string; port: number; world?: LocalWorldOptions }): Promise<LocalRun> {
  const text = readConfigText(options.configPath);
  const regions = targetRegionsOf(text);
  const samples = regions.map((region) => new SampleApp(region));
  let server: Server | null = null;
  let world: LocalWorld | null = null;
  try {
    const sampleUrls: Record<Region, string> = {};
    for (const app of samples) sampleUrls[app.region] = await app.start();
    world = new LocalWorld(localConfig(text, sampleUrls), options.world);
    const started = await startLocalServer({ world, samples, sampleUrls }, options.port);
    server = started.server;
    world.start();
    const apiUrls = Object.fromEntries(world.config.observers.map((o) => [o, `${started.url}api/${o}`]));
    const running = { server, world };
    return {
      url: started.url, world, samples, apiUrls,
      dropConnections: () => running.server.closeAllConnections(),
      stop: async () => {
        running.server.closeAllConnections();
        await new Promise<void>((resolve) => running.server.close(() => resolve()));
        await running.world.stop();
        await Promise.all(samples.map(async (s) => s.stop()));
      },
    };
  } catch (error) {
    if (server !== null) server.close();
    if (world !== null) await world.stop();
    await Promise.all(samples.map(async (s) => s.stop()));
    throw error;
  }
}
