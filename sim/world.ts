/**
 * One simulated world: every observer region running the real ProbeRuntime and DecideRuntime
 * through simulated adapters, Lambda-like invocations (a probe invocation a minute looping rounds
 * at probe.intervalMs; a scheduled decide a minute; one invocation per delivered event), whole-region
 * failures, and fault sites (buggify) that kill an invocation half-way through.
 */
import type { ArbiterEvent, Region, ValidConfig, VoteWriter } from '../shared/domain';
import { ConflictError, silentTelemetry, type Store } from '../shared/ports';
import { DecideRuntime, ProbeRuntime, type ObserverDeps } from '../shared/runtime';
import { describeFault, FaultTimeline, type ActiveFault } from './faults';
import { History } from './history';
import type { SimRandom } from './random';
import type { Scenario } from './scenario';
import { Scheduler } from './scheduler';
import { ReplicaStore, replicationDelayMsRange, SimBus, SimClock, SimProber } from './sim-adapters';
import { SimRoute53, SimRoute53Client } from './sim-route53';

/** The schedule of the probe function and of the reconciling decide. */
export const invocationPeriodMs = 60_000;

class SimCrash extends Error {}

export interface RegionParams {
  region: Region;
  clockSkewMs: number;
  probeOffsetMs: number;
  decideOffsetMs: number;
}

export interface WorldParams {
  seed: number;
  buggify: boolean;
  crashRate: number;
  regions: RegionParams[];
  faults: ActiveFault[];
}

interface RegionRuntime {
  params: RegionParams;
  clock: SimClock;
  replica: ReplicaStore;
  bus: SimBus;
  dns: SimRoute53Client;
  prober: SimProber;
}

export class World {
  readonly scheduler = new Scheduler();
  readonly history = new History();
  readonly timeline: FaultTimeline;
  readonly route53: SimRoute53;
  private readonly regions = new Map<Region, RegionRuntime>();
  private readonly crashRandom: SimRandom;
  /** Data-plane `metric` mode (sim/dataplane): where each region's decide passes write their votes. */
  readonly voteWriters = new Map<Region, VoteWriter>();

  constructor(readonly config: ValidConfig, readonly scenario: Scenario, readonly params: WorldParams, random: SimRandom) {
    this.timeline = new FaultTimeline(params.faults);
    this.crashRandom = random.fork('crash');
    this.route53 = new SimRoute53(config.targets, this.scheduler, this.timeline, random.fork('route53'));
    const replicationRandom = random.fork('replication');
    const replication = { replicate: (from: Region, apply: (peer: ReplicaStore) => void) => this.replicate(from, apply, replicationRandom) };
    for (const p of params.regions) {
      const clock = new SimClock(this.scheduler, p.clockSkewMs);
      this.regions.set(p.region, {
        params: p,
        clock,
        replica: new ReplicaStore(p.region, replication, this.history, this.scheduler),
        bus: new SimBus(p.region, config.observers, this.scheduler, this.timeline, random.fork(`bus-${p.region}`), (d, e) => this.deliver(d, e)),
        dns: new SimRoute53Client(this.route53, p.region, this.scheduler, random.fork(`dns-${p.region}`), this.history),
        prober: new SimProber(p.region, clock, this.scheduler, this.timeline, random.fork(`prober-${p.region}`)),
      });
    }
  }

  replica(region: Region): ReplicaStore {
    return this.regions.get(region)!.replica;
  }

  up(region: Region): boolean {
    return !this.timeline.regionDown(region, this.scheduler.nowMs());
  }

  private replicate(from: Region, apply: (peer: ReplicaStore) => void, random: SimRandom): void {
    for (const [region, runtime] of this.regions) {
      if (region === from) continue;
      const delayMs = random.uniform(...replicationDelayMsRange) + this.timeline.replicationLagMs(this.scheduler.nowMs(), random);
      this.scheduler.after(delayMs, () => apply(runtime.replica));
    }
  }

  /** Fresh deps per invocation; an armed fault site makes the store kill the invocation after a write. */
  private deps(region: Region, site: 'decide' | 'probe'): ObserverDeps {
    const r = this.regions.get(region)!;
    const armed = this.params.buggify && this.crashRandom.chance(this.params.crashRate);
    const crashAfter = site === 'decide' ? 'putProposal' : 'putSnapshot';
    const store: Store = !armed ? r.replica : new Proxy(r.replica, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== crashAfter || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return async (...args: unknown[]) => {
          await (value as (...a: unknown[]) => Promise<void>).apply(target, args);
          this.history.add({ atMs: this.scheduler.nowMs(), kind: 'crash', observer: region, site: `${site}: died after ${crashAfter}` });
          throw new SimCrash(`${site} invocation died after ${crashAfter}`);
        };
      },
    });
    const votes = this.voteWriters.get(region);
    return { config: this.config, observer: region, clock: r.clock, store, bus: r.bus, dns: r.dns, prober: r.prober, telemetry: silentTelemetry, ...(votes === undefined ? {} : { votes }) };
  }

  /** Runs one invocation; errors are recorded, never thrown into the scheduler. */
  private invoke(region: Region, fn: string, body: () => Promise<unknown>): void {
    body().catch((error: unknown) => {
      if (error instanceof SimCrash || error instanceof ConflictError) return;
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'invocation-error', observer: region, function: fn, message: (error as Error).message });
    });
  }

  private deliver(destination: Region, event: ArbiterEvent): void {
    if (!this.up(destination)) return;
    if (event.type === 'probe-now') {
      this.invoke(destination, 'probeNow', () => new ProbeRuntime(this.deps(destination, 'probe')).answerProbeNow(event));
    } else if (event.type !== 'drill-report') {
      this.invoke(destination, 'decide', () => new DecideRuntime(this.deps(destination, 'decide')).run(event));
    }
  }

  /** One probe invocation: rounds every intervalMs within the period, then a flush. */
  private async probeInvocation(region: Region): Promise<void> {
    const runtime = new ProbeRuntime(this.deps(region, 'probe'));
    const roundsMax = Math.ceil(invocationPeriodMs / this.config.probe.intervalMs);
    const startedMs = this.scheduler.nowMs();
    for (let round = 0; round < roundsMax; round += 1) {
      if (!this.up(region)) return;
      await runtime.round();
      const nextMs = startedMs + (round + 1) * this.config.probe.intervalMs;
      if (round + 1 < roundsMax) await this.scheduler.sleepMs(Math.max(0, nextMs - this.scheduler.nowMs()));
    }
    await runtime.flush();
  }

  private every(offsetMs: number, untilMs: number, run: () => void): void {
    const tick = (atMs: number) => {
      if (atMs > untilMs) return;
      this.scheduler.at(atMs, () => {
        run();
        tick(atMs + invocationPeriodMs);
      });
    };
    tick(offsetMs);
  }

  private scheduleFaults(): void {
    for (const f of this.params.faults) {
      this.scheduler.at(f.atMs, () => {
        this.history.add({ atMs: f.atMs, kind: 'fault-on', fault: f.index, summary: describeFault(f) });
        if (f.spec.kind === 'override') void this.writeOverride(f);
      });
      if (f.spec.kind !== 'override') this.scheduler.at(f.untilMs, () => this.history.add({ atMs: f.untilMs, kind: 'fault-off', fault: f.index, summary: describeFault(f) }));
    }
  }

  /** As the operator API would: an immutable override in that region's replica, then its event. */
  private async writeOverride(f: ActiveFault): Promise<void> {
    const spec = f.spec;
    if (spec.kind !== 'override') return;
    const r = this.regions.get(spec.region)!;
    const createdMs = r.clock.nowMs();
    const override = { id: `ovr-${spec.region}-${f.index}-${createdMs}`, target: spec.target, action: spec.action, createdMs, expiresMs: createdMs + spec.ttlMs, reason: `scenario fault ${f.index}`, actor: `sim-operator@${spec.region}`, force: spec.force, source: 'api' as const };
    await r.replica.appendOverride(override);
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'override', region: spec.region, target: spec.target, action: spec.action, id: override.id, expiresAtMs: f.atMs + spec.ttlMs, force: spec.force });
    await r.bus.publish([{ type: 'override', observer: spec.region, override }]);
  }

  /** Runs the whole scenario: safety phase, then liveness phase. */
  async run(): Promise<void> {
    const endMs = this.scenario.safetyMs + this.scenario.livenessMs;
    for (const p of this.params.regions) {
      this.every(p.probeOffsetMs, endMs, () => { if (this.up(p.region)) this.invoke(p.region, 'probe', () => this.probeInvocation(p.region)); });
      this.every(p.decideOffsetMs, endMs, () => { if (this.up(p.region)) this.invoke(p.region, 'decide', () => new DecideRuntime(this.deps(p.region, 'decide')).run()); });
    }
    this.scheduleFaults();
    await this.scheduler.runUntil(endMs);
  }
}
