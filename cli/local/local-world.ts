/**
 * The local control plane behind `npm start`: three observer regions in one process, each with
 * the real ProbeRuntime / DecideRuntime / DrillRuntime on real timers, its own store replica
 * (replicated after a delay), a bus that delivers after a delay and routes events like the
 * EventBridge rules, one shared Route 53 stand-in, and one sample app per target region.
 *
 *   sample apps (http) ◀── probe loop (per region, every probe.intervalMs) ──▶ replica ──(delay)──▶ peers
 *                                   │ events ──(delay)──▶ every region: probe-now → probe, others → decide
 *   decide (on events + reconcile every reconcileIntervalMs) ──▶ Route 53 stand-in (weights)
 *
 * An observer can be switched, to show the protocol's claim in the local run:
 *   running       as deployed
 *   stopped       the region is down: no probe, no decide, no API (503); its heartbeats go stale
 *   partitioned   cut off from the targets: every probe it sends fails, so it alone judges every
 *                 target unhealthy, and a quorum of the others keeps them serving
 */
import { randomUUID } from 'node:crypto';
import { MemoryDns } from '../../shared/adapters/memory';
import { HttpProber } from '../../shared/adapters/http/http-prober';
import { SystemClock } from '../../shared/adapters/aws/system-clock';
import type { ArbiterEvent, Region, ValidConfig } from '../../shared/domain';
import type { Bus, Prober, Telemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime, runProbeLoop, type ObserverDeps } from '../../shared/runtime';
import { handleApiRequest } from '../../shared/runtime/operator/api-router';
import type { ApiRequest, ApiResponse, OperatorDeps } from '../../shared/runtime/operator/api-types';
import { DrillRuntime } from '../../shared/runtime/operator/drill-runtime';
import { ReplicatedStore } from './replicated-store';
import { eventDescriber, Timeline } from './timeline';

export interface LocalWorldOptions {
  /** Store replication delay between regions. */
  replicationDelayMs?: number;
  /** Delivery delay of an event to its own region's rules. */
  eventDelayMs?: number;
  /** Extra delay for an event forwarded to a peer region's bus. */
  crossRegionDelayMs?: number;
  /** The scheduled reconcile of every decide function. */
  reconcileIntervalMs?: number;
}

/**
 * Delays: an event reaches a peer region after the store has replicated everything written before it
 * (eventDelayMs + crossRegionDelayMs > replicationDelayMs), so a decider triggered by a peer's event
 * never reads that peer's older proposals next to its newer decision. With events faster than
 * replication a drain/serve flap was seen once during development (not reproduced since); the local
 * run keeps the causal order so the demo shows the protocol, not that race.
 */
export const localDefaults = { replicationDelayMs: 300, eventDelayMs: 50, crossRegionDelayMs: 350, reconcileIntervalMs: 2_000 } as const;
/** Jobs waiting per region and function; beyond this an event is reported and left to the next reconcile. */
export const queuedJobsMax = 200;
/** Time kept back by the probe loop, as in Lambda. */
const probeReserveMs = 500;

/** Runs jobs one at a time (one Lambda container), bounded. */
class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  pending = 0;

  constructor(private readonly name: string, private readonly onError: (message: string) => void) {}

  push(job: () => Promise<unknown>): void {
    if (this.pending >= queuedJobsMax) {
      this.onError(`${this.name}: ${queuedJobsMax} jobs already queued; an event is left to the next reconcile`);
      return;
    }
    this.pending += 1;
    this.tail = this.tail.then(job).then(
      () => void (this.pending -= 1),
      (error: unknown) => {
        this.pending -= 1;
        this.onError(`${this.name} failed: ${(error as Error).message}`);
      },
    );
  }

  async drain(): Promise<void> {
    await this.tail;
  }
}

export type ObserverMode = 'running' | 'stopped' | 'partitioned';
export const observerModes: readonly ObserverMode[] = ['running', 'stopped', 'partitioned'];

export function isObserverMode(value: unknown): value is ObserverMode {
  return typeof value === 'string' && (observerModes as readonly string[]).includes(value);
}

/** Log lines that are an implementation's own retries, not news for an operator. */
const routineMessages = new Set(['verdict snapshot changed underneath; re-reading', 'drill already claimed by another invocation', 'a concurrent decide pass wrote first; deciding again from the store']);

/**
 * True for a line the timeline leaves out: a routine retry, or a Route 53 batch refused because
 * another observer changed the records first (the compare-and-swap working; the pass re-reads).
 */
export function isRoutineLogLine(message: string, context?: Record<string, unknown>): boolean {
  return routineMessages.has(message) || (message === 'Route 53 change failed' && context?.code === 'conflict');
}

/** A prober that fails every probe while its observer is partitioned from the targets. */
function partitionableProber(inner: Prober, partitioned: () => boolean): Prober {
  return {
    probe: async (target, endpointIndex, endpoint) => {
      if (!partitioned()) return inner.probe(target, endpointIndex, endpoint);
      return { target, endpointIndex, startedMs: Date.now(), latencyMs: 0, error: { kind: 'partitioned', message: 'observer partitioned from the targets (local run switch)' } };
    },
  };
}

export interface LocalRegion {
  observer: Region;
  mode: ObserverMode;
  store: ReplicatedStore;
  deps: OperatorDeps;
  decide: DecideRuntime;
  probeNow: ProbeRuntime;
  probeQueue: SerialQueue;
  decideQueue: SerialQueue;
  loop: Promise<void> | null;
}

export class LocalWorld {
  readonly clock = new SystemClock();
  readonly dns: MemoryDns;
  readonly timeline = new Timeline();
  private readonly describeEvent = eventDescriber();
  readonly regions: LocalRegion[];
  private readonly options: Required<LocalWorldOptions>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private reconcileTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private nextId = 1;

  constructor(readonly config: ValidConfig, options: LocalWorldOptions = {}) {
    this.options = { ...localDefaults, ...options };
    this.dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
    this.regions = config.observers.map((observer) => this.buildRegion(observer));
    for (const region of this.regions) region.store.connect(this.regions.map((r) => r.store));
  }

  private telemetryFor(observer: Region): Telemetry {
    return {
      info: () => {},
      warn: (message, context) => {
        if (!isRoutineLogLine(message, context)) this.timeline.add({ observer, kind: 'warning', text: withContext(message, context) });
      },
      error: (message, context) => {
        if (!isRoutineLogLine(message, context)) this.timeline.add({ observer, kind: 'error', text: withContext(message, context) });
      },
      metric: () => {},
    };
  }

  private buildRegion(observer: Region): LocalRegion {
    const report = (message: string) => this.timeline.add({ observer, kind: 'error', text: message });
    const store = new ReplicatedStore(observer, this.options.replicationDelayMs, report);
    const bus: Bus = { publish: async (events) => this.publish(observer, events) };
    const prober = partitionableProber(new HttpProber({ observer, userAgent: 'arbiter-local/1' }), () => this.modeOf(observer) === 'partitioned');
    const base: ObserverDeps = { config: this.config, observer, clock: this.clock, store, bus, dns: this.dns, prober, telemetry: this.telemetryFor(observer) };
    const deps: OperatorDeps = {
      ...base,
      newId: (prefix) => `${prefix}-${Date.now().toString(36)}-${String(this.nextId++).padStart(4, '0')}`,
      launchDrill: async (drillId) => {
        // As the drill function runs: asynchronously; its report arrives as a 'drill-report' event.
        void new DrillRuntime(deps).run(drillId).catch((error: unknown) => report(`drill ${drillId} failed: ${(error as Error).message}`));
      },
    };
    return {
      observer, mode: 'running', store, deps,
      decide: new DecideRuntime(deps),
      // A separate instance, as the probeNow Lambda is a separate function from the probe loop.
      probeNow: new ProbeRuntime(deps),
      probeQueue: new SerialQueue(`${observer} probe-now`, report),
      decideQueue: new SerialQueue(`${observer} decide`, report),
      loop: null,
    };
  }

  /** A region's bus: the event reaches its own rules after eventDelayMs and every peer's after the cross-region delay too. */
  private async publish(origin: Region, events: readonly ArbiterEvent[]): Promise<void> {
    if (this.stopping) return;
    for (const event of events) {
      const line = this.describeEvent(event);
      if (line !== null) this.timeline.add({ observer: origin, kind: line.kind, text: line.text });
      for (const region of this.regions) {
        const delayMs = this.options.eventDelayMs + (region.observer === origin ? 0 : this.options.crossRegionDelayMs);
        this.later(delayMs, () => this.route(region, structuredClone(event)));
      }
    }
  }

  private modeOf(observer: Region): ObserverMode {
    return this.regions?.find((r) => r.observer === observer)?.mode ?? 'running';
  }

  /**
   * Switches an observer (see the header). Returns false for an unknown observer.
   * @example world.setObserverMode('eu-west-1', 'partitioned')
   */
  setObserverMode(observer: Region, mode: ObserverMode): boolean {
    const region = this.regions.find((r) => r.observer === observer);
    if (region === undefined) return false;
    if (region.mode === mode) return true;
    region.mode = mode;
    const what = { running: 'running again', stopped: 'stopped (region down: no probe, decide or API)', partitioned: 'partitioned from the targets: its probes fail' }[mode];
    this.timeline.add({ observer: null, kind: 'sample', text: `observer ${observer} ${what}` });
    return true;
  }

  /** The EventBridge rules of one region's bus. */
  private route(region: LocalRegion, event: ArbiterEvent): void {
    if (this.stopping || region.mode === 'stopped') return;
    if (event.type === 'probe-now') {
      region.probeQueue.push(() => region.probeNow.answerProbeNow({ observer: event.observer, target: event.target, alarmName: event.alarmName }));
    } else if (event.type !== 'drill-report') {
      region.decideQueue.push(() => region.decide.run(event));
    }
  }

  private later(delayMs: number, job: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      job();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Starts every region's probe loop and the scheduled reconcile. */
  start(): void {
    for (const region of this.regions) region.loop = this.probeLoop(region);
    this.reconcileTimer = setInterval(() => {
      for (const region of this.regions) if (region.mode !== 'stopped') region.decideQueue.push(() => region.decide.run());
    }, this.options.reconcileIntervalMs);
    this.timeline.add({ observer: null, kind: 'info', text: `local control plane started: ${this.regions.length} observers, probing every ${this.config.probe.intervalMs} ms` });
  }

  /** Back-to-back probe "invocations", each one runProbeLoop as the Lambda runs it. */
  private async probeLoop(region: LocalRegion): Promise<void> {
    while (!this.stopping) {
      if (region.mode === 'stopped') {
        await this.clock.sleepMs(Math.min(this.config.probe.intervalMs, 500));
        continue;
      }
      const runtime = new ProbeRuntime(region.deps);
      try {
        await runProbeLoop(runtime, region.deps, { remainingMs: () => (this.stopping || region.mode === 'stopped' ? 0 : Number.MAX_SAFE_INTEGER), reserveMs: probeReserveMs });
      } catch (error) {
        this.timeline.add({ observer: region.observer, kind: 'error', text: `probe invocation failed: ${(error as Error).message}` });
        if (!this.stopping) await this.clock.sleepMs(this.config.probe.intervalMs);
      }
    }
  }

  /** Serves one operator API request as the given region's `api` function. */
  async api(observer: Region, request: ApiRequest): Promise<ApiResponse> {
    const region = this.regions.find((r) => r.observer === observer);
    if (region === undefined) return { statusCode: 404, body: { error: `no observer region ${observer} (known: ${this.config.observers.join(', ')})` } };
    // A stopped region's API Gateway does not answer: the CLI and the dashboard fail over.
    if (region.mode === 'stopped') return { statusCode: 503, body: { error: `observer ${observer} is stopped (local run switch)` } };
    return handleApiRequest(region.deps, request);
  }

  /** Stops timers and loops; waits for the work in flight (bounded by one probe round). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconcileTimer !== null) clearInterval(this.reconcileTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.regions.map(async (r) => Promise.all([r.loop, r.probeQueue.drain(), r.decideQueue.drain()])));
    for (const region of this.regions) region.store.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** A log line in words: its message, then its context's plain values (no JSON). */
export function withContext(message: string, context?: Record<string, unknown>): string {
  const words = Object.entries(context ?? {}).flatMap(([key, value]) => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [`${key} ${String(value)}`];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return [`${key} ${value.join(', ')}`];
    return [];
  });
  return (words.length === 0 ? message : `${message}: ${words.join('; ')}`).slice(0, 300);
}

/** A request id for locally served API calls. */
export function localRequestId(): string {
  return `local-${randomUUID()}`;
}
