/**
 * Which override governs a target now. Overrides are immutable; an early end is a separate item.
 *
 *   createdMs                    endedMs?          expiresMs
 *      │◀──── active ────────────▶│ (ended early)    │
 *      │◀──────────────── active if not ended ───────▶│ expired: no effect
 */
import type { Override, OverrideEnd, Region } from '../types';

export function isOverrideActive(override: Override, ends: ReadonlyMap<string, OverrideEnd>, nowMs: number): boolean {
  const end = ends.get(override.id);
  if (end !== undefined && end.endedMs <= nowMs) return false;
  return override.createdMs <= nowMs && nowMs < override.expiresMs;
}

/** Indexes override ends by override id (the earliest end counts). */
export function indexEnds(ends: readonly OverrideEnd[]): Map<string, OverrideEnd> {
  const index = new Map<string, OverrideEnd>();
  for (const end of ends) {
    const known = index.get(end.overrideId);
    if (known === undefined || end.endedMs < known.endedMs) index.set(end.overrideId, end);
  }
  return index;
}

/** The newest active override of a target (ties broken by id), or null. */
export function activeOverride(target: Region, overrides: readonly Override[], ends: ReadonlyMap<string, OverrideEnd>, nowMs: number): Override | null {
  let best: Override | null = null;
  for (const override of overrides) {
    if (override.target !== target || !isOverrideActive(override, ends, nowMs)) continue;
    if (best === null || override.createdMs > best.createdMs || (override.createdMs === best.createdMs && override.id > best.id)) best = override;
  }
  return best;
}

/** Every active override, newest first. */
export function activeOverrides(overrides: readonly Override[], ends: readonly OverrideEnd[], nowMs: number): Override[] {
  const index = indexEnds(ends);
  return overrides.filter((o) => isOverrideActive(o, index, nowMs)).sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1));
}
