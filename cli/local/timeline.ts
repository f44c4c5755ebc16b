/** The dashboard's live timeline: a bounded ring of what happened, newest last. */
import type { ArbiterEvent, Region } from '../../shared/domain';

/** Entries kept; older ones fall off. */
export const timelineEntriesMax = 300;

export type TimelineKind = 'info' | 'verdict' | 'probe-now' | 'proposal' | 'decision' | 'override' | 'signal' | 'drill' | 'sample' | 'warning' | 'error';

export interface TimelineEntry {
  seq: number;
  atMs: number;
  observer: Region | null;
  kind: TimelineKind;
  text: string;
}

export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private seq = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  add(entry: Omit<TimelineEntry, 'seq' | 'atMs'>): TimelineEntry {
    const full = { ...entry, seq: ++this.seq, atMs: this.nowMs() };
    this.entries.push(full);
    if (this.entries.length > timelineEntriesMax) this.entries.splice(0, this.entries.length - timelineEntriesMax);
    return full;
  }

  /** Entries after `afterSeq` (all kept entries when 0). */
  since(afterSeq = 0): TimelineEntry[] {
    return this.entries.filter((e) => e.seq > afterSeq);
  }
}

/**
 * Returns a describer: one timeline line for an event, or null when it says nothing new (a verdict
 * snapshot whose statuses did not change, a proposal equal to the observer's previous one).
 * @example const describe = eventDescriber(); describe(event)?.text
 */
export function eventDescriber(): (event: ArbiterEvent) => { kind: TimelineKind; text: string } | null {
  const lastStatus = new Map<string, string>();
  const lastRouting = new Map<string, string>();
  return (event) => describeEvent(event, lastStatus, lastRouting);
}

function describeEvent(event: ArbiterEvent, lastStatus: Map<string, string>, lastRouting: Map<string, string>): { kind: TimelineKind; text: string } | null {
  switch (event.type) {
    case 'verdicts': {
      const changes = Object.values(event.snapshot.verdicts)
        .filter((v) => {
          const key = `${event.observer}>${v.target}`;
          const changed = lastStatus.get(key) !== v.status && (lastStatus.has(key) || v.status !== 'healthy');
          lastStatus.set(key, v.status);
          return changed;
        })
        .map((v) => `${v.target} ${v.status} (${v.reason})`);
      return changes.length === 0 ? null : { kind: 'verdict', text: `sees ${changes.join('; ')}` };
    }
    case 'probe-now':
      return { kind: 'probe-now', text: `asks every observer to probe ${event.target} now: ${event.reason}` };
    case 'proposal': {
      const states = Object.values(event.proposal.targets).map((t) => `${t.target} ${t.state}`).join(', ');
      if (lastRouting.get(event.observer) === states) return null;
      lastRouting.set(event.observer, states);
      const drained = Object.values(event.proposal.targets).filter((t) => t.state === 'drained');
      return { kind: 'proposal', text: drained.length === 0 ? 'proposes every target serving' : `proposes ${drained.map((t) => `${t.target} drained (${t.cause}: ${t.reason})`).join('; ')}` };
    }
    case 'applied': {
      const routing = Object.entries(event.applied.routing).map(([r, s]) => `${r} ${s}`).join(', ');
      return { kind: 'decision', text: `applied decision ${event.applied.decisionId}: ${routing}${event.applied.changeId === null ? '' : ` (Route 53 change ${event.applied.changeId})`}` };
    }
    case 'override':
      return { kind: 'override', text: `override ${event.override.id}: ${event.override.action} ${event.override.target} by ${event.override.actor} (${event.override.reason})` };
    case 'override-end':
      return { kind: 'override', text: `override ${event.end.overrideId} ended by ${event.end.actor} (${event.end.reason})` };
    case 'signal':
      return { kind: 'signal', text: `alarm ${event.signal.alarmName} on ${event.signal.target}: ${event.signal.state}` };
    case 'drill-report':
    {
      const rtoMs = event.report.rtoMs;
      // A refused drill did not run: it reads "refused" (with why), never "failed".
      const problems = Array.isArray(event.report.problems) ? event.report.problems.map(String).join('; ') : '';
      const outcome = event.report.passed ? 'passed' : event.report.status === 'refused' ? `refused${problems === '' ? '' : ` (${problems})`}` : 'failed';
      const rto = typeof rtoMs === 'number' ? ` (${event.report.mode === 'shadow' ? 'predicted ' : ''}RTO ${(rtoMs / 1000).toFixed(1)} s)` : '';
      return { kind: 'drill', text: `${typeof event.report.mode === 'string' ? `${event.report.mode} ` : ''}drill ${event.report.id} on ${event.report.target} ${outcome}${rto}` };
    }
    default:
      return null;
  }
}
