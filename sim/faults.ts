/**
 * The fault timeline of one run: scenario faults with their times drawn from the seed, and the
 * questions the simulated world asks of it ("is this path partitioned at t?"). Every fault ends
 * when the safety phase ends (overrides excepted: they carry their own expiry).
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

export function resolveFaults(scenario: Scenario, random: SimRandom): ActiveFault[] {
  return scenario.faults.map((spec, index) => {
    const atMs = draw(spec.atMs, random);
    const until = 'untilMs' in spec && spec.untilMs !== undefined ? draw(spec.untilMs, random) : scenario.safetyMs;
    return { index, spec, atMs, untilMs: spec.kind === 'override' ? atMs : Math.min(Math.max(until, atMs), scenario.safetyMs) };
  });
}

export class FaultTimeline {
  constructor(readonly faults: readonly ActiveFault[]) {}

  private active(atMs: number): ActiveFault[] {
    return this.faults.filter((f) => f.spec.kind !== 'override' && f.atMs <= atMs && atMs < f.untilMs);
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

  bus(atMs: number): { lossRate: number; duplicateRate: number; reorderMsMax: number } {
    const out = { lossRate: 0, duplicateRate: 0, reorderMsMax: 0 };
    for (const f of this.active(atMs)) {
      if (f.spec.kind !== 'bus') continue;
      out.lossRate = Math.max(out.lossRate, f.spec.lossRate);
      out.duplicateRate = Math.max(out.duplicateRate, f.spec.duplicateRate);
      out.reorderMsMax = Math.max(out.reorderMsMax, f.spec.reorderMsMax);
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

  route53Down(atMs: number): boolean {
    return this.active(atMs).some((f) => f.spec.kind === 'route53-outage');
  }
}

export function describeFault(f: ActiveFault): string {
  const s = f.spec;
  const when = s.kind === 'override' ? `at ${f.atMs} ms` : `${f.atMs}–${f.untilMs} ms`;
  switch (s.kind) {
    case 'target': return `target ${s.target} ${s.behaviour}${s.latencyMs ? ` ${s.latencyMs} ms` : ''}${s.lossRate ? ` loss ${s.lossRate}` : ''} ${when}`;
    case 'path': return `path ${s.observer}→${s.target} ${s.behaviour} ${when}`;
    case 'region-down': return `region ${s.region} down (application and Arbiter) ${when}`;
    case 'bus': return `bus loss ${s.lossRate}, duplicates ${s.duplicateRate}, reorder ≤${s.reorderMsMax} ms ${when}`;
    case 'replication-lag': return `replication lag ${JSON.stringify(s.delayMs)} ms ${when}`;
    case 'route53-throttle': return `Route 53 throttling (burst ${s.burst}, ${s.refillPerSecond}/s) ${when}`;
    case 'route53-outage': return `Route 53 control plane down ${when}`;
    case 'override': return `override ${s.action} ${s.target}${s.force ? ' (force)' : ''} written in ${s.region} ${when}, ttl ${s.ttlMs} ms`;
  }
}
