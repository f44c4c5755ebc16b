/**
 * Route 53 as the register of the applied state. Each hosted zone that Arbiter drives holds one TXT
 * record, `_arbiter-epoch.<first bound name>`, replaced in the same change batch as the weights by an
 * exact DELETE of the value that was read plus a CREATE of the next one. Route 53 applies a batch
 * atomically and refuses it whole when the DELETE does not match (InvalidChangeBatch), so a batch
 * planned from a stale read fails and its planner re-reads: every change is applied against the
 * state it was planned from (compare-and-swap), and one decision is one change.
 *
 *   read: weights + register e=7 ──plan──▶ batch [DELETE e=7 (exact), CREATE e=8, UPSERT weights]
 *   another region changed the zone meanwhile (register now e=8) → DELETE e=7 matches nothing → refused
 *
 * The register also carries what hysteresis needs and Route 53 weights cannot say: per target, when
 * it last flipped and when it was last restored (the decider's clock). Where the weights disagree
 * with the register (an edit outside Arbiter), the flip time is unknown and taken as "now": later,
 * never earlier, so a restore can only wait longer.
 */
import { normaliseRecordName, normaliseZoneId } from './route-plan';
import type { TargetConfig } from '../config';
import type { AppliedDecision, RecordSetView, Region, RoutingState } from '../types';

export const registerPrefix = '_arbiter-epoch.';
export const registerTtlSeconds = 60;
/** A TXT string is at most 255 characters. */
const txtStringMax = 255;

export interface RegisterTarget {
  state: RoutingState;
  lastFlipMs: number | null;
  lastRestoreMs: number | null;
}

export interface RegisterValue {
  epoch: number;
  decisionId: string;
  decidedMs: number;
  targets: Record<Region, RegisterTarget>;
}

/** The register's record name for a zone: after the zone's first bound name, so it lives beside them. */
export function registerName(zone: string, targets: readonly TargetConfig[]): string | null {
  const names = targets.filter((t) => normaliseZoneId(t.route53.hostedZoneId) === normaliseZoneId(zone)).map((t) => normaliseRecordName(t.route53.recordName)).sort();
  return names.length === 0 ? null : `${registerPrefix}${names[0]}`;
}

/** Every zone the weighted targets are bound in. */
export function zonesOf(targets: readonly TargetConfig[]): string[] {
  return [...new Set(targets.map((t) => normaliseZoneId(t.route53.hostedZoneId)))].sort();
}

const stamp = (ms: number | null) => (ms === null ? '-' : String(Math.round(ms)));
const unstamp = (s: string | undefined): number | null | undefined => (s === '-' ? null : s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);

/** The TXT value: quoted strings, a header and one per target, each within 255 characters. */
export function encodeRegister(value: RegisterValue): string {
  const strings = [`arbiter=2 e=${value.epoch} d=${value.decisionId} t=${stamp(value.decidedMs)}`];
  for (const target of Object.keys(value.targets).sort()) {
    const t = value.targets[target]!;
    strings.push(`${target}=${t.state === 'drained' ? 'D' : 'S'},${stamp(t.lastFlipMs)},${stamp(t.lastRestoreMs)}`);
  }
  return strings.map((s) => `"${s.slice(0, txtStringMax)}"`).join(' ');
}

/** Parses a TXT value; null when it is not a register this version wrote. */
export function decodeRegister(text: string): RegisterValue | null {
  const strings = [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const header = /^arbiter=2 e=(\d+) d=(\S+) t=(-?\d+|-)$/.exec(strings[0] ?? '');
  if (header === null) return null;
  const targets: Record<Region, RegisterTarget> = {};
  for (const s of strings.slice(1)) {
    const m = /^([^=]+)=([SD]),(-?\d+|-),(-?\d+|-)$/.exec(s);
    if (m === null) return null;
    const lastFlipMs = unstamp(m[3]);
    const lastRestoreMs = unstamp(m[4]);
    if (lastFlipMs === undefined || lastRestoreMs === undefined) return null;
    targets[m[1]!] = { state: m[2] === 'D' ? 'drained' : 'serving', lastFlipMs, lastRestoreMs };
  }
  return { epoch: Number(header[1]), decisionId: header[2]!, decidedMs: unstamp(header[3]) ?? 0, targets };
}

/** The register record of a zone among what was read (undefined: none yet). */
export function findRegister(zone: string, targets: readonly TargetConfig[], records: readonly RecordSetView[]): RecordSetView | undefined {
  const name = registerName(zone, targets);
  return name === null ? undefined : records.find((r) => normaliseZoneId(r.hostedZoneId) === normaliseZoneId(zone) && normaliseRecordName(r.name) === name && r.type === 'TXT');
}

/** Exactly the same record set (what a Route 53 DELETE must match): name, type, identifier, TTL and values. */
export function sameRecord(a: RecordSetView, b: RecordSetView): boolean {
  return normaliseRecordName(a.name) === normaliseRecordName(b.name) && a.type === b.type && (a.setIdentifier ?? '') === (b.setIdentifier ?? '') && a.ttl === b.ttl
    && JSON.stringify(a.resourceRecords ?? []) === JSON.stringify(b.resourceRecords ?? []) && (a.weight ?? null) === (b.weight ?? null);
}

export function registerRecord(zone: string, name: string, value: RegisterValue): RecordSetView {
  return { hostedZoneId: normaliseZoneId(zone), name, type: 'TXT', setIdentifier: '', weight: null, ttl: registerTtlSeconds, resourceRecords: [encodeRegister(value)] };
}

/** The two register changes of one batch: the exact record read (null: none yet) and its successor. */
export interface RegisterSwap {
  delete: RecordSetView | null;
  create: RecordSetView;
}

/**
 * The last applied state as Route 53 shows it: routing from the weights, hysteresis from the
 * registers, and `epoch` = the sum of every zone's register epoch (each change adds exactly one, so
 * it orders every change Arbiter ever made, whatever the deciders' clocks say).
 */
export function appliedFromRoute53(weighted: readonly TargetConfig[], records: readonly RecordSetView[], routing: Record<Region, RoutingState | null>, nowMs: number): AppliedDecision {
  const registers = new Map<string, RegisterValue | null>();
  for (const zone of zonesOf(weighted)) {
    const record = findRegister(zone, weighted, records);
    registers.set(zone, record === undefined ? null : decodeRegister(record.resourceRecords?.[0] ?? ''));
  }
  const lastFlipMs: Record<Region, number | null> = {};
  const lastRestoreMs: Record<Region, number | null> = {};
  const shown: Record<Region, RoutingState> = {};
  let epoch = 0;
  let newest: RegisterValue | null = null;
  for (const value of registers.values()) {
    if (value === null) continue;
    epoch += value.epoch;
    if (newest === null || value.epoch > newest.epoch) newest = value;
  }
  for (const target of weighted) {
    const state = routing[target.region] ?? 'serving';
    shown[target.region] = state;
    const registered = registers.get(normaliseZoneId(target.route53.hostedZoneId))?.targets[target.region];
    if (registered === undefined) {
      // No register yet: a record at its serving weight has never been flipped by Arbiter; anything else is an outside edit.
      lastFlipMs[target.region] = state === 'serving' ? null : nowMs;
      lastRestoreMs[target.region] = null;
    } else if (registered.state === state) {
      lastFlipMs[target.region] = registered.lastFlipMs;
      lastRestoreMs[target.region] = registered.lastRestoreMs;
    } else {
      lastFlipMs[target.region] = nowMs;
      lastRestoreMs[target.region] = state === 'serving' ? nowMs : registered.lastRestoreMs;
    }
  }
  return {
    observer: 'route53', decisionId: newest?.decisionId ?? 'route53-state', decidedMs: newest?.decidedMs ?? 0, appliedMs: newest?.decidedMs ?? 0,
    routing: shown, changeId: null, lastFlipMs, lastRestoreMs, epoch,
  };
}

/** The next register value of one zone, for a decision applied over `applied` (the state it was planned from). */
export function nextRegister(zone: string, weighted: readonly TargetConfig[], records: readonly RecordSetView[], applied: AppliedDecision, routing: Record<Region, RoutingState>, decisionId: string, nowMs: number): RegisterSwap | null {
  const name = registerName(zone, weighted);
  if (name === null) return null;
  const current = findRegister(zone, weighted, records);
  const currentValue = current === undefined ? null : decodeRegister(current.resourceRecords?.[0] ?? '');
  const targets: Record<Region, RegisterTarget> = {};
  for (const target of weighted.filter((t) => normaliseZoneId(t.route53.hostedZoneId) === normaliseZoneId(zone))) {
    const before = applied.routing[target.region] ?? 'serving';
    const after = routing[target.region] ?? 'serving';
    const flipped = before !== after;
    targets[target.region] = {
      state: after,
      lastFlipMs: flipped ? nowMs : (applied.lastFlipMs[target.region] ?? null),
      lastRestoreMs: flipped && after === 'serving' ? nowMs : (applied.lastRestoreMs?.[target.region] ?? null),
    };
  }
  const value: RegisterValue = { epoch: (currentValue?.epoch ?? 0) + 1, decisionId, decidedMs: nowMs, targets };
  return { delete: current ?? null, create: registerRecord(zone, name, value) };
}

/** The records as a batch leaves them: the weights it UPSERTs and the register it swaps in. */
export function recordsAfter(records: readonly RecordSetView[], changes: ReadonlyArray<{ record: RecordSetView }>, swaps: readonly RegisterSwap[]): RecordSetView[] {
  const key = (r: RecordSetView) => `${normaliseZoneId(r.hostedZoneId)}|${normaliseRecordName(r.name)}|${r.type}|${r.setIdentifier ?? ''}`;
  const out = new Map(records.map((r) => [key(r), { ...r }] as const));
  for (const swap of swaps) {
    if (swap.delete !== null) out.delete(key(swap.delete));
    out.set(key(swap.create), { ...swap.create });
  }
  for (const change of changes) out.set(key(change.record), { ...change.record });
  return [...out.values()];
}
