/**
 * What the runtime needs from the replicated store (DynamoDB Global Table in AWS).
 * Single-writer: an observer writes only its own snapshot, proposal, applied record and heartbeat;
 * overrides, override ends, signals, drills and audit entries are immutable and uniquely keyed.
 */
import type { AlarmSignal, AppliedDecision, Override, OverrideEnd, Proposal, Region, VerdictSnapshot } from '../domain';

export interface Heartbeat {
  observer: Region;
  kind: 'probe' | 'decide';
  writtenMs: number;
  detail?: string;
}

export type AuditKind =
  | 'decision-applied'
  | 'refusal'
  | 'override-created'
  | 'override-forced'
  | 'override-ended'
  | 'drill-started'
  | 'drill-finished'
  | 'drill-refused';

/** An append-only audit entry. Its id is unique; nothing updates or deletes it (TTL aside). */
export interface AuditEntry {
  id: string;
  atMs: number;
  observer: Region;
  kind: AuditKind;
  actor: string;
  summary: string;
  details: Record<string, unknown>;
}

export type DrillMode = 'shadow' | 'evacuate';

export interface DrillPhase {
  name: string;
  startedMs: number;
  endedMs: number | null;
  durationMs: number | null;
  detail?: string;
}

/** A drill report: written when the drill starts and again (a new version by the same writer) as it goes. */
export interface DrillRecord {
  id: string;
  target: Region;
  mode: DrillMode;
  observer: Region;
  startedBy: string;
  startedMs: number;
  status: 'running' | 'passed' | 'failed' | 'refused';
  holdSeconds: number;
  overrideId: string | null;
  phases: DrillPhase[];
  changeIds: string[];
  rtoMs: number | null;
  rtoSecondsMax: number;
  problems: string[];
  shadow?: Record<string, unknown>;
  version: number;
}

/** Everything `decide` reads from the local replica, bounded. */
export interface StoreView {
  snapshots: VerdictSnapshot[];
  proposals: Proposal[];
  applied: AppliedDecision[];
  overrides: Override[];
  overrideEnds: OverrideEnd[];
  signals: AlarmSignal[];
  heartbeats: Heartbeat[];
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back to get the next (older) page; absent on the last page. */
  cursor?: string;
}

export interface Store {
  /** The replica's current view; overrides and signals that have expired by `nowMs` may be left out. */
  readView(nowMs: number): Promise<StoreView>;
  /**
   * Only what a data-plane gate decides from: every observer's newest proposal and applied record.
   * Optional: a store without it is read through `readView`. May be eventually consistent.
   */
  readVotingView?(nowMs: number): Promise<Pick<StoreView, 'proposals' | 'applied'>>;
  readOwnSnapshot(observer: Region): Promise<VerdictSnapshot | null>;
  /** Writes the observer's snapshot if its seq is the stored seq + 1; else ConflictError. */
  putSnapshot(snapshot: VerdictSnapshot): Promise<void>;
  putProposal(proposal: Proposal): Promise<void>;
  putApplied(applied: AppliedDecision): Promise<void>;
  putHeartbeat(heartbeat: Heartbeat): Promise<void>;
  /** Immutable: AlreadyExistsError if the id exists. */
  appendOverride(override: Override): Promise<void>;
  appendOverrideEnd(end: OverrideEnd): Promise<void>;
  appendSignal(signal: AlarmSignal): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `sinceMs` bounds how far back; `limit` is capped by the adapter. */
  listAudit(query: { sinceMs?: number; limit: number; cursor?: string }): Promise<AuditPage>;
  /**
   * The first version of a drill, whose id must be new: AlreadyExistsError if that id was written
   * before (a scheduled tick's drill id is the same in every region, so one region claims it).
   */
  putNewDrill(drill: DrillRecord): Promise<void>;
  /** Drill records are written only by the observer running the drill (version must grow). */
  putDrill(drill: DrillRecord): Promise<void>;
  getDrill(id: string): Promise<DrillRecord | null>;
  listDrills(limit: number): Promise<DrillRecord[]>;
}
