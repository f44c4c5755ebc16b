/**
 * The `Store` port over one DynamoDB table (a Global Table in AWS; one replica per observer region).
 *
 * Item layout (key `pk` S + `sk` S; every item also carries `data`, the domain value as a map):
 *
 *   pk                   sk                                  writer         condition                     expiresAt
 *   OBS#<region>         SNAPSHOT                            that observer  seq = stored seq + 1          writtenMs + 7 d
 *   OBS#<region>         PROPOSAL                            that observer  none (single writer)          createdMs + 7 d
 *   OBS#<region>         APPLIED                             that observer  none (single writer)          none: it holds the state
 *   OBS#<region>         HEARTBEAT#<kind>                    that observer  none (single writer)          writtenMs + 7 d
 *   OVERRIDE             <createdMs:15>#<id>                 any            id unique (guard item)        expiresMs
 *   OVERRIDE-END         <endedMs:15>#<overrideId>           any            overrideId unique (guard)     endedMs + ttlSecondsMax
 *   SIGNAL               <changedMs:15>#<id>                 any            id unique (guard)             changedMs + signal TTL + 1 d
 *   AUDIT                <atMs:15>#<id>                      any            id unique (guard)             atMs + auditRetentionDays
 *   DRILL                <startedMs:15>#<id>                 drill runner   version grows                 startedMs + auditRetentionDays
 *   UNIQUE#<kind>#<id>   UNIQUE                              (guard items, written in the same transaction; same TTL as their item)
 *   DRILL-ID#<id>        REF                                 (index item: id → its DRILL sort key)
 *   IDEMPOTENCY#<key>    (Powertools idempotency records of the operator API share the table under this prefix; not read here)
 *
 * Time-ordered sort keys keep every read bounded: `readView` queries only overrides created within
 * `overrides.ttlSecondsMax` (older ones cannot be active), ends in the same window and signals
 * within the alarm-signal TTL. Each query reads at most `queryPagesMax` pages of `queryPageSizeMax`.
 * `ConditionalCheckFailedException` becomes ConflictError / AlreadyExistsError; throttling that
 * outlives the SDK's bounded retries becomes TransientError. No SDK error type leaves this file.
 */
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { alarmSignalTtlMs, type AlarmSignal, type AppliedDecision, type Override, type OverrideEnd, type Proposal, type Region, type ValidConfig, type VerdictSnapshot } from '../../domain';
import { AlreadyExistsError, ArbiterError, ConflictError, TransientError, type AuditEntry, type AuditPage, type DrillRecord, type Heartbeat, type Store, type StoreView } from '../../ports';
import { isTransientSdkError, sdkClientConfig, sdkErrorName, type SdkOptions } from './sdk-options';

/** Items per Query page, and pages per query, before a read gives up (a bound, not a hope). */
export const queryPageSizeMax = 100;
export const queryPagesMax = 10;
/** Audit and drill pages are capped at this many entries whatever the caller asks. */
export const listPageSizeMax = 100;
/** How long single-writer items outlive their last write (a dead observer's items then vanish). */
export const observerItemRetentionMs = 7 * 86_400_000;
/** Signals are kept a day beyond the TTL during which they count. */
export const signalRetentionMarginMs = 86_400_000;

const sortTimeDigits = 15;

/** A time as a fixed-width sort-key prefix, so string order is time order. */
export function sortTime(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString().padStart(sortTimeDigits, '0');
}

const epochSeconds = (ms: number): number => Math.ceil(ms / 1000);

export interface DynamoDbStoreOptions {
  tableName: string;
  config: Pick<ValidConfig, 'observers' | 'overrides' | 'auditRetentionDays'>;
  /** Injected client (built once per container); otherwise built from `sdk`. */
  client?: DynamoDBClient;
  sdk?: SdkOptions;
  /** Smaller pages (tests); capped by queryPageSizeMax and queryPagesMax. */
  queryPageSize?: number;
  queryPages?: number;
}

type Item = Record<string, unknown> & { pk: string; sk: string };

/** Builds the DynamoDB client every Arbiter component shares (explicit retries and timeouts). */
export function createDynamoDbClient(sdk: SdkOptions): DynamoDBClient {
  return new DynamoDBClient(sdkClientConfig(sdk));
}

/**
 * @example
 *   const store = new DynamoDbStore({ tableName: 'arbiter-prod', config, sdk: { region: 'eu-west-1' } });
 *   const view = await store.readView(Date.now());
 */
/** BatchGetItem calls per voting view read (the first and one retry of unprocessed keys). */
export const votingViewAttemptsMax = 2;

export class DynamoDbStore implements Store {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(private readonly options: DynamoDbStoreOptions) {
    if (options.client === undefined && options.sdk === undefined) throw new ArbiterError('DynamoDbStore needs a client or sdk options');
    const client = options.client ?? createDynamoDbClient(options.sdk!);
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });
    this.table = options.tableName;
  }

  private async call<T>(operation: string, send: () => Promise<T>, onConditionFailed?: () => ArbiterError): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translateError(operation, error, onConditionFailed);
    }
  }

  /** Every item of a partition from `skFrom` on, ascending, in bounded pages. */
  private async queryAll(pk: string, skFrom?: string): Promise<Item[]> {
    const pageSize = Math.max(1, Math.min(this.options.queryPageSize ?? queryPageSizeMax, queryPageSizeMax));
    const pages = Math.max(1, Math.min(this.options.queryPages ?? queryPagesMax, queryPagesMax));
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < pages; page += 1) {
      const input: QueryCommandInput = {
        TableName: this.table,
        KeyConditionExpression: skFrom === undefined ? 'pk = :pk' : 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: skFrom === undefined ? { ':pk': pk } : { ':pk': pk, ':from': skFrom },
        Limit: pageSize,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      };
      const out = await this.call(`Query ${pk}`, () => this.doc.send(new QueryCommand(input)));
      items.push(...((out.Items ?? []) as Item[]));
      startKey = out.LastEvaluatedKey;
      if (startKey === undefined) return items;
    }
    throw new ArbiterError(`query of ${pk} exceeded ${pages} pages of ${pageSize} items: refusing an unbounded read`);
  }

  /**
   * The gate's read: each observer's PROPOSAL and APPLIED items in one eventually consistent
   * BatchGetItem (2n items, half a read unit each up to 4 KB), instead of the whole view.
   * Unprocessed keys are asked for once more, then the read fails (the gate answers from its cache).
   */
  async readVotingView(_nowMs: number): Promise<Pick<StoreView, 'proposals' | 'applied'>> {
    let keys: Array<Record<string, string>> = this.options.config.observers.flatMap((o) => [{ pk: `OBS#${o}`, sk: 'PROPOSAL' }, { pk: `OBS#${o}`, sk: 'APPLIED' }]);
    const items: Item[] = [];
    for (let attempt = 1; attempt <= votingViewAttemptsMax && keys.length > 0; attempt += 1) {
      const out = await this.call('BatchGetItem voting view', () => this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: false } } })));
      items.push(...((out.Responses?.[this.table] ?? []) as Item[]));
      keys = (out.UnprocessedKeys?.[this.table]?.Keys ?? []) as Array<Record<string, string>>;
    }
    if (keys.length > 0) throw new TransientError(`voting view: ${keys.length} keys still unprocessed after ${votingViewAttemptsMax} attempts`);
    const data = <T>(sk: string): T[] => items.filter((i) => i.sk === sk).map((i) => i.data as T);
    return { proposals: data<Proposal>('PROPOSAL'), applied: data<AppliedDecision>('APPLIED') };
  }

  async readView(nowMs: number): Promise<StoreView> {
    const windowFrom = sortTime(nowMs - this.options.config.overrides.ttlSecondsMax * 1000);
    const [observerItems, overrides, ends, signals] = await Promise.all([
      Promise.all(this.options.config.observers.map((observer) => this.queryAll(`OBS#${observer}`))),
      this.queryAll('OVERRIDE', windowFrom),
      this.queryAll('OVERRIDE-END', windowFrom),
      this.queryAll('SIGNAL', sortTime(nowMs - alarmSignalTtlMs)),
    ]);
    const own = observerItems.flat();
    const data = <T>(items: readonly Item[]): T[] => items.map((i) => i.data as T);
    return {
      snapshots: data<VerdictSnapshot>(own.filter((i) => i.sk === 'SNAPSHOT')),
      proposals: data<Proposal>(own.filter((i) => i.sk === 'PROPOSAL')),
      applied: data<AppliedDecision>(own.filter((i) => i.sk === 'APPLIED')),
      heartbeats: data<Heartbeat>(own.filter((i) => i.sk.startsWith('HEARTBEAT#'))),
      overrides: data<Override>(overrides).filter((o) => o.expiresMs > nowMs),
      overrideEnds: data<OverrideEnd>(ends),
      signals: data<AlarmSignal>(signals),
    };
  }

  async readOwnSnapshot(observer: Region): Promise<VerdictSnapshot | null> {
    const out = await this.call('GetItem SNAPSHOT', () => this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `OBS#${observer}`, sk: 'SNAPSHOT' }, ConsistentRead: true })));
    return out.Item === undefined ? null : (out.Item.data as VerdictSnapshot);
  }

  async putSnapshot(snapshot: VerdictSnapshot): Promise<void> {
    const first = snapshot.seq === 1;
    await this.call('PutItem SNAPSHOT', () => this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { pk: `OBS#${snapshot.observer}`, sk: 'SNAPSHOT', seq: snapshot.seq, data: snapshot, expiresAt: epochSeconds(snapshot.writtenMs + observerItemRetentionMs) },
      ConditionExpression: first ? 'attribute_not_exists(pk)' : 'seq = :previous',
      ...(first ? {} : { ExpressionAttributeValues: { ':previous': snapshot.seq - 1 } }),
    })), () => new ConflictError(`snapshot of ${snapshot.observer}: seq ${snapshot.seq} does not follow the stored seq`));
  }

  /**
   * Writes one of the observer's own items. With `order`, the write is conditional on the stored
   * item's `order` attribute being lower (or absent), so concurrent invocations of one region never
   * move the item backwards (the condition is checked on the local replica, which only this region writes).
   */
  private async putOwn(observer: Region, sk: string, data: unknown, expiresMs: number | null, order?: { value: number; strict: boolean }): Promise<void> {
    const item: Item = { pk: `OBS#${observer}`, sk, data, ...(expiresMs === null ? {} : { expiresAt: epochSeconds(expiresMs) }), ...(order === undefined ? {} : { ord: order.value }) };
    await this.call(`PutItem ${sk}`, () => this.doc.send(new PutCommand({
      TableName: this.table, Item: item,
      ...(order === undefined ? {} : { ConditionExpression: `attribute_not_exists(ord) OR ord ${order.strict ? '<' : '<='} :ord`, ExpressionAttributeValues: { ':ord': order.value } }),
    })), () => new ConflictError(`${sk} of ${observer}: a newer one is stored (order ${order?.value})`));
  }

  async putProposal(proposal: Proposal): Promise<void> {
    await this.putOwn(proposal.observer, 'PROPOSAL', proposal, proposal.createdMs + observerItemRetentionMs, { value: proposal.seq, strict: true });
  }

  async putApplied(applied: AppliedDecision): Promise<void> {
    await this.putOwn(applied.observer, 'APPLIED', applied, null, applied.epoch === undefined ? undefined : { value: applied.epoch, strict: false });
  }

  async putHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await this.putOwn(heartbeat.observer, `HEARTBEAT#${heartbeat.kind}`, heartbeat, heartbeat.writtenMs + observerItemRetentionMs);
  }

  /** Writes an immutable item and its id guard in one transaction: both or neither. */
  private async appendOnce(kind: string, id: string, item: Item, expiresMs: number): Promise<void> {
    const expiresAt = epochSeconds(expiresMs);
    await this.call(`append ${kind}`, () => this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: { ...item, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.table, Item: { pk: `UNIQUE#${kind}#${id}`, sk: 'UNIQUE', ref: item.sk, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    })), () => new AlreadyExistsError(`${kind} ${id} already exists`));
  }

  async appendOverride(override: Override): Promise<void> {
    await this.appendOnce('OVERRIDE', override.id, { pk: 'OVERRIDE', sk: `${sortTime(override.createdMs)}#${override.id}`, data: override }, override.expiresMs);
  }

  async appendOverrideEnd(end: OverrideEnd): Promise<void> {
    const expiresMs = end.endedMs + this.options.config.overrides.ttlSecondsMax * 1000;
    await this.appendOnce('OVERRIDE-END', end.overrideId, { pk: 'OVERRIDE-END', sk: `${sortTime(end.endedMs)}#${end.overrideId}`, data: end }, expiresMs);
  }

  async appendSignal(signal: AlarmSignal): Promise<void> {
    const expiresMs = signal.changedMs + alarmSignalTtlMs + signalRetentionMarginMs;
    await this.appendOnce('SIGNAL', signal.id, { pk: 'SIGNAL', sk: `${sortTime(signal.changedMs)}#${signal.id}`, data: signal }, expiresMs);
  }

  private retentionEndMs(fromMs: number): number {
    return fromMs + this.options.config.auditRetentionDays * 86_400_000;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.appendOnce('AUDIT', entry.id, { pk: 'AUDIT', sk: `${sortTime(entry.atMs)}#${entry.id}`, data: entry }, this.retentionEndMs(entry.atMs));
  }

  async listAudit(query: { sinceMs?: number; limit: number; cursor?: string }): Promise<AuditPage> {
    const limit = Math.max(1, Math.min(Math.floor(query.limit), listPageSizeMax));
    const startSk = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const values: Record<string, unknown> = { ':pk': 'AUDIT' };
    if (query.sinceMs !== undefined) values[':from'] = sortTime(query.sinceMs);
    // One item more than asked tells whether an older page exists without a second round trip.
    const out = await this.call('Query AUDIT', () => this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: query.sinceMs === undefined ? 'pk = :pk' : 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: limit + 1,
      ...(startSk === undefined ? {} : { ExclusiveStartKey: { pk: 'AUDIT', sk: startSk } }),
    })));
    const items = (out.Items ?? []) as Item[];
    const page = items.slice(0, limit);
    const entries = page.map((i) => i.data as AuditEntry);
    return items.length > limit ? { entries, cursor: encodeCursor(page[page.length - 1]!.sk) } : { entries };
  }

  async putNewDrill(drill: DrillRecord): Promise<void> {
    const sk = `${sortTime(drill.startedMs)}#${drill.id}`;
    const expiresAt = epochSeconds(this.retentionEndMs(drill.startedMs));
    // The id index item is the guard: its key holds only the id, so a drill of that id written
    // with another start time (another region's clock) still collides.
    await this.call('put new DRILL', () => this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: { pk: 'DRILL', sk, version: drill.version, data: drill, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.table, Item: { pk: `DRILL-ID#${drill.id}`, sk: 'REF', ref: sk, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    })), () => new AlreadyExistsError(`drill ${drill.id} already exists`));
  }

  async putDrill(drill: DrillRecord): Promise<void> {
    const sk = `${sortTime(drill.startedMs)}#${drill.id}`;
    const expiresAt = epochSeconds(this.retentionEndMs(drill.startedMs));
    await this.call('put DRILL', () => this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: { pk: 'DRILL', sk, version: drill.version, data: drill, expiresAt }, ConditionExpression: 'attribute_not_exists(pk) OR version < :version', ExpressionAttributeValues: { ':version': drill.version } } },
        { Put: { TableName: this.table, Item: { pk: `DRILL-ID#${drill.id}`, sk: 'REF', ref: sk, expiresAt } } },
      ],
    })), () => new ConflictError(`drill ${drill.id}: version ${drill.version} is not newer than the stored one`));
  }

  async getDrill(id: string): Promise<DrillRecord | null> {
    const ref = await this.call('GetItem DRILL-ID', () => this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `DRILL-ID#${id}`, sk: 'REF' } })));
    if (ref.Item === undefined) return null;
    const out = await this.call('GetItem DRILL', () => this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'DRILL', sk: String(ref.Item!.ref) } })));
    return out.Item === undefined ? null : (out.Item.data as DrillRecord);
  }

  async listDrills(limit: number): Promise<DrillRecord[]> {
    const capped = Math.max(1, Math.min(Math.floor(limit), listPageSizeMax));
    const out = await this.call('Query DRILL', () => this.doc.send(new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'DRILL' }, ScanIndexForward: false, Limit: capped })));
    return ((out.Items ?? []) as Item[]).map((i) => i.data as DrillRecord);
  }
}

function encodeCursor(sk: string): string {
  return Buffer.from(sk, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{15}#.+$/.test(sk)) throw new ArbiterError(`invalid audit cursor ${JSON.stringify(cursor.slice(0, 64))}`);
  return sk;
}

function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
  return sdkErrorName(error) === 'ConditionalCheckFailedException';
}

/** SDK error → Arbiter error (the cause is kept for logs). */
export function translateError(operation: string, error: unknown, onConditionFailed?: () => ArbiterError): ArbiterError {
  if (error instanceof ArbiterError) return error;
  if (onConditionFailed !== undefined && conditionFailed(error)) return onConditionFailed();
  const name = sdkErrorName(error);
  const message = `DynamoDB ${operation} failed: ${name}: ${(error as Error)?.message ?? String(error)}`;
  return isTransientSdkError(error) ? new TransientError(message, { cause: error }) : new ArbiterError(message, { cause: error });
}
