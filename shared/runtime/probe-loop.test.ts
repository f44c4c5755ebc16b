import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../adapters/memory';
import { silentTelemetry, TransientError, type Telemetry } from '../ports';
import { makeConfig } from '../../test/support/fixtures';
import type { ObserverDeps } from './deps';
import { roundBudgetMs, roundFailuresMax, runProbeLoop } from './probe-loop';
import { ProbeRuntime } from './probe-runtime';

function observer(telemetry: Telemetry = silentTelemetry) {
  const config = makeConfig();
  const clock = new ManualClock(1_000_000);
  const store = new MemoryStore();
  const prober = new ScriptedProber(clock);
  const deps: ObserverDeps = { config, observer: 'eu-west-1', clock, store, bus: new RecordingBus(), dns: MemoryDns.fromBindings(config.targets.map((t) => t.route53)), prober, telemetry };
  return { deps, clock, store, prober, runtime: new ProbeRuntime(deps) };
}

describe('runProbeLoop', () => {
  it('runs one schedule period of rounds at the interval, then flushes and writes a heartbeat', async () => {
    const { deps, clock, store, runtime } = observer();
    const startMs = clock.nowMs();
    const outcome = await runProbeLoop(runtime, deps, { remainingMs: () => 900_000 - (clock.nowMs() - startMs), reserveMs: 3_000 });
    const rounds = 60_000 / deps.config.probe.intervalMs; // one schedule period (a minute) of rounds: 30 at 2 s
    expect(outcome).toEqual({ rounds, failedRounds: 0, stoppedBy: 'rounds' });
    expect(clock.nowMs() - startMs).toBe((rounds - 1) * deps.config.probe.intervalMs);
    expect(store.heartbeats.get('eu-west-1#probe')).toMatchObject({ kind: 'probe', detail: `${rounds} rounds, 0 failed, stopped by rounds` });
    expect(store.snapshots.get('eu-west-1')!.writtenMs).toBe(clock.nowMs());
  });

  it('logs nothing for rounds that go well: one metric for the whole invocation (the cost model counts no log bytes per round)', async () => {
    const lines: string[] = [];
    const metrics: string[] = [];
    const telemetry: Telemetry = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), metric: (name) => metrics.push(name) };
    const { deps, clock, runtime } = observer(telemetry);
    const startMs = clock.nowMs();
    const outcome = await runProbeLoop(runtime, deps, { remainingMs: () => 900_000 - (clock.nowMs() - startMs), reserveMs: 3_000 });
    expect(outcome.rounds).toBe(30);
    expect(lines).toEqual([]);
    expect(metrics).toEqual(['ProbeRounds']);
  });

  it('starts no round whose worst case would not fit before the deadline', async () => {
    const { deps, clock, runtime } = observer();
    const startMs = clock.nowMs();
    const budgetMs = roundBudgetMs(deps);
    expect(budgetMs).toBe(2_000 + 500 * 2 + 2_000); // first probe's timeout, pipelined confirmations, the last one's timeout
    const remainingMs = () => budgetMs + 3_000 + deps.config.probe.intervalMs + 1 - (clock.nowMs() - startMs);
    expect(await runProbeLoop(runtime, deps, { remainingMs, reserveMs: 3_000 })).toEqual({ rounds: 2, failedRounds: 0, stoppedBy: 'deadline' });
    expect(await runProbeLoop(runtime, deps, { remainingMs: () => budgetMs + 2_999, reserveMs: 3_000 })).toEqual({ rounds: 0, failedRounds: 0, stoppedBy: 'deadline' });
  });

  it('reports a failed round and goes on, but gives up after failures in a row', async () => {
    const { deps, store, runtime } = observer();
    const errors: string[] = [];
    deps.telemetry = { ...silentTelemetry, error: (message) => errors.push(message) };
    const failing = jest.spyOn(store, 'putSnapshot').mockRejectedValue(new TransientError('throttled'));
    await expect(runProbeLoop(runtime, deps, { remainingMs: () => 900_000, reserveMs: 3_000 })).rejects.toBeInstanceOf(TransientError);
    expect(errors).toHaveLength(roundFailuresMax);
    failing.mockRestore();
  });
});
