/**
 * The fault timeline of one run: scenario faults with their times drawn from the seed, and the
 * questions the simulated world asks of it ("is this path partitioned at t?"). Every fault ends
 * when the safety phase ends. Operator actions and alarm changes are instants (untilMs = atMs):
 * they happen once and are never "active" (an override carries its own expiry).
 */
import type { Region } from '../shared/domain';
import type { SimRandom } from './random';
import type { FaultSpec, Scenario } from './scenario';

export interface ActiveFault {
  index: number;
  spec: FaultSpec;
  atMs: number;
  untilMs: number;
}

export interface PathCondition {
  down: boolean;
  /** Extra latency added to every answer (a slow application or a slow path). */
  latencyMs: number | null;
  lossRate: number;
}

function draw(value: number | readonly [number, number], random: SimRandom): number {
  return typeof value === 'number' ? value : random.int(value[0], value[1]);
}

/** Faults that happen at one instant rather than over a window. */
export const instantKinds: ReadonlySet<FaultSpec['kind']> = new Set(['override', 'override-end', 'drill', 'alarm']);

export interface BusCondition {
  lossRate: number;
  duplicateRate: number;
  reorderMsMax: number;
  /** One loss draw per event for every destination. */
  correlated: boolean;
}

export interface LambdaCondition {
  /** Added to each invocation (0: none). */
  delayMs: number;
  /** Invocations allowed in flight (null: unlimited). */
  concurrency: number | null;
}

export function resolveFaults(scenario: Scenario, random: SimRandom): ActiveFault[] {
  return scenario.faults.map((spec, index) => {
    const atMs = draw(spec.atMs, random);
    const until = 'untilMs' in spec && spec.untilMs !== undefined ? draw(spec.untilMs, random) : scenario.safetyMs;
    return { index, spec, atMs, untilMs: instantKinds.has(spec.kind) ? atMs : Math.min(Math.max(until, atMs), scenario.safetyMs) };
  });
}

export class FaultTimeline {
  constructor(readonly faults: readonly ActiveFault[]) {}

  private active(atMs: number): ActiveFault[] {
    return this.faults.filter((f) => !instantKinds.has(f.spec.kind) && f.atMs <= atMs && atMs < f.untilMs);
  }

  regionDown(region: Region, atMs: number): boolean {
    return this.active(atMs).some((f) => f.spec.kind === 'region-down' && f.spec.region === region);
  }

  /** What the application in `target` looks like from anywhere at `atMs`. */
  targetCondition(target: Region, atMs: number): PathCondition {
    const condition: PathCondition = { down: this.regionDown(target, atMs), latencyMs: null, lossRate: 0 };
    for (const f of this.active(atMs)) {
      const s = f.spec;
      if (s.kind !== 'target' || (s.target !== target && s.target !== '*')) continue;
      if (s.behaviour === 'down') condition.down = true;
      if (s.behaviour === 'slow') condition.latencyMs = s.latencyMs ?? 1500;
      if (s.behaviour === 'flaky') condition.lossRate = Math.max(condition.lossRate, s.lossRate ?? 0.05);
      if (s.behaviour === 'flap') {
        const upMs = s.upMs ?? 60_000;
        const downMs = s.downMs ?? 60_000;
        if ((atMs - f.atMs) % (upMs + downMs) < downMs) condition.down = true;
      }
    }
    return condition;
  }

  /** What `target` looks like from `observer` at `atMs`: the application plus this path. */
  pathCondition(observer: Region, target: Region, atMs: number): PathCondition {
    const condition = this.targetCondition(target, atMs);
    for (const f of this.active(atMs)) {
      const s = f.spec;
      if (s.kind !== 'path' || (s.observer !== observer && s.observer !== '*') || (s.target !== target && s.target !== '*')) continue;
      if (s.behaviour === 'partitioned') condition.down = true;
      if (s.behaviour === 'slow') condition.latencyMs = Math.max(condition.latencyMs ?? 0, s.latencyMs ?? 1500);
      if (s.behaviour === 'flaky') condition.lossRate = Math.max(condition.lossRate, s.lossRate ?? 0.05);
    }
    return condition;
  }

  bus(atMs: number): BusCondition {
    const out: BusCondition = { lossRate: 0, duplicateRate: 0, reorderMsMax: 0, correlated: false };
    for (const f of this.active(atMs)) {
      if (f.spec.kind !== 'bus') continue;
      const burst = f.spec.burst;
      const inBurst = burst === undefined || (atMs - f.atMs) % (burst.onMs + burst.offMs) < burst.onMs;
      if (inBurst && f.spec.lossRate > out.lossRate) {
        out.lossRate = f.spec.lossRate;
        out.correlated = f.spec.correlated ?? false;
      }
      out.duplicateRate = Math.max(out.duplicateRate, f.spec.duplicateRate);
      out.reorderMsMax = Math.max(out.reorderMsMax, f.spec.reorderMsMax);
    }
    return out;
  }

  /** Whether events published in `from` are dropped on their way to `to` at `atMs`. */
  busPartitioned(from: Region, to: Region, atMs: number): boolean {
    return this.active(atMs).some((f) => f.spec.kind === 'bus-partition' && (f.spec.from === from || f.spec.from === '*') && (f.spec.to === to || f.spec.to === '*'));
  }

  /** The end of the store outage `region` is in at `atMs`, or null when its replica answers. */
  storeUnavailableUntil(region: Region, atMs: number): number | null {
    let until: number | null = null;
    for (const f of this.active(atMs)) if (f.spec.kind === 'store-unavailable' && f.spec.region === region) until = Math.max(until ?? 0, f.untilMs);
    return until;
  }

  lambda(region: Region, fn: 'decide' | 'probe', atMs: number): LambdaCondition {
    const out: LambdaCondition = { delayMs: 0, concurrency: null };
    for (const f of this.active(atMs)) {
      const s = f.spec;
      if (s.kind !== 'lambda' || s.region !== region || s.function !== fn) continue;
      if (s.behaviour === 'slow') out.delayMs = Math.max(out.delayMs, s.delayMs ?? 10_000);
      if (s.behaviour === 'throttled') out.concurrency = Math.min(out.concurrency ?? Number.POSITIVE_INFINITY, s.reservedConcurrency ?? 0);
    }
    return out;
  }

  /** Extra replication delay drawn for a write at `atMs` (0 outside lag spikes). */
  replicationLagMs(atMs: number, random: SimRandom): number {
    let lagMs = 0;
    for (const f of this.active(atMs)) if (f.spec.kind === 'replication-lag') lagMs = Math.max(lagMs, draw(f.spec.delayMs, random));
    return lagMs;
  }

  route53Throttle(atMs: number): { burst: number; refillPerSecond: number } | null {
    const f = this.active(atMs).find((a) => a.spec.kind === 'route53-throttle');
    return f !== undefined && f.spec.kind === 'route53-throttle' ? { burst: f.spec.burst, refillPerSecond: f.spec.refillPerSecond } : null;
  }

  /** The Route 53 control plane is down: an outage fault, or a region-down that takes it along (us-east-1 hosts it). */
  route53Down(atMs: number): boolean {
    return this.active(atMs).some((f) => f.spec.kind === 'route53-outage' || (f.spec.kind === 'region-down' && f.spec.route53ControlPlane === true));
  }
}

export function describeFault(f: ActiveFault): string {
  const s = f.spec;
  const when = instantKinds.has(s.kind) ? `at ${f.atMs} ms` : `${f.atMs}–${f.untilMs} ms`;
  switch (s.kind) {
    case 'target': return `target ${s.target} ${s.behaviour}${s.latencyMs ? ` ${s.latencyMs} ms` : ''}${s.lossRate ? ` loss ${s.lossRate}` : ''} ${when}`;
    case 'path': return `path ${s.observer}→${s.target} ${s.behaviour}${s.latencyMs ? ` ${s.latencyMs} ms` : ''}${s.lossRate ? ` loss ${s.lossRate}` : ''} ${when}`;
    case 'region-down': return `region ${s.region} down (application and Arbiter${s.route53ControlPlane ? ', and the Route 53 control plane' : ''}) ${when}`;
    case 'bus': return `bus loss ${s.lossRate}${s.correlated ? ' (correlated)' : ''}${s.burst ? ` in bursts ${s.burst.onMs} ms on / ${s.burst.offMs} ms off` : ''}, duplicates ${s.duplicateRate}, reorder ≤${s.reorderMsMax} ms ${when}`;
    case 'bus-partition': return `bus partition ${s.from}→${s.to} (events dropped) ${when}`;
    case 'replication-lag': return `replication lag ${JSON.stringify(s.delayMs)} ms ${when}`;
    case 'store-unavailable': return `store replica in ${s.region} unavailable ${when}`;
    case 'route53-throttle': return `Route 53 throttling (burst ${s.burst}, ${s.refillPerSecond}/s) ${when}`;
    case 'route53-outage': return `Route 53 control plane down ${when}`;
    case 'lambda': return `lambda ${s.function} in ${s.region} ${s.behaviour}${s.behaviour === 'slow' ? ` +${s.delayMs ?? 10_000} ms` : ` (reserved concurrency ${s.reservedConcurrency ?? 0})`} ${when}`;
    case 'alarm': return `alarm ${s.alarm} → ${s.state} ${when}`;
    case 'override': return `override ${s.id ? `${s.id} ` : ''}${s.action} ${s.target}${s.force ? ' (force)' : ''} written in ${s.region} ${when}, ttl ${s.ttlMs} ms`;
    case 'override-end': return `operator ends the override of fault ${s.override} through ${s.region} ${when}`;
    case 'drill': return `${s.mode} drill of ${s.target} (hold ${s.holdSeconds} s) started in ${s.region} ${when}`;
  }
}
