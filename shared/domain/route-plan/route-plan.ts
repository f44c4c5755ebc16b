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
