/** Route 53 in memory: weighted record sets, change ids, and a switch to fail the control plane. */
import { normaliseRecordName, normaliseZoneId, sameRecord, type RecordSetView, type RegisterSwap, type Route53Binding, type RouteChange } from '../../domain';
import { DnsError, type ChangeStatus, type Dns } from '../../ports';

export class MemoryDns implements Dns {
  readonly records: RecordSetView[] = [];
  readonly changes: Array<{ id: string; zone: string; decisionId: string; changes: RouteChange[] }> = [];
  /** Set to make every change fail as the real control plane would during an outage. */
  failWith: DnsError | null = null;
  /** Set to make reads fail too (the whole control plane down; failWith alone fails changes only). */
  readFailWith: DnsError | null = null;
  /** Record reads asked for, answered or not (what a throttled account spends its tokens on). */
  reads = 0;
  private nextId = 1;

  constructor(records: readonly RecordSetView[] = []) {
    this.records.push(...records.map((r) => ({ ...r })));
  }

  /** Seeds one weighted record per binding, each at its serving weight. */
  static fromBindings(bindings: readonly Route53Binding[], address = '192.0.2.1'): MemoryDns {
    return new MemoryDns(bindings.map((b) => ({ hostedZoneId: normaliseZoneId(b.hostedZoneId), name: normaliseRecordName(b.recordName), type: b.recordType, setIdentifier: b.setIdentifier, weight: b.weight, ttl: 60, resourceRecords: [address] })));
  }

  async readRecords(_bindings: readonly Route53Binding[]): Promise<RecordSetView[]> {
    this.reads += 1;
    if (this.readFailWith !== null) throw this.readFailWith;
    return this.records.map((r) => ({ ...r }));
  }

  async applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): Promise<{ changeId: string }> {
    if (this.failWith !== null) throw this.failWith;
    const next = this.records.map((r) => ({ ...r }));
    if (register !== undefined) {
      // As Route 53: the DELETE must match exactly, the CREATE must not exist; the batch is all or nothing.
      const at = (r: RecordSetView) => next.findIndex((n) => normaliseZoneId(n.hostedZoneId) === normaliseZoneId(hostedZoneId) && normaliseRecordName(n.name) === normaliseRecordName(r.name) && n.type === r.type);
      if (register.delete !== null) {
        const index = at(register.delete);
        if (index === -1 || !sameRecord(next[index]!, register.delete)) throw new DnsError(`InvalidChangeBatch: ${register.delete.name} TXT not found as read`, 'conflict');
        next.splice(index, 1);
      }
      if (at(register.create) !== -1) throw new DnsError(`InvalidChangeBatch: ${register.create.name} TXT already exists`, 'conflict');
      next.push({ ...register.create });
    }
    for (const change of changes) {
      const index = next.findIndex((r) => normaliseZoneId(r.hostedZoneId) === normaliseZoneId(hostedZoneId) && normaliseRecordName(r.name) === normaliseRecordName(change.record.name) && r.type === change.record.type && r.setIdentifier === change.record.setIdentifier);
      if (index === -1) throw new DnsError(`no record ${change.record.name} ${change.record.setIdentifier}`, 'invalid');
      next[index] = { ...change.record };
    }
    this.records.splice(0, this.records.length, ...next);
    const id = `C${String(this.nextId++).padStart(6, '0')}`;
    this.changes.push({ id, zone: hostedZoneId, decisionId, changes: [...changes] });
    return { changeId: id };
  }

  async changeStatus(_changeId: string): Promise<ChangeStatus> {
    return 'INSYNC';
  }

  weightOf(setIdentifier: string): number | null {
    return this.records.find((r) => r.setIdentifier === setIdentifier)?.weight ?? null;
  }
}
