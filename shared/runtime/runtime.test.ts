import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../adapters/memory';
import { silentTelemetry } from '../ports';
import { makeConfig, regions } from '../../test/support/fixtures';
import { DecideRuntime } from './decide-runtime';
import { ProbeRuntime } from './probe-runtime';
import type { ObserverDeps } from './deps';

/** Three observers sharing one store (no replication lag) and one Route 53. */
function world() {
  const config = makeConfig();
  const clock = new ManualClock(1_000_000);
  const store = new MemoryStore();
  const bus = new RecordingBus();
  const dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
  const observers = regions.map((observer) => {
    const prober = new ScriptedProber(clock);
    const deps: ObserverDeps = { config, observer, clock, store, bus, dns, prober, telemetry: silentTelemetry };
    return { observer, prober, probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  });
  return { config, clock, store, bus, dns, observers };
}

describe('observer runtime (probe + decide over memory adapters)', () => {
  it('drains a target once a quorum of observers sees it down, and only then', async () => {
    const w = world();
    const [a, b, c] = w.observers;
    a!.prober.set('eu-west-1', { kind: 'down' });
    await a!.probe.round();
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.weightOf('eu-west-1')).toBe(100);

    b!.prober.set('eu-west-1', { kind: 'down' });
    await b!.probe.round();
    await c!.probe.round();
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
    expect(w.dns.weightOf('us-east-1')).toBe(100);
    expect(w.dns.changes).toHaveLength(1);
  });

  it('asks peers to probe on a first failure and confirms within the same round', async () => {
    const w = world();
    const [a] = w.observers;
    a!.prober.set('us-east-1', { kind: 'down' });
    const outcome = await a!.probe.round();
    expect(outcome.confirmRequested).toEqual(['us-east-1']);
    expect(outcome.snapshot.verdicts['us-east-1']!.status).toBe('unhealthy');
    expect(w.bus.published.some((e) => e.type === 'probe-now' && e.target === 'us-east-1')).toBe(true);
  });
});
