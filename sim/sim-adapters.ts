/**
 * The simulated edges of one observer region: its skewed clock, its store replica (replicating to
 * peers after a drawn delay, last writer wins by write time, conditional writes checked locally),
 * its bus (EventBridge rules: own functions plus every peer's bus, with delay, loss — independent
 * or correlated, steady or in bursts — duplication, reordering and one-way partitions) and its
 * prober (per observer→target path conditions from the fault timeline).
 *
 * DynamoDB Global Tables (multi-Region eventual consistency): every replica accepts writes; a
 * write is applied locally at once, stamped with the writer's clock, and replicated
 * asynchronously (typically within a second); where two writes to one item conflict, each replica
 * keeps the one with the later write time ("last writer wins"), the writer region breaking a
 * tie. Nothing in the item (its `seq`) takes part. Conditional writes are evaluated against the
 * local replica only, so two regions' conditional writes can both succeed.
 */
import type { AlarmSignal, AppliedDecision, ArbiterEvent, EndpointConfig, Override, OverrideEnd, ProbeResult, Proposal, Region, RoutingState, VerdictSnapshot } from '../shared/domain';
import { MemoryStore } from '../shared/adapters/memory';
import type { AuditEntry, Bus, Clock, Prober, StoreView } from '../shared/ports';
import type { FaultTimeline } from './faults';
import type { History } from './history';
import type { SimRandom } from './random';
import type { Scheduler } from './scheduler';

/** Normal Global Tables replication delay (typically about a second). */
export const replicationDelayMsRange = [300, 1500] as const;
/** EventBridge delivery: to this region's own functions, and to a peer region's bus. */
export const localDeliveryMsRange = [20, 200] as const;
export const crossRegionDeliveryMsRange = [100, 800] as const;

export class SimClock implements Clock {
  constructor(private readonly scheduler: Scheduler, readonly skewMs: number) {}

  nowMs(): number {
    return this.scheduler.nowMs() + this.skewMs;
  }

  sleepMs(ms: number): Promise<void> {
    return this.scheduler.sleepMs(ms);
  }
}

export interface Replication {
  replicate(from: Region, apply: (peer: ReplicaStore) => void): void;
}

/** When and where an item was last written: DynamoDB's last-writer-wins key. */
export interface WriteStamp {
  /** The writer region's clock at the write. */
  writtenMs: number;
  region: Region;
}

export type ReplicatedKind = 'snapshot' | 'proposal' | 'applied';

function newer(a: WriteStamp, b: WriteStamp | undefined): boolean {
  return b === undefined || a.writtenMs > b.writtenMs || (a.writtenMs === b.writtenMs && a.region > b.region);
}

/** One region's replica. Writes land here at once and reach peers after a drawn delay. */
export class ReplicaStore extends MemoryStore {
  private readonly verdictSeen = new Map<string, string>();
  private readonly proposalSeen = new Map<Region, string>();
  /** Write stamp per mutable item (`kind|observer`). */
  readonly stamps = new Map<string, WriteStamp>();

  constructor(readonly region: Region, private readonly replication: Replication, private readonly history: History, private readonly scheduler: Scheduler, private readonly clock: Clock) {
    super();
  }

  private stamp(kind: ReplicatedKind, observer: Region): WriteStamp {
    const stamp = { writtenMs: this.clock.nowMs(), region: this.region };
    this.stamps.set(`${kind}|${observer}`, stamp);
    return stamp;
  }

  /**
   * Replication path: the peer's write replaces ours only when its write time is later (region
   * breaks a tie). `item` is the writer's stored copy, shared by every peer: nothing mutates what
   * it reads (see readView).
   */
  applyReplicatedAt(kind: ReplicatedKind, item: VerdictSnapshot | Proposal | AppliedDecision, stamp: WriteStamp): void {
    const key = `${kind}|${item.observer}`;
    if (!newer(stamp, this.stamps.get(key))) return;
    this.stamps.set(key, stamp);
    if (kind === 'snapshot') this.snapshots.set(item.observer, item as VerdictSnapshot);
    else if (kind === 'proposal') this.proposals.set(item.observer, item as Proposal);
    else this.applied.set(item.observer, item as AppliedDecision);
  }

  /**
   * Same contract as MemoryStore.readView, without the deep copy: fresh arrays over the stored
   * items. Writes still copy (MemoryStore), and the runtime and domain build new objects rather
   * than mutate what they read, so sharing is safe and makes the simulator several times faster.
   */
  override async readView(nowMs: number): Promise<StoreView> {
    return this.viewNow(nowMs);
  }

  /** readView without the promise, for the simulator's own synchronous readers (the gate's health checkers). */
  viewNow(nowMs: number): StoreView {
    return ({
      snapshots: [...this.snapshots.values()],
      proposals: [...this.proposals.values()],
      applied: [...this.applied.values()],
      overrides: [...this.overrides.values()].filter((o) => o.expiresMs > nowMs),
      overrideEnds: [...this.overrideEnds.values()],
      signals: [...this.signals.values()],
      heartbeats: [...this.heartbeats.values()],
    });
  }

  override async putSnapshot(snapshot: VerdictSnapshot): Promise<void> {
    await super.putSnapshot(snapshot);
    const stamp = this.stamp('snapshot', snapshot.observer);
    this.recordVerdicts(snapshot);
    const stored = this.snapshots.get(snapshot.observer)!;
    this.replication.replicate(this.region, (peer) => peer.applyReplicatedAt('snapshot', stored, stamp));
  }

  override async putProposal(proposal: Proposal): Promise<void> {
    await super.putProposal(proposal);
    const stamp = this.stamp('proposal', proposal.observer);
    const routing: Record<Region, RoutingState> = {};
    for (const [target, p] of Object.entries(proposal.targets)) routing[target] = p.state;
    const key = JSON.stringify(routing);
    if (this.proposalSeen.get(proposal.observer) !== key) {
      this.proposalSeen.set(proposal.observer, key);
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'proposal', observer: proposal.observer, seq: proposal.seq, routing });
    }
    const stored = this.proposals.get(proposal.observer)!;
    this.replication.replicate(this.region, (peer) => peer.applyReplicatedAt('proposal', stored, stamp));
  }

  override async putApplied(applied: AppliedDecision): Promise<void> {
    await super.putApplied(applied);
    const stamp = this.stamp('applied', applied.observer);
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'applied', observer: applied.observer, decisionId: applied.decisionId, routing: { ...applied.routing } });
    const stored = this.applied.get(applied.observer)!;
    this.replication.replicate(this.region, (peer) => peer.applyReplicatedAt('applied', stored, stamp));
  }

  override async appendOverride(override: Override): Promise<void> {
    await super.appendOverride(override);
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'override', region: this.region, target: override.target, action: override.action, id: override.id, expiresAtMs: this.scheduler.nowMs() + (override.expiresMs - override.createdMs), force: override.force, source: override.source });
    this.replication.replicate(this.region, (peer) => peer.acceptImmutable('override', override));
  }

  override async appendOverrideEnd(end: OverrideEnd): Promise<void> {
    await super.appendOverrideEnd(end);
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'override-end', region: this.region, overrideId: end.overrideId, actor: end.actor });
    this.replication.replicate(this.region, (peer) => peer.acceptImmutable('end', end));
  }

  /** Safety refusals are what the checker accepts as an override's named refusal. */
  override async appendAudit(entry: AuditEntry): Promise<void> {
    await super.appendAudit(entry);
    const details = entry.details as { target?: unknown; rule?: unknown };
    if (entry.kind === 'refusal' && typeof details.target === 'string') this.history.add({ atMs: this.scheduler.nowMs(), kind: 'refusal', observer: entry.observer, target: details.target, rule: String(details.rule) });
  }

  override async appendSignal(signal: AlarmSignal): Promise<void> {
    await super.appendSignal(signal);
    this.replication.replicate(this.region, (peer) => peer.acceptImmutable('signal', signal));
  }

  /** Replication of an immutable, uniquely keyed item: the first copy is the only copy. */
  acceptImmutable(kind: 'override' | 'end' | 'signal', item: Override | OverrideEnd | AlarmSignal): void {
    if (kind === 'override') { const o = item as Override; if (!this.overrides.has(o.id)) this.overrides.set(o.id, structuredClone(o)); }
    if (kind === 'end') { const e = item as OverrideEnd; if (!this.overrideEnds.has(e.overrideId)) this.overrideEnds.set(e.overrideId, structuredClone(e)); }
    if (kind === 'signal') { const s = item as AlarmSignal; if (!this.signals.has(s.id)) this.signals.set(s.id, structuredClone(s)); }
  }

  private recordVerdicts(snapshot: VerdictSnapshot): void {
    for (const [target, verdict] of Object.entries(snapshot.verdicts)) {
      const key = `${snapshot.observer}|${target}`;
      if (this.verdictSeen.get(key) === verdict.status) continue;
      this.verdictSeen.set(key, verdict.status);
      this.history.add({ atMs: this.scheduler.nowMs(), kind: 'verdict', observer: snapshot.observer, target, status: verdict.status, reason: verdict.reason });
    }
  }
}

export type Deliver = (destination: Region, event: ArbiterEvent) => void;

/** This region's Arbiter bus plus the forwarding rules to every peer region's bus. */
export class SimBus implements Bus {
  constructor(
    private readonly region: Region,
    private readonly regions: readonly Region[],
    private readonly scheduler: Scheduler,
    private readonly faults: FaultTimeline,
    private readonly random: SimRandom,
    private readonly deliver: Deliver,
  ) {}

  async publish(events: readonly ArbiterEvent[]): Promise<void> {
    const nowMs = this.scheduler.nowMs();
    const { lossRate, duplicateRate, reorderMsMax, correlated } = this.faults.bus(nowMs);
    for (const event of events) {
      // Correlated loss: one draw for the event, every destination loses it or none does.
      const lostEverywhere = correlated && this.random.chance(lossRate);
      for (const destination of this.regions) {
        const copies = this.random.chance(duplicateRate) ? 2 : 1;
        const partitioned = this.faults.busPartitioned(this.region, destination, nowMs);
        for (let copy = 0; copy < copies; copy += 1) {
          if (correlated ? lostEverywhere : this.random.chance(lossRate)) continue;
          const [min, max] = destination === this.region ? localDeliveryMsRange : crossRegionDeliveryMsRange;
          const delayMs = this.random.uniform(min, max) + this.random.uniform(0, reorderMsMax);
          if (partitioned) continue;
          // Events are built fresh by the runtime for each publish and never mutated by a receiver.
          this.scheduler.after(delayMs, () => this.deliver(destination, event));
        }
      }
    }
  }
}

/** Probes from one observer region; answers follow the fault timeline for that path. */
export class SimProber implements Prober {
  constructor(private readonly observer: Region, private readonly clock: SimClock, private readonly scheduler: Scheduler, private readonly faults: FaultTimeline, private readonly random: SimRandom) {}

  private baseLatencyMs(target: Region): number {
    return target === this.observer ? this.random.uniform(5, 25) : this.random.uniform(60, 230);
  }

  async probe(target: Region, endpointIndex: number, endpoint: EndpointConfig): Promise<ProbeResult> {
    const startedMs = this.clock.nowMs();
    const condition = this.faults.pathCondition(this.observer, target, this.scheduler.nowMs());
    const lost = condition.down || this.random.chance(condition.lossRate);
    const latencyMs = Math.round(this.baseLatencyMs(target) + (condition.latencyMs === null ? 0 : condition.latencyMs * this.random.uniform(0.9, 1.1)));
    if (lost || latencyMs > endpoint.timeoutMs) {
      await this.scheduler.sleepMs(endpoint.timeoutMs);
      return { target, endpointIndex, startedMs, latencyMs: endpoint.timeoutMs, error: { kind: condition.down && !lost ? 'partitioned' : 'timeout', message: `no answer within ${endpoint.timeoutMs} ms` } };
    }
    await this.scheduler.sleepMs(latencyMs);
    return { target, endpointIndex, startedMs, latencyMs, status: 200, bodyExcerpt: endpoint.bodyContains ?? '{"status":"ok"}' };
  }
}
