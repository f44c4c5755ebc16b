/**
 * Route 53 as the simulator models it: hosted zones of record sets (weighted A/AAAA/CNAME records,
 * TXT records), change batches applied atomically, each accepted batch PENDING until its INSYNC
 * time (drawn: 5 s + exponential with a 10 s mean, capped at 60 s — "generally within 60
 * seconds"), API throttling, and outage windows that refuse every call. Each observer reaches it
 * through a client that retries like the real adapter (bounded, jittered). Every API call attempt
 * is recorded as a `route53-call` history entry.
 *
 * What the model follows, read on 2026-12-03 (Route 53 Developer Guide, "Throttling for Amazon
 * Route 53 API requests", docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html,
 * and the AWS blog "Introducing change-based throttling for Amazon Route 53 APIs"):
 *   - since 30 July 2026 the default request rate is 10 requests a second (it was 5): a token
 *     bucket per account, maximum capacity 50, refill 10 a second, shared by every API action;
 *   - each API action has its own bucket too (default capacity 50, refill 10 — the actions used
 *     here, ChangeResourceRecordSets, ListResourceRecordSets and GetChange, are not listed apart),
 *     and a request takes a token from both; either empty → `Throttling: Rate exceeded` (HTTP 400);
 *   - change-based throttling: a separate bucket counts individual record changes per second
 *     across the actions that modify DNS data. The page's table of its sizes was not in what I
 *     could read, so `changeBucketBurst`/`changeBucketRefillPerSecond` below are ASSUMPTIONS; an
 *     UPSERT counts as two changes (AWS re:Post "How can I avoid Route 53 API throttling errors?":
 *     "UPSERT requests count twice") — also applied here to the change bucket, an assumption;
 *   - `PriorRequestNotComplete` (DNSLimitations / re:Post): "If Route 53 can't process a request
 *     before the next request arrives, it will reject subsequent requests for the same hosted
 *     zone". Modelled per zone: a batch is being processed for a drawn 200–1000 ms (an assumption)
 *     after it is accepted, and during a scenario's `route53-throttle` storm until it is INSYNC;
 *   - ChangeResourceRecordSets is transactional (API reference): all changes of a batch or none;
 *     a DELETE must match the existing record exactly (name, type, set identifier, weight, TTL,
 *     values) and a CREATE of an existing record fails, either refusing the whole batch with
 *     `InvalidChangeBatch`;
 *   - the control plane is hosted in us-east-1: a scenario can take it down with that region
 *     (`region-down` with `route53ControlPlane: true`) or alone (`route53-outage`).
 */
import { normaliseRecordName, normaliseZoneId, type RecordSetView, type RegisterSwap, type Region, type Route53Binding, type RouteChange, type TargetConfig } from '../shared/domain';
import { DnsError, type ChangeStatus, type Dns, type RegisterRef } from '../shared/ports';
import type { FaultTimeline } from './faults';
import type { History } from './history';
import type { SimRandom } from './random';
import type { Scheduler } from './scheduler';

export const insyncDelayMsMin = 5_000;
export const insyncDelayMsMean = 10_000;
export const insyncDelayMsMax = 60_000;
/** Account-level request bucket (2026 defaults): capacity 50, refill 10 a second. */
export const apiBurstDefault = 50;
export const apiRefillPerSecondDefault = 10;
/** Per-action request bucket (the default for actions not listed apart). */
export const actionBurstDefault = 50;
export const actionRefillPerSecondDefault = 10;
/** Change-throughput bucket: ASSUMED sizes (see the header). */
export const changeBucketBurst = 1_000;
export const changeBucketRefillPerSecond = 100;
/** How long a zone is busy with an accepted batch (PriorRequestNotComplete): ASSUMED 200–1000 ms. */
export const processingMsRange = [200, 1_000] as const;
/** The client's retries, as the real adapter's SDK retry strategy. */
export const dnsAttemptsMax = 3;
export const dnsBackoffMsBase = 200;

export type Route53Op = 'read' | 'change' | 'status';

/** One change of a batch, as ChangeResourceRecordSets takes it. */
export interface ServerChange {
  action: 'CREATE' | 'DELETE' | 'UPSERT';
  record: RecordSetView;
}

export interface ChangeRecord {
  id: string;
  zone: string;
  observer: Region;
  decisionId: string;
  submittedMs: number;
  insyncAtMs: number;
  /** Until then the zone refuses another batch with PriorRequestNotComplete. */
  processedAtMs: number;
  changes: RouteChange[];
  batch: ServerChange[];
}

/** A batch refused whole: a DELETE that does not match, a CREATE of a record that exists (Route 53's InvalidChangeBatch). */
export class InvalidChangeBatchError extends DnsError {
  readonly reason = 'invalid-change-batch';

  constructor(message: string) {
    super(`InvalidChangeBatch: ${message}`, 'invalid');
  }
}

class TokenBucket {
  private tokens: number;
  private refilledMs = 0;

  constructor(burst: number) {
    this.tokens = burst;
  }

  /** Refills for the time passed (at the given limits), then takes `n` tokens if there are enough. */
  take(nowMs: number, n: number, burst: number, refillPerSecond: number): boolean {
    this.tokens = Math.min(burst, this.tokens + ((nowMs - this.refilledMs) / 1000) * refillPerSecond);
    this.refilledMs = nowMs;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** Record identity within a zone: name, type and set identifier. */
function sameRecord(a: RecordSetView, b: RecordSetView): boolean {
  return normaliseZoneId(a.hostedZoneId) === normaliseZoneId(b.hostedZoneId) && normaliseRecordName(a.name) === normaliseRecordName(b.name) && a.type === b.type && (a.setIdentifier ?? '') === (b.setIdentifier ?? '');
}

/** What a DELETE must match exactly: identity plus weight, TTL and values. */
function sameContent(a: RecordSetView, b: RecordSetView): boolean {
  return sameRecord(a, b) && (a.weight ?? null) === (b.weight ?? null) && (a.ttl ?? null) === (b.ttl ?? null) && JSON.stringify(a.resourceRecords ?? []) === JSON.stringify(b.resourceRecords ?? []);
}

export class SimRoute53 {
  records: RecordSetView[];
  readonly changes: ChangeRecord[] = [];
  private readonly account = new TokenBucket(apiBurstDefault);
  private readonly actions = new Map<Route53Op, TokenBucket>();
  private readonly changeBucket = new TokenBucket(changeBucketBurst);

  constructor(targets: readonly TargetConfig[], private readonly scheduler: Scheduler, private readonly faults: FaultTimeline, private readonly random: SimRandom, private readonly history: History, private readonly processingRandom: SimRandom) {
    this.records = targets.map((t) => ({ hostedZoneId: normaliseZoneId(t.route53.hostedZoneId), name: normaliseRecordName(t.route53.recordName), type: t.route53.recordType, setIdentifier: t.route53.setIdentifier, weight: t.route53.weight, ttl: 60, resourceRecords: ['192.0.2.1'] }));
  }

  private refuse(observer: Region, op: Route53Op, error: DnsError): never {
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'route53-call', observer, op, ok: false, code: error instanceof InvalidChangeBatchError ? error.reason : error.code });
    throw error;
  }

  /** One API call's admission: outage, then the account and action buckets. */
  private admit(observer: Region, op: Route53Op): void {
    const nowMs = this.scheduler.nowMs();
    if (this.faults.route53Down(nowMs)) this.refuse(observer, op, new DnsError('Route 53 control plane unavailable', 'unavailable'));
    const storm = this.faults.route53Throttle(nowMs);
    const accountOk = this.account.take(nowMs, 1, storm?.burst ?? apiBurstDefault, storm?.refillPerSecond ?? apiRefillPerSecondDefault);
    let action = this.actions.get(op);
    if (action === undefined) this.actions.set(op, (action = new TokenBucket(actionBurstDefault)));
    const actionOk = action.take(nowMs, 1, actionBurstDefault, actionRefillPerSecondDefault);
    if (!accountOk || !actionOk) this.refuse(observer, op, new DnsError('Throttling: Rate exceeded', 'throttled'));
  }

  private ok(observer: Region, op: Route53Op): void {
    this.history.add({ atMs: this.scheduler.nowMs(), kind: 'route53-call', observer, op, ok: true });
  }

  /** ListResourceRecordSets over every zone (the simulator has few records: one page). */
  read(observer: Region): RecordSetView[] {
    this.admit(observer, 'read');
    this.ok(observer, 'read');
    return this.records.map((r) => ({ ...r, ...(r.resourceRecords ? { resourceRecords: [...r.resourceRecords] } : {}) }));
  }

  /**
   * ChangeResourceRecordSets: one batch for one zone, all or nothing.
   * `changes` (the Dns port's view, for the history) may be empty when the batch is raw.
   */
  changeBatch(observer: Region, zone: string, batch: readonly ServerChange[], decisionId: string, changes: readonly RouteChange[] = []): ChangeRecord {
    this.admit(observer, 'change');
    const nowMs = this.scheduler.nowMs();
    const zoneId = normaliseZoneId(zone);
    const storm = this.faults.route53Throttle(nowMs) !== null;
    const busy = this.changes.some((c) => c.zone === zoneId && (storm ? c.insyncAtMs : c.processedAtMs) > nowMs);
    if (busy) this.refuse(observer, 'change', new DnsError('PriorRequestNotComplete: the request was rejected because Route 53 was still processing a prior request', 'prior-request'));
    const changeCount = batch.reduce((n, c) => n + (c.action === 'UPSERT' ? 2 : 1), 0);
    if (!this.changeBucket.take(nowMs, changeCount, changeBucketBurst, changeBucketRefillPerSecond)) this.refuse(observer, 'change', new DnsError('Throttling: Rate exceeded (change throughput)', 'throttled'));
    let next = [...this.records];
    for (const change of batch) {
      const record = { ...change.record, hostedZoneId: zoneId, name: normaliseRecordName(change.record.name) };
      if (normaliseZoneId(change.record.hostedZoneId) !== zoneId) this.refuse(observer, 'change', new InvalidChangeBatchError(`record ${record.name} is not in zone ${zoneId}`));
      const index = next.findIndex((r) => sameRecord(r, record));
      if (change.action === 'CREATE') {
        if (index !== -1) this.refuse(observer, 'change', new InvalidChangeBatchError(`Tried to create resource record set ${record.name} type ${record.type}${record.setIdentifier ? ` set ${record.setIdentifier}` : ''} but it already exists`));
        next.push(record);
      } else if (change.action === 'DELETE') {
        if (index === -1 || !sameContent(next[index]!, record)) this.refuse(observer, 'change', new InvalidChangeBatchError(`Tried to delete resource record set ${record.name} type ${record.type}${record.setIdentifier ? ` set ${record.setIdentifier}` : ''} but the values provided do not match the current values`));
        next = next.filter((_, i) => i !== index);
      } else if (index === -1) {
        next.push(record);
      } else {
        next[index] = record;
      }
    }
    this.records = next;
    const insyncDelayMs = Math.min(insyncDelayMsMax, insyncDelayMsMin + this.random.exponential(insyncDelayMsMean));
    const record: ChangeRecord = {
      id: `C${String(this.changes.length + 1).padStart(6, '0')}`, zone: zoneId, observer, decisionId, submittedMs: nowMs, insyncAtMs: Math.round(nowMs + insyncDelayMs),
      processedAtMs: Math.round(nowMs + this.processingRandom.uniform(...processingMsRange)), changes: [...changes], batch: batch.map((c) => ({ ...c })),
    };
    this.changes.push(record);
    this.ok(observer, 'change');
    return record;
  }

  /** The Dns port's change, as the runtime plans it: the register swap (exact DELETE + CREATE) and the weights (UPSERT). */
  change(observer: Region, zone: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): ChangeRecord {
    const bound = changes.map((c) => this.records.find((r) => sameRecord(r, { ...c.record, hostedZoneId: zone })));
    const missing = changes.find((_, i) => bound[i] === undefined);
    if (missing !== undefined) this.refuse(observer, 'change', new DnsError(`no record ${missing.record.name} ${missing.record.setIdentifier}`, 'invalid'));
    const swap: ServerChange[] = register === undefined ? [] : [...(register.delete === null ? [] : [{ action: 'DELETE' as const, record: register.delete }]), { action: 'CREATE' as const, record: register.create }];
    return this.changeBatch(observer, zone, [...swap, ...changes.map((c, i) => ({ action: c.action, record: { ...bound[i]!, weight: c.toWeight } }))], decisionId, changes);
  }

  status(observer: Region, changeId: string): ChangeStatus {
    this.admit(observer, 'status');
    const change = this.changes.find((c) => c.id === changeId);
    if (change === undefined) this.refuse(observer, 'status', new DnsError(`no change ${changeId}`, 'invalid'));
    this.ok(observer, 'status');
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
        if (!(error instanceof DnsError) || error.code === 'invalid' || attempt >= dnsAttemptsMax) {
          if (error instanceof DnsError) this.history.add({ atMs: this.scheduler.nowMs(), kind: 'dns-error', observer: this.observer, code: error instanceof InvalidChangeBatchError ? error.reason : error.code });
          throw error;
        }
        await this.scheduler.sleepMs(dnsBackoffMsBase * 2 ** attempt * this.random.uniform(0.5, 1));
      }
    }
  }

  async readRecords(_bindings: readonly Route53Binding[], _registers?: readonly RegisterRef[]): Promise<RecordSetView[]> {
    return this.withRetries(() => this.route53.read(this.observer));
  }

  async applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): Promise<{ changeId: string }> {
    let change: ChangeRecord;
    try {
      change = await this.withRetries(() => this.route53.change(this.observer, hostedZoneId, changes, decisionId, register));
    } catch (error) {
      // As the real adapter: a refused register swap means the batch was planned from a stale state.
      if (register !== undefined && error instanceof InvalidChangeBatchError) throw new DnsError(`${error.message} (the register changed since it was read)`, 'conflict', { cause: error });
      throw error;
    }
    this.history.add({ atMs: change.submittedMs, kind: 'dns-change', observer: this.observer, changeId: change.id, decisionId, changes: changes.map((c) => ({ target: c.target, fromWeight: c.fromWeight, toWeight: c.toWeight })), insyncAtMs: change.insyncAtMs });
    return { changeId: change.id };
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    return this.withRetries(() => this.route53.status(this.observer, changeId));
  }
}
