/** `arbiter start` (`npm start`): the local three-region control plane and its dashboard, until Ctrl-C. */
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import { exitCodes, UsageError, type CommandIo } from '../io';
import { PortInUseError } from '../local/local-server';
import { defaultLocalPort, startLocalRun, type LocalRun } from '../local/local-run';

/** Cleanup after Ctrl-C may take this long before the process gives up on it and exits anyway. */
export const stopTimeoutMs = 15_000;

/** A port must be 0 (any free port) or 1..65535; anything else is a usage error (exit 2). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

/**
 * Stops the run once, whatever more signals arrive meanwhile: a second Ctrl-C during cleanup is
 * answered with a note and cleanup still finishes (bounded by stopTimeoutMs).
 */
async function stopOnce(run: LocalRun, io: CommandIo, signals: NodeJS.EventEmitter): Promise<number> {
  const again = () => io.err('Still stopping: cleanup finishes first (servers, timers, sample apps)…');
  signals.on('SIGINT', again);
  signals.on('SIGTERM', again);
  io.out('Stopping…');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), stopTimeoutMs)));
  try {
    const outcome = await Promise.race([run.stop().then(() => 'stopped' as const), timedOut]);
    if (outcome === 'timeout') {
      io.err(`arbiter start: cleanup did not finish within ${stopTimeoutMs / 1000} s; exiting anyway`);
      return exitCodes.failure;
    }
    io.out('Stopped.');
    return exitCodes.ok;
  } finally {
    clearTimeout(timer);
    signals.off('SIGINT', again);
    signals.off('SIGTERM', again);
  }
}

/**
 * Starts the local run and resolves with the exit code once SIGINT or SIGTERM has stopped it.
 * A config that is not valid or a port in use is exit 2, like every usage error.
 * @example await runStart({ configPath: 'arbiter.config.yml', port: 8080 }, processIo)
 */
export async function runStart(options: { configPath: string; port: number }, io: CommandIo, signals: NodeJS.EventEmitter = process): Promise<number> {
  const loaded = loadConfigFile(options.configPath);
  if (!loaded.ok) {
    io.err(`arbiter start: ${options.configPath} is not valid (run arbiter validate ${options.configPath}):\n${formatProblems(loaded.errors)}`);
    return exitCodes.usage;
  }
  let run: LocalRun;
  try {
    run = await startLocalRun(options);
  } catch (error) {
    io.err(`arbiter start: ${(error as Error).message}`);
    return error instanceof PortInUseError ? exitCodes.usage : exitCodes.failure;
  }
  io.out(`Arbiter local control plane: ${run.world.config.observers.length} observers, ${run.samples.length} sample apps, probing every ${run.world.config.probe.intervalMs} ms.`);
  io.out(`Dashboard: ${run.url}`);
  io.out(`CLI against it: npm run arbiter -- status --local${options.port === defaultLocalPort ? '' : ` ${new URL(run.url).port}`}`);
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
  return stopOnce(run, io, signals);
}
