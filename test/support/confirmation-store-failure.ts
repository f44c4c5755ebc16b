/**
 * Run as its own process by shared/runtime/runtime.test.ts (jest does not surface unhandled
 * rejections): a probe round whose fast confirmation fails to write its snapshot while the next
 * confirmation is still being spaced out. Node ends a process (and Lambda its container) on an
 * unhandled rejection; this script prints what the round reported and exits 0 only if it got there.
 */
import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../../shared/adapters/memory';
import { TransientError, silentTelemetry } from '../../shared/ports';
import { ProbeRuntime } from '../../shared/runtime/probe-runtime';
import { makeConfig } from './fixtures';

async function main(): Promise<void> {
  const config = makeConfig({ probe: { failureMinDurationMs: 0, failureThreshold: 2, confirmCount: 2 } });
  const base = new ManualClock(1_000_000);
  const clock = Object.assign(Object.create(base) as ManualClock, {
    // The spacing yields to the event loop, so the first confirmation's write fails during it.
    sleepMs: async (ms: number) => { await new Promise((resolve) => setTimeout(resolve, 5)); base.advance(ms); },
  });
  const memory = new MemoryStore();
  let writes = 0;
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    putSnapshot: async (snapshot: Parameters<MemoryStore['putSnapshot']>[0]) => {
      writes += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (writes > 1) throw new TransientError('store replica unavailable (putSnapshot)');
      return memory.putSnapshot(snapshot);
    },
  });
  const prober = new ScriptedProber(base);
  prober.set('eu-west-1', { kind: 'down' });
  const dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
  const probe = new ProbeRuntime({ config, observer: 'us-east-1', clock, store, bus: new RecordingBus(), dns, prober, telemetry: silentTelemetry });
  const outcome = await probe.round().then(() => 'resolved', (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`);
  await new Promise((resolve) => setTimeout(resolve, 30));
  console.log(JSON.stringify({ outcome, writes }));
}

void main();
