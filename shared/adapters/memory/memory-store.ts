/**
 * One replica of the store, in memory, with the same conditional semantics as the DynamoDB
 * adapter: snapshot seq must grow by one, immutable items are written once. Used by unit tests,
 * and as each region's replica by the simulator and the local run (which add replication).
 */
import type { AlarmSignal, AppliedDecision, Override, OverrideEnd, Proposal, Region, VerdictSnapshot } from '../../domain';
import { AlreadyExistsError, ArbiterError, ConflictError, type AuditEntry, type AuditPage, type DrillRecord, type Heartbeat, type Store, type StoreView } from '../../ports';

/** Page size cap, as the DynamoDB adapter's. */
export const auditPageSizeMax = 100;

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  readonly snapshots = new Map<Region, VerdictSnapshot>();
  readonly proposals = new Map<Region, Proposal>();
  readonly applied = new Map<Region, AppliedDecision>();
  readonly heartbeats = new Map<string, Heartbeat>();
  readonly overrides = new Map<string, Override>();
  readonly overrideEnds = new Map<string, OverrideEnd>();
  readonly signals = new Map<string, AlarmSignal>();
  readonly audit = new Map<string, AuditEntry>();
  readonly drills = new Map<string, DrillRecord>();

  async readView(nowMs: number): Promise<StoreView> {
    return {
      snapshots: clone([...this.snapshots.values()]),
      proposals: clone([...this.proposals.values()]),
      applied: clone([...this.applied.values()]),
      overrides: clone([...this.overrides.values()].filter((o) => o.expiresMs > nowMs)),
      overrideEnds: clone([...this.overrideEnds.values()]),
      signals: clone([...this.signals.values()]),
      heartbeats: clone([...this.heartbeats.values()]),
    };
  }

  async readOwnSnapshot(observer: Region): Promise<VerdictSnapshot | null> {
    const snapshot = this.snapshots.get(observer);
    return snapshot === undefined ? null : clone(snapshot);
  }

  async putSnapshot(snapshot: VerdictSnapshot): Promise<void> {
    const known = this.snapshots.get(snapshot.observer)?.seq ?? 0;
    if (snapshot.seq !== known + 1) throw new ConflictError(`snapshot of ${snapshot.observer}: seq ${snapshot.seq} does not follow stored seq ${known}`);
    this.snapshots.set(snapshot.observer, clone(snapshot));
  }

  /** Replication path: accept a peer's item when it is newer (last writer wins). */
  applyReplicated(kind: 'snapshot' | 'proposal' | 'applied', item: VerdictSnapshot | Proposal | AppliedDecision): void {
    if (kind === 'snapshot') {
      const s = item as VerdictSnapshot;
      if ((this.snapshots.get(s.observer)?.seq ?? -1) < s.seq) this.snapshots.set(s.observer, clone(s));
    } else if (kind === 'proposal') {
      const p = item as Proposal;
      if ((this.proposals.get(p.observer)?.seq ?? -1) < p.seq) this.proposals.set(p.observer, clone(p));
    } else {
      const a = item as AppliedDecision;
      const known = this.applied.get(a.observer);
      if (known === undefined || known.appliedMs <= a.appliedMs) this.applied.set(a.observer, clone(a));
    }
  }

  /** Conditional, as the DynamoDB adapter: a proposal's seq must grow (concurrent passes of one region never move it back). */
  async putProposal(proposal: Proposal): Promise<void> {
    const known = this.proposals.get(proposal.observer)?.seq ?? 0;
    if (proposal.seq <= known) throw new ConflictError(`proposal of ${proposal.observer}: seq ${proposal.seq} does not exceed stored seq ${known}`);
    this.proposals.set(proposal.observer, clone(proposal));
  }

  /** Conditional: an applied record never goes back to a lower Route 53 change count. */
  async putApplied(applied: AppliedDecision): Promise<void> {
    const known = this.applied.get(applied.observer)?.epoch;
    if (known !== undefined && applied.epoch !== undefined && applied.epoch < known) throw new ConflictError(`applied record of ${applied.observer}: epoch ${applied.epoch} is below stored epoch ${known}`);
    this.applied.set(applied.observer, clone(applied));
  }

  async putHeartbeat(heartbeat: Heartbeat): Promise<void> {
    this.heartbeats.set(`${heartbeat.observer}#${heartbeat.kind}`, clone(heartbeat));
  }

  private appendOnce<T>(map: Map<string, T>, key: string, item: T, what: string): void {
    if (map.has(key)) throw new AlreadyExistsError(`${what} ${key} already exists`);
    map.set(key, clone(item));
  }

  async appendOverride(override: Override): Promise<void> {
    this.appendOnce(this.overrides, override.id, override, 'override');
  }

  async appendOverrideEnd(end: OverrideEnd): Promise<void> {
    this.appendOnce(this.overrideEnds, end.overrideId, end, 'end of override');
  }

  async appendSignal(signal: AlarmSignal): Promise<void> {
    this.appendOnce(this.signals, signal.id, signal, 'signal');
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.appendOnce(this.audit, entry.id, entry, 'audit entry');
  }

  async listAudit(query: { sinceMs?: number; limit: number; cursor?: string }): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(query.limit, auditPageSizeMax));
    const sorted = [...this.audit.values()]
      .filter((e) => query.sinceMs === undefined || e.atMs >= query.sinceMs)
      .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? 1 : -1));
    const at = query.cursor === undefined ? -1 : sorted.findIndex((e) => e.id === query.cursor);
    // A cursor this store did not give out is refused, as the DynamoDB adapter refuses one, not read as "from the top".
    if (query.cursor !== undefined && at < 0) throw new ArbiterError(`invalid audit cursor ${JSON.stringify(query.cursor.slice(0, 64))}`);
    const start = at + 1;
    const entries = sorted.slice(start, start + limit);
    const more = start + limit < sorted.length;
    return more ? { entries: clone(entries), cursor: entries[entries.length - 1]!.id } : { entries: clone(entries) };
  }

  async putNewDrill(drill: DrillRecord): Promise<void> {
    this.appendOnce(this.drills, drill.id, drill, 'drill');
  }

  async putDrill(drill: DrillRecord): Promise<void> {
    const known = this.drills.get(drill.id);
    if (known !== undefined && known.version >= drill.version) throw new ConflictError(`drill ${drill.id}: version ${drill.version} is not newer than ${known.version}`);
    this.drills.set(drill.id, clone(drill));
  }

  async getDrill(id: string): Promise<DrillRecord | null> {
    const drill = this.drills.get(id);
    return drill === undefined ? null : clone(drill);
  }

  async listDrills(limit: number): Promise<DrillRecord[]> {
    return clone([...this.drills.values()].sort((a, b) => b.startedMs - a.startedMs).slice(0, Math.min(limit, auditPageSizeMax)));
  }
}
