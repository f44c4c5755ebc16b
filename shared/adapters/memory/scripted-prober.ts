/** A prober whose answers are set per target: healthy, down, slow or a function of the call count. */
import type { EndpointConfig, ProbeResult, Region } from '../../domain';
import type { Clock, Prober } from '../../ports';

export type PathBehaviour = { kind: 'up'; latencyMs?: number } | { kind: 'down' } | { kind: 'status'; status: number } | { kind: 'slow'; latencyMs: number };

export class ScriptedProber implements Prober {
  readonly behaviour = new Map<Region, PathBehaviour>();
  calls = 0;

  constructor(private readonly clock: Clock) {}

  set(target: Region, behaviour: PathBehaviour): void {
    this.behaviour.set(target, behaviour);
  }

  async probe(target: Region, endpointIndex: number, endpoint: EndpointConfig): Promise<ProbeResult> {
    this.calls += 1;
    const startedMs = this.clock.nowMs();
    const b = this.behaviour.get(target) ?? { kind: 'up' };
    switch (b.kind) {
      case 'down':
        return { target, endpointIndex, startedMs, latencyMs: endpoint.timeoutMs, error: { kind: 'timeout', message: `no answer within ${endpoint.timeoutMs} ms` } };
      case 'status':
        return { target, endpointIndex, startedMs, latencyMs: 50, status: b.status, bodyExcerpt: '' };
      case 'slow':
        return { target, endpointIndex, startedMs, latencyMs: b.latencyMs, status: 200, bodyExcerpt: endpoint.bodyContains ?? 'ok' };
      default:
        return { target, endpointIndex, startedMs, latencyMs: b.latencyMs ?? 80, status: 200, bodyExcerpt: endpoint.bodyContains ?? 'ok' };
    }
  }
}
