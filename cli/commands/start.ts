/** `arbiter start` (`npm start`): the local three-region control plane and its dashboard, until Ctrl-C. */
import { exitCodes, type CommandIo } from '../io';
import { PortInUseError } from '../local/local-server';
import { defaultLocalPort, startLocalRun, type LocalRun } from '../local/local-run';

/** A port must be 0 (any free port) or 1..65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) throw new Error(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

/**
 * Starts the local run and resolves with the exit code once SIGINT or SIGTERM has stopped it.
 * @example await runStart({ configPath: 'arbiter.config.yml', port: 8080 }, processIo)
 */
export async function runStart(options: { configPath: string; port: number }, io: CommandIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  let run: LocalRun;
  try {
    run = await startLocalRun(options);
  } catch (error) {
    io.err(`arbiter start: ${(error as Error).message}`);
    return error instanceof PortInUseError ? exitCodes.usage : exitCodes.failure;
  }
  io.out(`Arbiter local control plane: ${run.world.config.observers.length} observers, ${run.samples.length} sample apps, probing every ${run.world.config.probe.intervalMs} ms.`);
  io.out(`Dashboard: ${run.url}`);
  io.out(`CLI against it: npx arbiter status --local${options.port === defaultLocalPort ? '' : ` ${run.url.replace(/\/$/, '')}`}`);
  io.out('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    const stop = () => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      resolve();
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
  io.out('Stopping…');
  await run.stop();
  io.out('Stopped.');
  return exitCodes.ok;
}
