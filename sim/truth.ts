/**
 * Ground truth: what really happened to each target and observer, read from the fault timeline
 * alone — never from what any observer believed. The checker judges every Route 53 state against
 * these answers.
 *
 *   failing(t)  the application in that region really fails for everyone: down, a flap's down
 *               phase, slower than its latency limit (gray), or losing at least half its answers
 *   fine(t)     no fault of any kind on the application (paths are an observer's problem, not
 *               the target's)
 *   alive(o,t)  the observer region is up
 *   linked(o,t) alive, and able to exchange evidence with its peers through the store or the bus
 */
import type { Region, ValidConfig } from '../shared/domain';
import type { ActiveFault } from './faults';

/** A target losing at least this share of its answers is failing, whatever the observers see. */
export const failingLossRateMin = 0.5;

/** Fault specs are read loosely so that kinds added to the scenario format are understood here by name. */
type LooseSpec = { kind: string; [field: string]: unknown };

function spec(f: ActiveFault): LooseSpec {
  return f.spec as unknown as LooseSpec;
}

function activeAt(f: ActiveFault, atMs: number): boolean {
  return spec(f).kind !== 'override' && f.atMs <= atMs && atMs < f.untilMs;
}

function names(value: unknown, region: Region): boolean {
  return value === region || value === '*';
}

export class GroundTruth {
  private readonly latencyLimitMs = new Map<Region, number>();

  constructor(private readonly config: ValidConfig, private readonly faults: readonly ActiveFault[]) {
    for (const target of config.targets) {
      const limits = target.endpoints.map((e) => e.latencyMsMax).filter((l): l is number => l !== undefined);
      this.latencyLimitMs.set(target.region, limits.length > 0 ? Math.min(...limits) : Number.POSITIVE_INFINITY);
    }
  }

  regionDown(region: Region, atMs: number): boolean {
    return this.faults.some((f) => activeAt(f, atMs) && spec(f).kind === 'region-down' && spec(f)['region'] === region);
  }

  alive(observer: Region, atMs: number): boolean {
    return !this.regionDown(observer, atMs);
  }

  /**
   * The `indict` alarm on `target` in ALARM at `atMs`, if any: the scenario says the application's own
   * metric crossed its threshold, which Arbiter is configured to take as the target failing.
   */
  indictedBy(target: Region, atMs: number): string | null {
    for (const alarm of this.config.alarms.filter((a) => a.target === target && a.effect === 'indict')) {
      const changes = this.faults.filter((f) => spec(f).kind === 'alarm' && spec(f)['alarm'] === alarm.name && f.atMs <= atMs).sort((a, b) => a.atMs - b.atMs);
      if (changes.length > 0 && spec(changes[changes.length - 1]!)['state'] === 'ALARM') return alarm.name;
    }
    return null;
  }

  /** Why `target` is really failing at `atMs`, or null when it is not. */
  failing(target: Region, atMs: number): string | null {
    if (this.regionDown(target, atMs)) return 'region down';
    const alarm = this.indictedBy(target, atMs);
    if (alarm !== null) return `indicted by alarm ${alarm}`;
    for (const f of this.faults) {
      const s = spec(f);
      if (!activeAt(f, atMs) || s.kind !== 'target' || !names(s['target'], target)) continue;
      if (s['behaviour'] === 'down') return 'down';
      if (s['behaviour'] === 'flap') {
        const upMs = (s['upMs'] as number | undefined) ?? 60_000;
        const downMs = (s['downMs'] as number | undefined) ?? 60_000;
        if ((atMs - f.atMs) % (upMs + downMs) < downMs) return 'flap (down phase)';
      }
      if (s['behaviour'] === 'slow' && ((s['latencyMs'] as number | undefined) ?? 1500) > (this.latencyLimitMs.get(target) ?? Number.POSITIVE_INFINITY)) return 'gray (slower than latencyMsMax)';
      if (s['behaviour'] === 'flaky' && ((s['lossRate'] as number | undefined) ?? 0.05) >= failingLossRateMin) return 'flaky (half its answers or more lost)';
    }
    return null;
  }

  /** No fault at all on the application in [fromMs, toMs]. */
  fineThroughout(target: Region, fromMs: number, toMs: number): boolean {
    return !this.faults.some((f) => {
      const s = spec(f);
      const onTarget = (s.kind === 'target' && names(s['target'], target)) || (s.kind === 'region-down' && s['region'] === target);
      return onTarget && f.atMs <= toMs && f.untilMs > fromMs;
    }) && this.indictedBy(target, fromMs) === null && this.indictedBy(target, toMs) === null;
  }

  /** When the last failing stretch of `target` ended at or before `atMs` (null if it never failed). */
  lastFailingEndMs(target: Region, atMs: number): number | null {
    let end: number | null = null;
    for (const f of this.faults) {
      const s = spec(f);
      const onTarget = (s.kind === 'target' && names(s['target'], target)) || (s.kind === 'region-down' && s['region'] === target);
      if (onTarget && f.atMs <= atMs) end = Math.max(end ?? 0, Math.min(f.untilMs, atMs));
    }
    return end;
  }

  private storeUnavailable(region: Region, atMs: number): boolean {
    return this.faults.some((f) => activeAt(f, atMs) && spec(f).kind === 'store-unavailable' && spec(f)['region'] === region);
  }

  /** The observer's events reach no peer, or none reach it. */
  private busCutOff(region: Region, atMs: number): boolean {
    const partitions = this.faults.filter((f) => activeAt(f, atMs) && spec(f).kind === 'bus-partition');
    const peers = this.config.observers.filter((o) => o !== region);
    const cut = (from: Region, to: Region) => partitions.some((f) => names(spec(f)['from'], from) && names(spec(f)['to'], to));
    return peers.length > 0 && (peers.every((p) => cut(region, p)) || peers.every((p) => cut(p, region)));
  }

  linked(observer: Region, atMs: number): boolean {
    return this.alive(observer, atMs) && !(this.storeUnavailable(observer, atMs) && this.busCutOff(observer, atMs));
  }

  linkedObservers(atMs: number): Region[] {
    return this.config.observers.filter((o) => this.linked(o, atMs));
  }

  /** Whether the Route 53 control plane answers at `atMs` (an outage, or the region that hosts it down). */
  route53ControlPlaneUp(atMs: number): boolean {
    return !this.faults.some((f) => activeAt(f, atMs) && (spec(f).kind === 'route53-outage' || (spec(f).kind === 'region-down' && spec(f)['route53ControlPlane'] === true)));
  }

  /** Every time at which some answer above may change: fault edges, and a flap's phase edges. */
  edges(untilMs: number): number[] {
    const times = new Set<number>([0]);
    for (const f of this.faults) {
      times.add(f.atMs);
      times.add(f.untilMs);
      const s = spec(f);
      if (s.kind === 'alarm') times.add(f.atMs);
      if (s.kind === 'target' && s['behaviour'] === 'flap') {
        const upMs = (s['upMs'] as number | undefined) ?? 60_000;
        const downMs = (s['downMs'] as number | undefined) ?? 60_000;
        for (let t = f.atMs; t < Math.min(f.untilMs, untilMs); t += upMs + downMs) {
          times.add(t);
          times.add(t + downMs);
        }
      }
    }
    return [...times].filter((t) => t <= untilMs).sort((a, b) => a - b);
  }
}
