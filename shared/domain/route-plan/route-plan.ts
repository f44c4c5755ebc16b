/**
 * The Route 53 plan: decision + current record sets → the minimal change batch.
 * UPSERT only, never DELETE (a DELETE by SetIdentifier is easy to aim wrong); each UPSERT copies
 * the record as Route 53 holds it and changes only its weight. Empty when Route 53 already matches.
 */
import type { TargetConfig } from '../config';
import type { RecordSetView, Region, Routing } from '../types';

export interface RouteChange {
  target: Region;
  action: 'UPSERT';
  fromWeight: number | null;
  toWeight: number;
  record: RecordSetView;
}

export interface RoutePlan {
  /** Changes grouped by hosted zone (one ChangeResourceRecordSets call per zone). */
  byZone: Record<string, RouteChange[]>;
  changes: RouteChange[];
  /** Targets whose bound record was not found: nothing can be UPSERTed for them. */
  missing: Region[];
}

/** Route 53 names end with a dot and are case-insensitive. */
export function normaliseRecordName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export function normaliseZoneId(zoneId: string): string {
  return zoneId.replace(/^\/hostedzone\//, '');
}

export function findBoundRecord(target: TargetConfig, records: readonly RecordSetView[]): RecordSetView | undefined {
  const { hostedZoneId, recordName, recordType, setIdentifier } = target.route53;
  return records.find((r) => normaliseZoneId(r.hostedZoneId) === normaliseZoneId(hostedZoneId) && normaliseRecordName(r.name) === normaliseRecordName(recordName) && r.type === recordType && r.setIdentifier === setIdentifier);
}

/** The weight a target's record should carry in a routing state. */
export function desiredWeight(target: TargetConfig, routing: Routing): number {
  return routing[target.region] === 'drained' ? 0 : target.route53.weight;
}

/**
 * @example planRoute(config.targets, { 'eu-west-1': 'drained' }, records).changes
 *   // → [{ target: 'eu-west-1', action: 'UPSERT', fromWeight: 100, toWeight: 0, record: {...} }]
 */
export function planRoute(targets: readonly TargetConfig[], routing: Routing, records: readonly RecordSetView[]): RoutePlan {
  const plan: RoutePlan = { byZone: {}, changes: [], missing: [] };
  for (const target of targets) {
    const record = findBoundRecord(target, records);
    if (record === undefined) {
      plan.missing.push(target.region);
      continue;
    }
    const toWeight = desiredWeight(target, routing);
    if (record.weight === toWeight) continue;
    const change: RouteChange = { target: target.region, action: 'UPSERT', fromWeight: record.weight, toWeight, record: { ...record, weight: toWeight } };
    plan.changes.push(change);
    const zone = normaliseZoneId(record.hostedZoneId);
    (plan.byZone[zone] ??= []).push(change);
  }
  return plan;
}

/** The routing state Route 53 shows now (weight 0 reads as drained); null for missing records. */
export function routingFromRecords(targets: readonly TargetConfig[], records: readonly RecordSetView[]): Record<Region, 'serving' | 'drained' | null> {
  const out: Record<Region, 'serving' | 'drained' | null> = {};
  for (const target of targets) {
    const record = findBoundRecord(target, records);
    out[target.region] = record === undefined || record.weight === null ? null : record.weight === 0 ? 'drained' : 'serving';
  }
  return out;
}

/**
 * Widens a non-empty plan so that each zone's batch UPSERTs every bound record of that zone at the
 * decision's weight, not only the ones that differ. Route 53 applies one batch atomically, so when
 * two regions apply two different decisions at once (each safe on its own), the zone ends in one
 * whole decision or the other, never in a mix of both that no rule checked (two drains, each
 * planned from a read taken before the other landed). Zones with nothing to change stay empty, and
 * `exclude`d targets are left out of every batch.
 *
 * @example wholeZonePlan(targets, routing, records, planRoute(targets, routing, records), new Set())
 */
export function wholeZonePlan(targets: readonly TargetConfig[], routing: Routing, records: readonly RecordSetView[], plan: RoutePlan, exclude: ReadonlySet<Region>): RoutePlan {
  const byZone: Record<string, RouteChange[]> = {};
  for (const [zone, changes] of Object.entries(plan.byZone)) {
    // Excluded targets (a drift repair on hold) are neither changed nor rewritten.
    const widened = changes.filter((c) => !exclude.has(c.target));
    if (widened.length === 0) continue;
    for (const target of targets) {
      if (exclude.has(target.region) || normaliseZoneId(target.route53.hostedZoneId) !== zone || widened.some((c) => c.target === target.region)) continue;
      const record = findBoundRecord(target, records);
      if (record === undefined) continue;
      const toWeight = desiredWeight(target, routing);
      widened.push({ target: target.region, action: 'UPSERT', fromWeight: record.weight, toWeight, record: { ...record, weight: toWeight } });
    }
    byZone[zone] = widened;
  }
  return { ...plan, byZone, changes: Object.values(byZone).flat() };
}
