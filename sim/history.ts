/**
 * The recorded history of one run: what the checker reads. Times are virtual (true) time;
 * observers' own clocks may be skewed from it.
 */
import type { Region, RoutingState, VerdictStatus } from '../shared/domain';

export type HistoryEntry =
  | { atMs: number; kind: 'fault-on' | 'fault-off'; fault: number; summary: string }
  | { atMs: number; kind: 'verdict'; observer: Region; target: Region; status: VerdictStatus; reason: string }
  | { atMs: number; kind: 'proposal'; observer: Region; seq: number; routing: Record<Region, RoutingState> }
  | { atMs: number; kind: 'applied'; observer: Region; decisionId: string; routing: Record<Region, RoutingState> }
  | { atMs: number; kind: 'dns-change'; observer: Region; changeId: string; decisionId: string; changes: Array<{ target: Region; fromWeight: number | null; toWeight: number }>; insyncAtMs: number }
  | { atMs: number; kind: 'dns-error'; observer: Region; code: string }
  /** An override written into `region`'s replica (operator fault or drill), in true time; `source` as the override's. */
  | { atMs: number; kind: 'override'; region: Region; target: Region; action: 'drain' | 'serve'; id: string; expiresAtMs: number; force: boolean; source?: string }
  /** An override ended early (operator or drill), written into `region`'s replica, in true time. */
  | { atMs: number; kind: 'override-end'; region: Region; overrideId: string; actor: string }
  /** A safety rule refused an automatic action (the audit entry decide writes), in true time. */
  | { atMs: number; kind: 'refusal'; observer: Region; target: Region; rule: string }
  /** An operator action that did nothing (an end for an override the region's replica does not show, a refused drill). */
  | { atMs: number; kind: 'operator-action'; region: Region; action: 'override' | 'override-end' | 'drill'; outcome: string; detail: string }
  | { atMs: number; kind: 'drill'; region: Region; target: Region; mode: 'shadow' | 'evacuate'; drillId: string; phase: 'start' | 'finish'; status: string }
  /** A CloudWatch alarm state change and the observer regions whose alarm function received it. */
  | { atMs: number; kind: 'alarm'; alarm: string; state: 'ALARM' | 'OK'; regions: Region[] }
  /** A Lambda invocation refused for concurrency: retried after `retryInMs`, or lost after the last retry. */
  | { atMs: number; kind: 'lambda-throttled'; observer: Region; function: string; attempt: number; lost: boolean; retryInMs: number | null }
  /** One Route 53 API call (each attempt, retries included) and whether it was accepted. */
  | { atMs: number; kind: 'route53-call'; observer: Region; op: 'read' | 'change' | 'status'; ok: boolean; code?: string }
  /** Data-plane modes: a target's CALCULATED health check turning healthy or unhealthy (what DNS serves). */
  | { atMs: number; kind: 'health-check'; target: Region; healthy: boolean; /** On a turn to unhealthy: the observer whose child check failed the CALCULATED one. */ child?: Region }
  /** Data-plane modes: an observer's gate answering a Route 53 checker with a drain vote for a target after it did not (drain), or the reverse. */
  | { atMs: number; kind: 'gate-answer'; observer: Region; target: Region; drain: boolean }
  | { atMs: number; kind: 'crash'; observer: Region; site: string }
  | { atMs: number; kind: 'invocation-error'; observer: Region; function: string; message: string }
  | { atMs: number; kind: 'baseline'; target: Region; healthy: boolean };

export class History {
  readonly entries: HistoryEntry[] = [];

  add(entry: HistoryEntry): void {
    this.entries.push(entry);
  }

  of<K extends HistoryEntry['kind']>(kind: K): Array<Extract<HistoryEntry, { kind: K }>> {
    return this.entries.filter((e): e is Extract<HistoryEntry, { kind: K }> => e.kind === kind);
  }
}
