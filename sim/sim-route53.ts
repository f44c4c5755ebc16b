/**
 * Route 53 as the simulator models it: one global set of weighted records; each accepted change
 * batch is PENDING until its INSYNC time (drawn: 5 s + exponential with a 10 s mean, capped at
 * 60 s — "generally within 60 seconds"); a token bucket in front of the API (5 requests a second
 * normally, scenario faults shrink it: `Throttling`); a change to a zone that still has a PENDING
 * change during a throttling storm gets `PriorRequestNotComplete`; outage windows refuse every call.
 * Each observer reaches it through a client that retries like the real adapter (bounded, jittered).
 */
import { normaliseRecordName, normaliseZoneId, sameRecord, type RecordSetView, type Region, type RegisterSwap, type Route53Binding, type RouteChange, type TargetConfig } from '../shared/domain';
import { DnsError, type ChangeStatus, type Dns } from '../shared/ports';
import type { FaultTimeline } from './faults';
import type { History } from './history';
import type { SimRandom } from './random';
import type { Scheduler } from './scheduler';

export const insyncDelayMsMin = 5_000;
export const insyncDelayMsMean = 10_000;
export const insyncDelayMsMax = 60_000;
/** The API's normal rate limit (per account): 5 requests a second. */
export const apiBurstDefault = 5;
export const apiRefillPerSecondDefault = 5;
/** The client's retries, as the real adapter's SDK retry strategy. */
export const dnsAttemptsMax = 3;
export const dnsBackoffMsBase = 200;

export interface ChangeRecord {
  id: string;
  zone: string;
  observer: Region;
  decisionId: string;
  submittedMs: number;
  insyncAtMs: number;
  changes: RouteChange[];
}

export class SimRoute53 {
  readonly records: RecordSetView[];
  readonly changes: ChangeRecord[] = [];
  private tokens = apiBurstDefault;
  private refilledMs = 0;

  constructor(targets: readonly TargetConfig[], private readonly scheduler: Scheduler, private readonly faults: FaultTimeline, private readonly random: SimRandom) {
    this.records = targets.map((t) => ({ hostedZoneId: normaliseZoneId(t.route53.hostedZoneId), name: normaliseRecordName(t.route53.recordName), type: t.route53.recordType, setIdentifier: t.route53.setIdentifier, weight: t.route53.weight, ttl: 60, resourceRecords: ['192.0.2.1'] }));
  }

  /** One API call's admission: outage, then the token bucket. */
  private admit(): void {
    const nowMs = this.scheduler.nowMs();
    if (this.faults.route53Down(nowMs)) throw new DnsError('Route 53 control plane unavailable', 'unavailable');
    const limits = this.faults.route53Throttle(nowMs) ?? { burst: apiBurstDefault, refillPerSecond: apiRefillPerSecondDefault };
    this.tokens = Math.min(limits.burst, this.tokens + ((nowMs - this.refilledMs) / 1000) * limits.refillPerSecond);
    this.refilledMs = nowMs;
    if (this.tokens < 1) throw new DnsError('Throttling: Rate exceeded', 'throttled');
    this.tokens -= 1;
  }

  read(): RecordSetView[] {
    this.admit();
    return this.records.map((r) => ({ ...r }));
  }

  change(observer: Region, zone: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): ChangeRecord {
    this.admit();
    const nowMs = this.scheduler.nowMs();
    const pending = this.changes.some((c) => c.zone === zone && c.insyncAtMs > nowMs);
    if (pending && this.faults.route53Throttle(nowMs) !== null) throw new DnsError('PriorRequestNotComplete: the request was rejected because Route 53 was still processing a prior request', 'prior-request');
    const next = this.records.map((r) => ({ ...r }));
    if (register !== undefined) {
      // The batch is atomic: a DELETE that does not match exactly, or a CREATE of an existing record, refuses all of it.
      const at = (r: RecordSetView) => next.findIndex((n) => n.hostedZoneId === normaliseZoneId(zone) && n.name === normaliseRecordName(r.name) && n.type === r.type);
      if (register.delete !== null) {
        const index = at(register.delete);
        if (index === -1 || !sameRecord(next[index]!, register.delete)) throw new DnsError(`InvalidChangeBatch: Tried to delete resource record set ${register.delete.name} TXT but the values provided do not match the current values`, 'conflict');
        next.splice(index, 1);
      }
      if (at(register.create) !== -1) throw new DnsError(`InvalidChangeBatch: Tried to create resource record set ${register.create.name} TXT but it already exists`, 'conflict');
      next.push({ ...register.create, hostedZoneId: normaliseZoneId(zone), name: normaliseRecordName(register.create.name) });
    }
    for (const change of changes) {
      const index = next.findIndex((r) => r.hostedZoneId === normaliseZoneId(zone) && r.setIdentifier === change.record.setIdentifier && r.name === normaliseRecordName(change.record.name));
      if (index === -1) throw new DnsError(`no record ${change.record.name} ${change.record.setIdentifier}`, 'invalid');
      next[index] = { ...next[index]!, weight: change.toWeight };
    }
    this.records.splice(0, this.records.length, ...next);
    const insyncDelayMs = Math.min(insyncDelayMsMax, insyncDelayMsMin + this.random.exponential(insyncDelayMsMean));
    const record: ChangeRecord = { id: `C${String(this.changes.length + 1).padStart(6, '0')}`, zone, observer, decisionId, submittedMs: nowMs, insyncAtMs: Math.round(nowMs + insyncDelayMs), changes: [...changes] };
    this.changes.push(record);
    return record;
  }

  status(changeId: string): ChangeStatus {
    this.admit();
    const change = this.changes.find((c) => c.id === changeId);
    if (change === undefined) throw new DnsError(`no change ${changeId}`, 'invalid');
    return change.insyncAtMs <= this.scheduler.nowMs() ? 'INSYNC' : 'PENDING';
  }

  weightOf(setIdentifier: string): number | null {
    return this.records.find((r) => r.setIdentifier === setIdentifier && r.type !== 'TXT')?.weight ?? null;
  }
}

/** One observer's Route 53 client: the Dns port with bounded, jittered retries. */
export class SimRoute53Client implements Dns {
  constructor(private readonly route53: SimRoute53, private readonly observer: Region, private readonly scheduler: Scheduler, private readonly random: SimRandom, private readonly history: History) {}

  private async withRetries<T>(call: () => T): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return call();
      } catch (error) {
        if (!(error instanceof DnsError) || error.code === 'invalid' || error.code === 'conflict' || attempt >= dnsAttemptsMax) {
          if (error instanceof DnsError) this.history.add({ atMs: this.scheduler.nowMs(), kind: 'dns-error', observer: this.observer, code: error.code });
          throw error;
        }
        await this.scheduler.sleepMs(dnsBackoffMsBase * 2 ** attempt * this.random.uniform(0.5, 1));
      }
    }
  }

  async readRecords(_bindings: readonly Route53Binding[]): Promise<RecordSetView[]> {
    return this.withRetries(() => this.route53.read());
  }

  async applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): Promise<{ changeId: string }> {
    const change = await this.withRetries(() => this.route53.change(this.observer, hostedZoneId, changes, decisionId, register));
    this.history.add({ atMs: change.submittedMs, kind: 'dns-change', observer: this.observer, changeId: change.id, decisionId, changes: changes.map((c) => ({ target: c.target, fromWeight: c.fromWeight, toWeight: c.toWeight })), insyncAtMs: change.insyncAtMs });
    return { changeId: change.id };
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    return this.withRetries(() => this.route53.status(changeId));
  }
}
