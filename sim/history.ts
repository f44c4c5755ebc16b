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
  | { atMs: number; kind: 'override'; region: Region; target: Region; action: 'drain' | 'serve'; id: string; expiresAtMs: number; force: boolean }
  | { atMs: number; kind: 'refusal'; observer: Region; target: Region; rule: string }
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
