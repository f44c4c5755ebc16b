/**
 * One region's replica for the local run: a MemoryStore whose writes reach the peer replicas after
 * a replication delay, as a DynamoDB Global Table's do (last writer wins, immutable items once).
 */
import { MemoryStore } from '../../shared/adapters/memory';
import type { AlarmSignal, AppliedDecision, Override, OverrideEnd, Proposal, Region, VerdictSnapshot } from '../../shared/domain';
import { AlreadyExistsError, ConflictError, type AuditEntry, type DrillRecord, type Heartbeat } from '../../shared/ports';

/** Replication jobs in flight at once; beyond this a write is not replicated and the error is reported (counted and shown). */
export const replicationPendingMax = 10_000;

export class ReplicatedStore extends MemoryStore {
  private peers: ReplicatedStore[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Writes that failed to replicate for a reason other than "already there"; shown by the dashboard. */
  replicationErrors = 0;
  private stopped = false;

  constructor(readonly region: Region, private readonly replicationDelayMs: number, private readonly onError: (message: string) => void = () => {}) {
    super();
  }

  connect(peers: readonly ReplicatedStore[]): void {
    this.peers = peers.filter((p) => p !== this);
  }

  /** Cancels replication still in flight (the local run is stopping). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private replicate(what: string, apply: (peer: ReplicatedStore) => Promise<void> | void): void {
    if (this.stopped) return;
    if (this.timers.size >= replicationPendingMax) {
      this.replicationErrors += 1;
      this.onError(`replication backlog of ${this.region} is full (${replicationPendingMax}); ${what} is not replicated`);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const peer of this.peers) {
        Promise.resolve()
          .then(() => apply(peer))
          .catch((error: unknown) => {
            if (error instanceof AlreadyExistsError || error instanceof ConflictError) return;
            this.replicationErrors += 1;
            this.onError(`replicating ${what} from ${this.region} to ${peer.region} failed: ${(error as Error).message}`);
          });
      }
    }, this.replicationDelayMs);
    this.timers.add(timer);
  }

  override async putSnapshot(snapshot: VerdictSnapshot): Promise<void> {
    await super.putSnapshot(snapshot);
    this.replicate('a snapshot', (peer) => peer.applyReplicated('snapshot', snapshot));
  }

  override async putProposal(proposal: Proposal): Promise<void> {
    await super.putProposal(proposal);
    this.replicate('a proposal', (peer) => peer.applyReplicated('proposal', proposal));
  }

  override async putApplied(applied: AppliedDecision): Promise<void> {
    await super.putApplied(applied);
    this.replicate('an applied decision', (peer) => peer.applyReplicated('applied', applied));
  }

  override async putHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await super.putHeartbeat(heartbeat);
    this.replicate('a heartbeat', (peer) => peer.putHeartbeatLocally(heartbeat));
  }

  override async appendOverride(override: Override): Promise<void> {
    await super.appendOverride(override);
    this.replicate(`override ${override.id}`, (peer) => peer.appendLocally('override', override));
  }

  override async appendOverrideEnd(end: OverrideEnd): Promise<void> {
    await super.appendOverrideEnd(end);
    this.replicate(`the end of ${end.overrideId}`, (peer) => peer.appendLocally('overrideEnd', end));
  }

  override async appendSignal(signal: AlarmSignal): Promise<void> {
    await super.appendSignal(signal);
    this.replicate(`signal ${signal.id}`, (peer) => peer.appendLocally('signal', signal));
  }

  override async appendAudit(entry: AuditEntry): Promise<void> {
    await super.appendAudit(entry);
    this.replicate(`audit entry ${entry.id}`, (peer) => peer.appendLocally('audit', entry));
  }

  override async putNewDrill(drill: DrillRecord): Promise<void> {
    await super.putNewDrill(drill);
    this.replicate(`drill ${drill.id}`, (peer) => peer.putDrillLocally(drill));
  }

  override async putDrill(drill: DrillRecord): Promise<void> {
    await super.putDrill(drill);
    this.replicate(`drill ${drill.id}`, (peer) => peer.putDrillLocally(drill));
  }

  /** Replication path: writes to this replica only. */
  private async putHeartbeatLocally(heartbeat: Heartbeat): Promise<void> {
    await super.putHeartbeat(heartbeat);
  }

  private async putDrillLocally(drill: DrillRecord): Promise<void> {
    await super.putDrill(drill);
  }

  private async appendLocally(kind: 'override' | 'overrideEnd' | 'signal' | 'audit', item: Override | OverrideEnd | AlarmSignal | AuditEntry): Promise<void> {
    if (kind === 'override') await super.appendOverride(item as Override);
    else if (kind === 'overrideEnd') await super.appendOverrideEnd(item as OverrideEnd);
    else if (kind === 'signal') await super.appendSignal(item as AlarmSignal);
    else await super.appendAudit(item as AuditEntry);
  }
}
