/**
 * A decider's view: the local replica plus whatever the triggering event carried (an event can
 * arrive before replication does). Newer always wins, so merging twice changes nothing.
 */
import type { ArbiterEvent } from '../domain';
import type { StoreView } from '../ports';

function upsertBy<T>(items: readonly T[], item: T, same: (a: T) => boolean, newer: (known: T) => boolean): T[] {
  const index = items.findIndex(same);
  if (index === -1) return [...items, item];
  if (!newer(items[index]!)) return [...items];
  const copy = [...items];
  copy[index] = item;
  return copy;
}

export function mergeEvent(view: StoreView, event: ArbiterEvent | undefined): StoreView {
  if (event === undefined) return view;
  switch (event.type) {
    case 'verdicts': {
      const s = event.snapshot;
      return { ...view, snapshots: upsertBy(view.snapshots, s, (k) => k.observer === s.observer, (k) => s.seq > k.seq) };
    }
    case 'proposal': {
      const p = event.proposal;
      return { ...view, proposals: upsertBy(view.proposals, p, (k) => k.observer === p.observer, (k) => p.seq > k.seq) };
    }
    case 'applied': {
      const a = event.applied;
      return { ...view, applied: upsertBy(view.applied, a, (k) => k.observer === a.observer, (k) => (a.epoch ?? -1) > (k.epoch ?? -1) || ((a.epoch ?? -1) === (k.epoch ?? -1) && (a.decidedMs > k.decidedMs || (a.decidedMs === k.decidedMs && a.appliedMs > k.appliedMs)))) };
    }
    case 'override':
      return { ...view, overrides: upsertBy(view.overrides, event.override, (k) => k.id === event.override.id, () => false) };
    case 'override-end':
      return { ...view, overrideEnds: upsertBy(view.overrideEnds, event.end, (k) => k.overrideId === event.end.overrideId && k.endedMs === event.end.endedMs, () => false) };
    case 'signal':
      return { ...view, signals: upsertBy(view.signals, event.signal, (k) => k.id === event.signal.id, () => false) };
    default:
      return view;
  }
}
