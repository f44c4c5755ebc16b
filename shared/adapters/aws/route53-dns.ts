/**
 * The `Dns` port over the Route 53 control plane (us-east-1 in AWS).
 *
 * Reads only the record sets the bindings and registers name (ListResourceRecordSets from each
 * name/type, in bounded pages); applies the core's plan as one ChangeResourceRecordSets per zone:
 * weights by UPSERT only (a DELETE by SetIdentifier is easy to aim wrong), and the zone's register
 * (a TXT record of Arbiter's own) by an exact DELETE plus CREATE, which makes the batch a
 * compare-and-swap; the decision id is in the batch Comment. `Throttling` and `PriorRequestNotComplete` are retried by the SDK retry strategy
 * (explicit attempts, capped full-jitter backoff); what survives becomes a DnsError code.
 */
import {
  ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client,
  type ResourceRecordSet, type RRType,
} from '@aws-sdk/client-route-53';
import { invariant, normaliseRecordName, normaliseZoneId, type RecordSetView, type RegisterSwap, type Route53Binding, type RouteChange } from '../../domain';
import { ArbiterError, DnsError, type ChangeStatus, type Dns, type RegisterRef } from '../../ports';
import { sdkClientConfig, sdkErrorName, type SdkOptions } from './sdk-options';

/** Record sets per ListResourceRecordSets page, and pages per bound name, before giving up. */
export const recordSetsPageSizeMax = 100;
export const recordSetsPagesMax = 10;
/** Route 53 allows 1,000 changes per batch; a plan is one change per target, at most 20. */
export const changesPerBatchMax = 100;
/** GetChange polling: every `pollMs`, at most `waitMs` in all. */
export const changePollMs = 2_000;
export const changeWaitMsMax = 120_000;
/** The Route 53 control plane's region. */
export const route53Region = 'us-east-1';

export interface Route53DnsOptions {
  client?: Route53Client;
  sdk?: SdkOptions;
}

/** Builds the Route 53 client (explicit retries and timeouts). */
export function createRoute53Client(sdk: SdkOptions): Route53Client {
  return new Route53Client(sdkClientConfig(sdk));
}

function toView(zoneId: string, set: ResourceRecordSet): RecordSetView {
  return {
    hostedZoneId: normaliseZoneId(zoneId),
    name: normaliseRecordName(set.Name ?? ''),
    type: set.Type ?? '',
    setIdentifier: set.SetIdentifier ?? '',
    weight: set.Weight ?? null,
    ...(set.TTL === undefined ? {} : { ttl: set.TTL }),
    ...(set.ResourceRecords === undefined ? {} : { resourceRecords: set.ResourceRecords.map((r) => r.Value ?? '') }),
    ...(set.AliasTarget === undefined ? {} : { aliasTarget: { hostedZoneId: set.AliasTarget.HostedZoneId ?? '', dnsName: set.AliasTarget.DNSName ?? '', evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth ?? false } }),
    ...(set.HealthCheckId === undefined ? {} : { healthCheckId: set.HealthCheckId }),
  };
}

function toRecordSet(record: RecordSetView): ResourceRecordSet {
  invariant(record.weight !== null && record.weight >= 0 && record.weight <= 255, `route53: weight of ${record.name} ${record.setIdentifier} must be 0..255`);
  return {
    Name: record.name,
    Type: record.type as RRType,
    SetIdentifier: record.setIdentifier,
    Weight: record.weight,
    ...(record.ttl === undefined ? {} : { TTL: record.ttl }),
    ...(record.resourceRecords === undefined ? {} : { ResourceRecords: record.resourceRecords.map((Value) => ({ Value })) }),
    ...(record.aliasTarget === undefined ? {} : { AliasTarget: { HostedZoneId: record.aliasTarget.hostedZoneId, DNSName: record.aliasTarget.dnsName, EvaluateTargetHealth: record.aliasTarget.evaluateTargetHealth } }),
    ...(record.healthCheckId === undefined ? {} : { HealthCheckId: record.healthCheckId }),
  };
}

/** A register record (TXT, no routing policy) as Route 53 takes it. */
function toRegisterSet(record: RecordSetView): ResourceRecordSet {
  invariant(record.type === 'TXT' && record.ttl !== undefined && record.resourceRecords !== undefined, `route53: register ${record.name} must be a TXT record with a TTL and a value`);
  return { Name: record.name, Type: 'TXT', TTL: record.ttl, ResourceRecords: record.resourceRecords.map((Value) => ({ Value })) };
}

/** Route 53's words (and moto's) for a batch whose DELETE no longer matches or whose CREATE already exists. */
const staleBatch = /not found|do not match|does not match|already exists|not exist/i;

/** SDK error → DnsError with a code the runtime can report. */
export function dnsErrorFrom(operation: string, error: unknown): DnsError {
  if (error instanceof DnsError) return error;
  const name = sdkErrorName(error);
  const message = `Route 53 ${operation} failed: ${name}: ${(error as Error)?.message ?? String(error)}`;
  if (name === 'PriorRequestNotComplete') return new DnsError(message, 'prior-request', { cause: error });
  if (/Throttl/.test(name)) return new DnsError(message, 'throttled', { cause: error });
  if (/^(InvalidChangeBatch|InvalidInput|NoSuchHostedZone|InvalidArgument|NoSuchChange)$/.test(name)) return new DnsError(message, 'invalid', { cause: error });
  return new DnsError(message, 'unavailable', { cause: error });
}

/**
 * @example
 *   const dns = new Route53Dns({ sdk: { region: 'us-east-1' } });
 *   const { changeId } = await dns.applyChanges('Z123', plan.byZone.Z123, decision.id);
 *   await dns.waitInsync(changeId);
 */
export class Route53Dns implements Dns {
  private readonly client: Route53Client;

  constructor(options: Route53DnsOptions) {
    if (options.client === undefined && options.sdk === undefined) throw new ArbiterError('Route53Dns needs a client or sdk options');
    this.client = options.client ?? createRoute53Client(options.sdk!);
  }

  async readRecords(bindings: readonly Route53Binding[], registers: readonly RegisterRef[] = []): Promise<RecordSetView[]> {
    const wanted = new Map<string, { zone: string; name: string; type: string }>();
    for (const b of bindings) wanted.set(`${normaliseZoneId(b.hostedZoneId)}|${normaliseRecordName(b.recordName)}|${b.recordType}`, { zone: normaliseZoneId(b.hostedZoneId), name: normaliseRecordName(b.recordName), type: b.recordType });
    for (const r of registers) wanted.set(`${normaliseZoneId(r.hostedZoneId)}|${normaliseRecordName(r.name)}|TXT`, { zone: normaliseZoneId(r.hostedZoneId), name: normaliseRecordName(r.name), type: 'TXT' });
    const lists = await Promise.all([...wanted.values()].map((w) => this.listNameType(w.zone, w.name, w.type)));
    return lists.flat();
  }

  /** Every record set with exactly this name and type (all set identifiers), in bounded pages. */
  private async listNameType(zoneId: string, name: string, type: string): Promise<RecordSetView[]> {
    const found: RecordSetView[] = [];
    let start: { name: string; type: string; identifier?: string } | null = { name, type };
    for (let page = 0; page < recordSetsPagesMax && start !== null; page += 1) {
      const from: { name: string; type: string; identifier?: string } = start;
      const out = await this.send('ListResourceRecordSets', () => this.client.send(new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId, StartRecordName: from.name, StartRecordType: from.type as RRType, MaxItems: recordSetsPageSizeMax,
        ...(from.identifier === undefined ? {} : { StartRecordIdentifier: from.identifier }),
      })));
      const sets = out.ResourceRecordSets ?? [];
      for (const set of sets) if (normaliseRecordName(set.Name ?? '') === name && set.Type === type) found.push(toView(zoneId, set));
      // Sets come sorted by name then type: once one differs, ours are all read.
      const passed = sets.some((s) => normaliseRecordName(s.Name ?? '') !== name || s.Type !== type);
      start = !passed && out.IsTruncated === true && out.NextRecordName !== undefined
        ? { name: out.NextRecordName, type: out.NextRecordType ?? type, ...(out.NextRecordIdentifier === undefined ? {} : { identifier: out.NextRecordIdentifier }) }
        : null;
      if (start === null) return found;
    }
    throw new DnsError(`Route 53 ${name} ${type} in ${zoneId}: more than ${recordSetsPagesMax} pages of record sets`, 'invalid');
  }

  /**
   * One batch: the register swap first (exact DELETE of what was read, CREATE of the next value),
   * then the weights (UPSERT). Route 53 applies it whole or refuses it whole; a refusal of the swap
   * (the register changed since it was read) is DnsError `conflict`.
   */
  async applyChanges(hostedZoneId: string, changes: readonly RouteChange[], decisionId: string, register?: RegisterSwap): Promise<{ changeId: string }> {
    if (changes.length === 0 || changes.length > changesPerBatchMax) throw new DnsError(`a change batch needs 1..${changesPerBatchMax} changes, got ${changes.length}`, 'invalid');
    for (const change of changes) invariant(change.action === 'UPSERT', `route53: weights are only ever UPSERTed, got ${String(change.action)}`);
    const swap = register === undefined ? [] : [
      ...(register.delete === null ? [] : [{ Action: 'DELETE' as const, ResourceRecordSet: toRegisterSet(register.delete) }]),
      { Action: 'CREATE' as const, ResourceRecordSet: toRegisterSet(register.create) },
    ];
    try {
      const out = await this.send('ChangeResourceRecordSets', () => this.client.send(new ChangeResourceRecordSetsCommand({
        HostedZoneId: normaliseZoneId(hostedZoneId),
        ChangeBatch: { Comment: `arbiter decision ${decisionId}`.slice(0, 256), Changes: [...swap, ...changes.map((c) => ({ Action: 'UPSERT' as const, ResourceRecordSet: toRecordSet(c.record) }))] },
      })));
      return { changeId: (out.ChangeInfo?.Id ?? '').replace(/^\/change\//, '') };
    } catch (error) {
      if (register !== undefined && error instanceof DnsError && error.code === 'invalid' && (staleBatch.test(error.message) || await this.registerMoved(hostedZoneId, register))) {
        throw new DnsError(`${error.message} (the register changed since it was read: re-read and re-plan)`, 'conflict', { cause: error });
      }
      throw error;
    }
  }

  /** After a refused batch: whether the register no longer holds what the batch's DELETE expected. */
  private async registerMoved(hostedZoneId: string, register: RegisterSwap): Promise<boolean> {
    const name = normaliseRecordName(register.create.name);
    const current = (await this.listNameType(normaliseZoneId(hostedZoneId), name, 'TXT'))[0];
    if (register.delete === null) return current !== undefined;
    return current === undefined || JSON.stringify(current.resourceRecords ?? []) !== JSON.stringify(register.delete.resourceRecords ?? []) || current.ttl !== register.delete.ttl;
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    const out = await this.send('GetChange', () => this.client.send(new GetChangeCommand({ Id: changeId })));
    return out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
  }

  /**
   * Polls GetChange until INSYNC or `waitMs` passes; returns how long it took, or null on timeout.
   * `sleepMs` and `nowMs` are injectable (tests).
   */
  async waitInsync(changeId: string, options: { pollMs?: number; waitMs?: number; sleepMs?: (ms: number) => Promise<void>; nowMs?: () => number } = {}): Promise<number | null> {
    const pollMs = options.pollMs ?? changePollMs;
    const waitMs = Math.min(options.waitMs ?? changeWaitMsMax, changeWaitMsMax);
    const now = options.nowMs ?? Date.now;
    const sleep = options.sleepMs ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const startedMs = now();
    const pollsMax = Math.ceil(waitMs / pollMs) + 1;
    for (let poll = 0; poll < pollsMax; poll += 1) {
      if ((await this.changeStatus(changeId)) === 'INSYNC') return now() - startedMs;
      if (now() - startedMs >= waitMs) break;
      await sleep(pollMs);
    }
    return null;
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw dnsErrorFrom(operation, error);
    }
  }
}
