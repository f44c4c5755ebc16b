/**
 * A three-observer world over memory adapters for operator tests: one shared store, one Route 53,
 * healthy probers, and a clock whose `sleepMs` advances time and then lets every observer probe
 * and decide once (so a drill that polls sees the deciders react, deterministically).
 */
import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../../shared/adapters/memory';
import type { ArbiterConfigInput, ValidConfig } from '../../shared/domain';
import { silentTelemetry, type Telemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime, type ObserverDeps } from '../../shared/runtime';
import type { OperatorDeps } from '../../shared/runtime/operator/api-types';
import { makeConfig, regions } from './fixtures';

export class SteppingClock extends ManualClock {
  onStep: (() => Promise<void>) | null = null;
  private stepping = false;

  override async sleepMs(ms: number): Promise<void> {
    this.advance(ms);
    if (this.onStep === null || this.stepping) return;
    this.stepping = true;
    try {
      await this.onStep();
    } finally {
      this.stepping = false;
    }
  }
}

export interface OperatorWorld {
  config: ValidConfig;
  clock: SteppingClock;
  store: MemoryStore;
  bus: RecordingBus;
  dns: MemoryDns;
  deps: OperatorDeps;
  probers: ScriptedProber[];
  /** Every observer probes once, then decides once. */
  step(): Promise<void>;
}

export const operatorConfigDefaults: Partial<ArbiterConfigInput> = {
  safety: { minServing: 1, maxDrained: 1, flipCooldownMs: 30_000, recoveryHoldMs: 10_000 },
  rtoSecondsMax: 120,
};

/** `observerClockOffsetMs`: how far the observers' clocks run from the operator's (negative: behind). */
export function operatorWorld(overrides: Partial<ArbiterConfigInput> = {}, telemetry: Telemetry = silentTelemetry, observerClockOffsetMs = 0): OperatorWorld {
  const config = makeConfig({ ...operatorConfigDefaults, ...overrides });
  const clock = new SteppingClock(1_700_000_000_000);
  const store = new MemoryStore();
  const bus = new RecordingBus();
  const dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
  let nextId = 1;
  const newId = (prefix: string) => `${prefix}-${String(nextId++).padStart(4, '0')}`;
  const probers: ScriptedProber[] = [];
  const runtimes = regions.map((observer) => {
    const prober = new ScriptedProber(clock);
    probers.push(prober);
    const observerClock = observerClockOffsetMs === 0 ? clock : { nowMs: () => clock.nowMs() + observerClockOffsetMs, sleepMs: (ms: number) => clock.sleepMs(ms) };
    const deps: ObserverDeps = { config, observer, clock: observerClock, store, bus, dns, prober, telemetry: silentTelemetry };
    return { probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  });
  const step = async () => {
    for (const r of runtimes) await r.probe.round({ askPeers: false });
    for (const r of runtimes) await r.decide.run();
  };
  clock.onStep = step;
  const deps: OperatorDeps = { config, observer: regions[0], clock, store, bus, dns, prober: probers[0]!, telemetry, newId };
  return { config, clock, store, bus, dns, deps, probers, step };
}
