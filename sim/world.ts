/**
 * One simulated world: every observer region running the real ProbeRuntime and DecideRuntime
 * through simulated adapters, Lambda-like invocations (a probe invocation a minute looping rounds
 * at probe.intervalMs; a scheduled decide a minute; one invocation per delivered event — so
 * several decide invocations of one region overlap, as asynchronous invocations do), whole-region
 * failures, fault sites (buggify) that kill an invocation half-way through, slow and throttled
 * functions, store outages, and the operator (overrides, their early end, drills) and CloudWatch
 * (alarm state changes, through the real alarm function) acting over time.
 */
import type { ArbiterEvent, Region, ValidConfig } from '../shared/domain';
import { ConflictError, silentTelemetry, TransientError, type Dns, type Store } from '../shared/ports';
import { DecideRuntime, ProbeRuntime, recordAlarmChange, type ObserverDeps } from '../shared/runtime';
import { createDrill, DrillRuntime } from '../shared/runtime/operator/drill-runtime';
import { endOverride } from '../shared/runtime/operator/override-service';
import type { OperatorDeps } from '../shared/runtime/operator/api-types';
import { describeFault, FaultTimeline, instantKinds, type ActiveFault } from './faults';
import { History } from './history';
import type { SimRandom } from './random';
import type { Scenario } from './scenario';
import { Scheduler } from './scheduler';
import { ReplicaStore, replicationDelayMsRange, SimBus, SimClock, SimProber } from './sim-adapters';
import { SimRoute53, SimRoute53Client } from './sim-route53';

/** The schedule of the probe function and of the reconciling decide. */
export const invocationPeriodMs = 60_000;
/** Lambda's asynchronous invocation retries (as the brief of the throttling fault states): two, then the event is lost. */
export const asyncRetryDelaysMs = [60_000, 120_000] as const;
/** The drill function's timeout (Lambda's maximum, 15 minutes). */
export const drillTimeoutMs = 900_000;

class SimCrash extends Error {}

/** What a dead invocation's calls return: a promise that never settles. */
const never = (): Promise<never> => new Promise<never>(() => undefined);

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

type LambdaFunction = 'decide' | 'probe';

const storeMethods = ['readView', 'readOwnSnapshot', 'putSnapshot', 'putProposal', 'putApplied', 'putHeartbeat', 'appendOverride', 'appendOverrideEnd', 'appendSignal', 'appendAudit', 'listAudit', 'putDrill', 'getDrill', 'listDrills'] as const;
const writeMethods: ReadonlySet<string> = new Set(['putSnapshot', 'putProposal', 'putApplied', 'putHeartbeat', 'appendOverride', 'appendOverrideEnd', 'appendSignal', 'appendAudit', 'putDrill']);

export class World {
  readonly scheduler = new Scheduler();
  readonly history = new History();
  readonly timeline: FaultTimeline;
  readonly route53: SimRoute53;
  private readonly regions = new Map<Region, RegionRuntime>();
  private readonly crashRandom: SimRandom;
  private readonly heldRandom: SimRandom;
  private readonly inFlight = new Map<string, number>();
  private readonly overrideIds = new Map<number, string>();
  private readonly storeFaulted: ReadonlySet<Region>;
  private readonly lambdaFaulted: ReadonlySet<string>;
  private idCounter = 0;
  /** Frees the concurrency slot of the invocation being started (set while its body is called: its deps are made synchronously). */
  private releaseCurrent: () => void = () => undefined;

  constructor(readonly config: ValidConfig, readonly scenario: Scenario, readonly params: WorldParams, random: SimRandom) {
    this.timeline = new FaultTimeline(params.faults);
    this.crashRandom = random.fork('crash');
    this.heldRandom = random.fork('replication-held');
    this.storeFaulted = new Set(params.faults.flatMap((f) => (f.spec.kind === 'store-unavailable' ? [f.spec.region] : [])));
    this.lambdaFaulted = new Set(params.faults.flatMap((f) => (f.spec.kind === 'lambda' ? [`${f.spec.region}|${f.spec.function}`] : [])));
    this.route53 = new SimRoute53(config.targets, this.scheduler, this.timeline, random.fork('route53'), this.history, random.fork('route53-processing'));
    const replicationRandom = random.fork('replication');
    const replication = { replicate: (from: Region, apply: (peer: ReplicaStore) => void) => this.replicate(from, apply, replicationRandom) };
    for (const p of params.regions) {
      const clock = new SimClock(this.scheduler, p.clockSkewMs);
      this.regions.set(p.region, {
        params: p,
        clock,
        replica: new ReplicaStore(p.region, replication, this.history, this.scheduler, clock),
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

  /** Whether `region`'s replica answers now (not in a store-unavailable window). */
  storeUp(region: Region): boolean {
    return this.timeline.storeUnavailableUntil(region, this.scheduler.nowMs()) === null;
  }

  private replicate(from: Region, apply: (peer: ReplicaStore) => void, random: SimRandom): void {
    for (const [region, runtime] of this.regions) {
      if (region === from) continue;
      const delayMs = random.uniform(...replicationDelayMsRange) + this.timeline.replicationLagMs(this.scheduler.nowMs(), random);
      // Replication into or out of an unavailable replica waits until it is back.
      const fire = () => {
        const nowMs = this.scheduler.nowMs();
        const until = Math.max(this.timeline.storeUnavailableUntil(from, nowMs) ?? -1, this.timeline.storeUnavailableUntil(region, nowMs) ?? -1);
        if (until >= 0) this.scheduler.at(until + this.heldRandom.uniform(...replicationDelayMsRange), fire);
        else apply(runtime.replica);
      };
      this.scheduler.after(delayMs, fire);
    }
  }

  /**
   * The store one invocation sees: the replica itself, or a wrapper that refuses every call while
   * the replica is unavailable (TransientError, as the DynamoDB adapter after its retries), holds
   * the invocation's first write for a slow function's delay, and kills the invocation after the
   * armed fault site's write.
   */
  private invocationStore(region: Region, site: LambdaFunction, crash: boolean, slow: { pendingMs: number }, release: () => void): Store {
    const replica = this.regions.get(region)!.replica;
    if (!crash && !this.storeFaulted.has(region) && slow.pendingMs === 0) return replica;
    const crashAfter = site === 'decide' ? 'putProposal' : 'putSnapshot';
    const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    let dead = false;
    for (const method of storeMethods) {
      const call = (replica[method] as (...a: unknown[]) => Promise<unknown>).bind(replica);
      wrapped[method] = async (...args: unknown[]) => {
        if (dead) return never();
        if (writeMethods.has(method) && slow.pendingMs > 0) {
          const delay = slow.pendingMs;
          slow.pendingMs = 0;
          await this.scheduler.sleepMs(delay);
        }
        if (!this.storeUp(region)) throw new TransientError(`store replica in ${region} unavailable (${method})`);
        const result = await call(...args);
        if (crash && method === crashAfter) {
          // The invocation dies here: none of its promises ever settles (a rejection could reach a
          // branch nobody awaits any more, such as a pipelined confirmation), it frees its
          // concurrency, and every later call it makes goes nowhere.
          this.history.add({ atMs: this.scheduler.nowMs(), kind: 'crash', observer: region, site: `${site}: died after ${crashAfter}` });
          dead = true;
          release();
          return never();
        }
        return result;
      };
    }
    return wrapped as unknown as Store;
  }

  /** A slow function's Route 53 client: the first change of the invocation waits for the pending delay (the plan was made before it). */
  private invocationDns(region: Region, slow: { pendingMs: number }): Dns {
    const dns = this.regions.get(region)!.dns;
    if (slow.pendingMs === 0) return dns;
    return {
      readRecords: (b, registers) => dns.readRecords(b, registers),
      changeStatus: (id) => dns.changeStatus(id),
      applyChanges: async (zone, changes, decisionId, register) => {
        if (slow.pendingMs > 0) {
          const delay = slow.pendingMs;
          slow.pendingMs = 0;
          await this.scheduler.sleepMs(delay);
        }
        return dns.applyChanges(zone, changes, decisionId, register);
      },
    };
  }

  /** Fresh deps per invocation; an armed fault site makes the store kill the invocation after a write. */
  /** `options.ownFunction: false`: another function (operator API, drill, alarm) borrowing an observer's deps: no fault site, no slow-function delay. */
  private deps(region: Region, site: LambdaFunction, options: { ownFunction?: boolean } = {}): ObserverDeps {
    const r = this.regions.get(region)!;
    const own = options.ownFunction ?? true;
    const armed = own && this.params.buggify && this.crashRandom.chance(this.params.crashRate);
    const slowMs = own && this.lambdaFaulted.has(`${region}|${site}`) ? this.timeline.lambda(region, site, this.scheduler.nowMs()).delayMs : 0;
    const slow = { pendingMs: slowMs };
    const store = this.invocationStore(region, site, armed, slow, this.releaseCurrent);
    return { config: this.config, observer: region, clock: r.clock, store, bus: r.bus, dns: this.invocationDns(region, slow), prober: r.prober, telemetry: silentTelemetry };
  }

  /** The operator API / drill function in `region`: an observer's deps plus deterministic ids; its clock's sleeps end the invocation if the region goes down. */
  private operatorDeps(region: Region): OperatorDeps {
    const base = this.deps(region, 'decide', { ownFunction: false });
    const clock = this.regions.get(region)!.clock;
    return {
      ...base,
      clock: {
        nowMs: () => clock.nowMs(),
        sleepMs: async (ms: number) => {
          await clock.sleepMs(ms);
          if (!this.up(region)) throw new SimCrash(`region ${region} went down during the invocation`);
        },
      },
      newId: (prefix: string) => `${prefix}-${region}-${(this.idCounter += 1)}`,
    };
  }

  /**
   * Runs one asynchronous invocation of `fn`; errors are recorded, never thrown into the scheduler.
   * A throttled function (concurrency in flight at its reserved limit) refuses it; Lambda retries
   * an asynchronous invocation twice with a delay, then the event is lost.
   */
  private invoke(region: Region, fn: string, body: () => Promise<unknown>, attempt = 1): void {
    const lambda = fn === 'decide' ? 'decide' : fn === 'alarm' ? 'alarm' : 'probe';
    const key = `${region}|${lambda}`;
    if (lambda !== 'alarm' && this.lambdaFaulted.has(key)) {
      const { concurrency } = this.timeline.lambda(region, lambda, this.scheduler.nowMs());
      if (concurrency !== null && (this.inFlight.get(key) ?? 0) >= concurrency) {
        const retryInMs = asyncRetryDelaysMs[attempt - 1] ?? null;
        this.history.add({ atMs: this.scheduler.nowMs(), kind: 'lambda-throttled', observer: region, function: fn, attempt, lost: retryInMs === null, retryInMs });
        if (retryInMs !== null) this.scheduler.after(retryInMs, () => { if (this.up(region)) this.invoke(region, fn, body, attempt + 1); });
        return;
      }
    }
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    };
    this.releaseCurrent = release;
    const running = body();
    this.releaseCurrent = () => undefined;
    running
      .catch((error: unknown) => {
        if (error instanceof SimCrash || error instanceof ConflictError) return;
        this.history.add({ atMs: this.scheduler.nowMs(), kind: 'invocation-error', observer: region, function: fn, message: (error as Error).message });
      })
      .finally(release);
  }

  /**
   * Idle containers per region of the decide, probe and probeNow functions: Lambda reuses a warm
   * one (its runtime with it), a concurrent invocation gets a new one; a region that goes down loses them.
   */
  private readonly warmDecide = new Map<Region, WarmContainer<DecideRuntime>[]>();
  private readonly warmProbe = new Map<Region, WarmContainer<ProbeRuntime>[]>();
  private readonly warmProbeNow = new Map<Region, WarmContainer<ProbeRuntime>[]>();

  /**
   * Runs `body` in a warm container of `pool` when one is idle. The runtime (module state) is the
   * container's; what belongs to the invocation — its fault site, a slow function's delay, the
   * replica's availability — comes with this invocation's deps, through the container's store and
   * Route 53 client.
   */
  private inWarm<R, T>(pool: Map<Region, WarmContainer<R>[]>, region: Region, site: LambdaFunction, build: (deps: ObserverDeps) => R, body: (runtime: R) => Promise<T>): Promise<T> {
    const deps = this.deps(region, site);
    const container = (pool.get(region) ?? []).pop() ?? warmContainer(deps, build);
    container.invocation(deps);
    return body(container.runtime).finally(() => {
      if (this.up(region)) pool.set(region, [...(pool.get(region) ?? []), container]);
    });
  }

  private decideInvocation(region: Region, trigger?: ArbiterEvent): Promise<unknown> {
    return this.inWarm(this.warmDecide, region, 'decide', (d) => new DecideRuntime(d), (runtime) => runtime.run(trigger));
  }

  private deliver(destination: Region, event: ArbiterEvent): void {
    if (!this.up(destination)) return;
    if (event.type === 'probe-now') {
      this.invoke(destination, 'probeNow', () => this.inWarm(this.warmProbeNow, destination, 'probe', (d) => new ProbeRuntime(d), (runtime) => runtime.answerProbeNow(event)));
    } else if (event.type !== 'drill-report') {
      this.invoke(destination, 'decide', () => this.decideInvocation(destination, event));
    }
  }

  /** One probe invocation: rounds every intervalMs within the period, then a flush. */
  private probeInvocation(region: Region): Promise<void> {
    return this.inWarm(this.warmProbe, region, 'probe', (d) => new ProbeRuntime(d), (runtime) => this.probeLoop(region, runtime));
  }

  private async probeLoop(region: Region, runtime: ProbeRuntime): Promise<void> {
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
        const kind = f.spec.kind;
        if (kind === 'override') void this.writeOverride(f);
        if (kind === 'override-end') void this.endOverride(f);
        if (kind === 'drill') void this.runDrill(f);
        if (kind === 'alarm') this.deliverAlarm(f);
        // A region outage takes its Lambda containers with it: after it, every function starts cold.
        if (kind === 'region-down') for (const pool of [this.warmDecide, this.warmProbe, this.warmProbeNow]) pool.delete(f.spec.region);
      });
      if (!instantKinds.has(f.spec.kind)) this.scheduler.at(f.untilMs, () => this.history.add({ atMs: f.untilMs, kind: 'fault-off', fault: f.index, summary: describeFault(f) }));
    }
  }

  /** As the operator API would: an immutable override in that region's replica, then its event. */
  private async writeOverride(f: ActiveFault): Promise<void> {
    const spec = f.spec;
    if (spec.kind !== 'override') return;
    const r = this.regions.get(spec.region)!;
    if (!this.up(spec.region) || !this.storeUp(spec.region)) {
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'operator-action', region: spec.region, action: 'override', outcome: 'unreachable', detail: `override of fault ${f.index} not written: region or its store is down` });
      return;
    }
    const createdMs = r.clock.nowMs();
    const id = spec.id ?? `ovr-${spec.region}-${f.index}-${createdMs}`;
    this.overrideIds.set(f.index, id);
    const override = { id, target: spec.target, action: spec.action, createdMs, expiresMs: createdMs + spec.ttlMs, reason: `scenario fault ${f.index}`, actor: `sim-operator@${spec.region}`, force: spec.force, source: 'api' as const };
    await r.replica.appendOverride(override);
    await r.bus.publish([{ type: 'override', observer: spec.region, override }]);
  }

  /** The operator ends an override early through the API in `region` (the real endOverride, on that region's replica). */
  private async endOverride(f: ActiveFault): Promise<void> {
    const spec = f.spec;
    if (spec.kind !== 'override-end') return;
    const id = this.overrideIds.get(spec.override);
    const refuse = (outcome: string, detail: string) => this.history.add({ atMs: this.scheduler.nowMs(), kind: 'operator-action', region: spec.region, action: 'override-end', outcome, detail });
    if (id === undefined) return refuse('not-found', `override of fault ${spec.override} was never written`);
    if (!this.up(spec.region) || !this.storeUp(spec.region)) return refuse('unreachable', `region ${spec.region} or its store is down`);
    try {
      const outcome = await endOverride(this.operatorDeps(spec.region), id, { actor: `sim-operator@${spec.region}`, reason: `scenario fault ${f.index}` });
      if (outcome.kind !== 'ended') refuse(outcome.kind, `override ${id}`);
    } catch (error) {
      refuse('error', (error as Error).message);
    }
  }

  /** An operator starts a drill in `region`: the real createDrill, then the drill function's invocation (DrillRuntime.run). */
  private async runDrill(f: ActiveFault): Promise<void> {
    const spec = f.spec;
    if (spec.kind !== 'drill') return;
    if (!this.up(spec.region) || !this.storeUp(spec.region)) {
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'operator-action', region: spec.region, action: 'drill', outcome: 'unreachable', detail: `region ${spec.region} or its store is down` });
      return;
    }
    const deps = this.operatorDeps(spec.region);
    const startedMs = this.scheduler.nowMs();
    try {
      const record = await createDrill(deps, { target: spec.target, mode: spec.mode, holdSeconds: spec.holdSeconds, startedBy: `sim-operator@${spec.region}` });
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'drill', region: spec.region, target: spec.target, mode: spec.mode, drillId: record.id, phase: 'start', status: record.status });
      if (record.status !== 'running') return;
      const done = await new DrillRuntime(deps, { remainingMs: () => drillTimeoutMs - (this.scheduler.nowMs() - startedMs) }).run(record.id);
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'drill', region: spec.region, target: spec.target, mode: spec.mode, drillId: record.id, phase: 'finish', status: done.status });
    } catch (error) {
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'operator-action', region: spec.region, action: 'drill', outcome: error instanceof SimCrash ? 'died' : 'error', detail: (error as Error).message });
    }
  }

  /** A CloudWatch alarm state change: the alarm function of every observer region that is up records it (the real recordAlarmChange). */
  private deliverAlarm(f: ActiveFault): void {
    const spec = f.spec;
    if (spec.kind !== 'alarm') return;
    const regions = this.config.observers.filter((r) => this.up(r));
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'alarm', alarm: spec.alarm, state: spec.state, regions });
    for (const region of regions) {
      this.invoke(region, 'alarm', () => recordAlarmChange(this.deps(region, 'probe', { ownFunction: false }), { alarmName: spec.alarm, state: spec.state, changedMs: this.scheduler.nowMs() }));
    }
  }

  /** Runs the whole scenario: safety phase, then liveness phase. */
  async run(): Promise<void> {
    const endMs = this.scenario.safetyMs + this.scenario.livenessMs;
    for (const p of this.params.regions) {
      this.every(p.probeOffsetMs, endMs, () => { if (this.up(p.region)) this.invoke(p.region, 'probe', () => this.probeInvocation(p.region)); });
      this.every(p.decideOffsetMs, endMs, () => { if (this.up(p.region)) this.invoke(p.region, 'decide', () => this.decideInvocation(p.region)); });
    }
    this.scheduleFaults();
    await this.scheduler.runUntil(endMs);
  }
}

/** A Lambda container: a runtime built once, and the invocation it is serving now. */
interface WarmContainer<R> {
  runtime: R;
  /** Points the container's store and Route 53 client at this invocation's. */
  invocation(deps: ObserverDeps): void;
}

/** Forwards every call to whatever `current()` is at the time of the call. */
function forwarding<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get: (_, property) => {
      const target = current() as Record<PropertyKey, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function warmContainer<R>(first: ObserverDeps, build: (deps: ObserverDeps) => R): WarmContainer<R> {
  let current = first;
  const runtime = build({ ...first, store: forwarding<Store>(() => current.store), dns: forwarding<Dns>(() => current.dns) });
  return { runtime, invocation: (deps) => { current = deps; } };
}
