import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore, sortTime } from '../../shared/adapters/aws/dynamodb-store';
import { alarmSignalTtlMs, type Override, type VerdictSnapshot } from '../../shared/domain';
import { AlreadyExistsError, ConflictError, TransientError, type AuditEntry, type DrillRecord } from '../../shared/ports';
import { makeConfig } from '../support/fixtures';
import { createArbiterTable, startMoto, type Moto } from '../support/moto';
import { FaultyHttpHandler } from './support/faulty-http-handler';

const region = 'eu-west-1';
const nowMs = 1_800_000_000_000;
const config = makeConfig();
let moto: Moto;
let raw: DynamoDBClient;
let tableCount = 0;

beforeAll(async () => {
  moto = await startMoto();
  raw = new DynamoDBClient(moto.clientOptions(region));
});
afterAll(async () => {
  raw?.destroy();
  await moto?.stop();
});

async function freshStore(handler?: FaultyHttpHandler, attemptsMax?: number): Promise<{ store: DynamoDbStore; table: string }> {
  tableCount += 1;
  const table = `arbiter-test-${tableCount}`;
  await createArbiterTable(moto, region, table);
  const sdk = { ...moto.clientOptions(region), ...(handler === undefined ? {} : { requestHandler: handler }), ...(attemptsMax === undefined ? {} : { attemptsMax }), backoffBaseMs: 1, backoffCapMs: 5 };
  return { store: new DynamoDbStore({ tableName: table, config, sdk }), table };
}

function snapshot(seq: number, writtenMs = nowMs): VerdictSnapshot {
  return { observer: region, seq, writtenMs, verdicts: {} };
}

function override(id: string, createdMs: number, expiresMs: number): Override {
  return { id, target: 'us-east-1', action: 'drain', createdMs, expiresMs, reason: 'maintenance', actor: 'arn:aws:iam::1:user/ops', force: false, source: 'api' };
}

function audit(id: string, atMs: number): AuditEntry {
  return { id, atMs, observer: region, kind: 'decision-applied', actor: 'arbiter', summary: id, details: { n: atMs } };
}

describe('DynamoDbStore against moto', () => {
  it('lays out a snapshot under OBS#<region>/SNAPSHOT with seq, data and a TTL seven days on', async () => {
    const { store, table } = await freshStore();
    await store.putSnapshot(snapshot(1));
    const item = (await raw.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `OBS#${region}` }, sk: { S: 'SNAPSHOT' } } }))).Item!;
    expect(item.seq).toEqual({ N: '1' });
    expect(item.data!.M!.observer).toEqual({ S: region });
    expect(Number(item.expiresAt!.N)).toBe(Math.ceil((nowMs + 7 * 86_400_000) / 1000));
    expect(await store.readOwnSnapshot(region)).toEqual(snapshot(1));
  });

  it('accepts a snapshot only when its seq follows the stored one', async () => {
    const { store } = await freshStore();
    await store.putSnapshot(snapshot(1));
    await expect(store.putSnapshot(snapshot(1))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.putSnapshot(snapshot(3))).rejects.toBeInstanceOf(ConflictError);
    await store.putSnapshot(snapshot(2));
    expect((await store.readOwnSnapshot(region))!.seq).toBe(2);
  });

  it('writes an override once, keyed by creation time, expiring with it; a second write with the same id is refused and changes nothing', async () => {
    const { store, table } = await freshStore();
    const first = override('ov-1', nowMs, nowMs + 3_600_000);
    await store.appendOverride(first);
    await expect(store.appendOverride({ ...first, createdMs: nowMs + 5, reason: 'other' })).rejects.toBeInstanceOf(AlreadyExistsError);
    const items = (await raw.send(new ScanCommand({ TableName: table }))).Items!;
    const keys = items.map((i) => `${i.pk!.S}|${i.sk!.S}`).sort();
    expect(keys).toEqual(['OVERRIDE|' + sortTime(nowMs) + '#ov-1', 'UNIQUE#OVERRIDE#ov-1|UNIQUE']);
    expect(items.every((i) => Number(i.expiresAt!.N) === Math.ceil((nowMs + 3_600_000) / 1000))).toBe(true);
  });

  it('reads a bounded view: expired overrides, overrides too old to be active and stale signals are left out', async () => {
    const { store } = await freshStore();
    const ttlMaxMs = config.overrides.ttlSecondsMax * 1000;
    await store.appendOverride(override('active', nowMs - 1_000, nowMs + 60_000));
    await store.appendOverride(override('expired', nowMs - 120_000, nowMs - 60_000));
    await store.appendOverride(override('ancient', nowMs - ttlMaxMs - 1_000, nowMs + 60_000));
    await store.appendOverrideEnd({ overrideId: 'active', endedMs: nowMs, actor: 'ops', reason: 'done' });
    await store.appendSignal({ id: 'a#1', alarmName: 'a', target: 'us-east-1', state: 'ALARM', changedMs: nowMs - 1_000 });
    await store.appendSignal({ id: 'a#0', alarmName: 'a', target: 'us-east-1', state: 'ALARM', changedMs: nowMs - alarmSignalTtlMs - 1_000 });
    await store.putSnapshot(snapshot(1));
    await store.putHeartbeat({ observer: 'us-east-1', kind: 'probe', writtenMs: nowMs });
    const view = await store.readView(nowMs);
    expect(view.overrides.map((o) => o.id)).toEqual(['active']);
    expect(view.overrideEnds.map((e) => e.overrideId)).toEqual(['active']);
    expect(view.signals.map((s) => s.id)).toEqual(['a#1']);
    expect(view.snapshots).toHaveLength(1);
    expect(view.heartbeats).toEqual([{ observer: 'us-east-1', kind: 'probe', writtenMs: nowMs }]);
  });

  it('pages the audit log newest first with a cursor, entries older than sinceMs excluded', async () => {
    const { store } = await freshStore();
    for (let i = 0; i < 5; i += 1) await store.appendAudit(audit(`e${i}`, nowMs + i));
    await expect(store.appendAudit(audit('e0', nowMs))).rejects.toBeInstanceOf(AlreadyExistsError);
    const first = await store.listAudit({ limit: 2, sinceMs: nowMs + 1 });
    expect(first.entries.map((e) => e.id)).toEqual(['e4', 'e3']);
    const second = await store.listAudit({ limit: 2, sinceMs: nowMs + 1, cursor: first.cursor! });
    expect(second.entries.map((e) => e.id)).toEqual(['e2', 'e1']);
    expect(second.cursor).toBeUndefined();
  });

  it('keeps drill versions growing and finds a drill by id', async () => {
    const { store } = await freshStore();
    const drill: DrillRecord = { id: 'dr-1', target: 'eu-west-1', mode: 'shadow', observer: region, startedBy: 'ops', startedMs: nowMs, status: 'running', holdSeconds: 60, overrideId: null, phases: [], changeIds: [], rtoMs: null, rtoSecondsMax: 120, problems: [], version: 1 };
    await store.putDrill(drill);
    await store.putDrill({ ...drill, status: 'passed', version: 2 });
    await expect(store.putDrill({ ...drill, status: 'failed', version: 2 })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.getDrill('dr-1'))!.status).toBe('passed');
    expect(await store.getDrill('missing')).toBeNull();
    expect((await store.listDrills(10)).map((d) => d.version)).toEqual([2]);
  });

  it('writes a new drill id once, even when the second write carries another start time (another region\'s clock)', async () => {
    const { store } = await freshStore();
    const drill: DrillRecord = { id: 'sched-weekly-20261130T090000Z', target: 'eu-west-1', mode: 'shadow', observer: 'us-east-1', startedBy: 'schedule:weekly', startedMs: nowMs, status: 'running', holdSeconds: 60, overrideId: null, phases: [], changeIds: [], rtoMs: null, rtoSecondsMax: 120, problems: [], version: 1 };
    await store.putNewDrill(drill);
    await expect(store.putNewDrill({ ...drill, observer: 'eu-west-1', startedMs: nowMs + 20_000 })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store.getDrill(drill.id)).toMatchObject({ observer: 'us-east-1', startedMs: nowMs });
    expect((await store.listDrills(10)).filter((d) => d.id === drill.id)).toHaveLength(1);
    // Its later versions go through putDrill as before.
    await store.putDrill({ ...drill, status: 'passed', version: 2 });
    expect((await store.getDrill(drill.id))!.status).toBe('passed');
  });

  it('reads a window over several pages, and refuses a read that would exceed the page cap', async () => {
    const { table } = await freshStore();
    const store = new DynamoDbStore({ tableName: table, config, sdk: moto.clientOptions(region), queryPageSize: 2, queryPages: 3 });
    for (let i = 0; i < 5; i += 1) await store.appendOverride(override(`ov-${i}`, nowMs - i, nowMs + 60_000));
    expect((await store.readView(nowMs)).overrides.map((o) => o.id).sort()).toEqual(['ov-0', 'ov-1', 'ov-2', 'ov-3', 'ov-4']);
    for (let i = 5; i < 7; i += 1) await store.appendOverride(override(`ov-${i}`, nowMs - i, nowMs + 60_000));
    await expect(store.readView(nowMs)).rejects.toThrow('query of OVERRIDE exceeded 3 pages of 2 items: refusing an unbounded read');
  });

  it('retries a throttled write within the bound, then reports TransientError when throttling persists', async () => {
    const handler = new FaultyHttpHandler();
    const { store } = await freshStore(handler, 3);
    const throttle = { statusCode: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'injected throttle' }) };
    const isPut = (r: { operation: string }) => r.operation === 'DynamoDB_20120810.PutItem';
    handler.rules.push({ match: isPut, times: 2, respond: () => throttle });
    await store.putHeartbeat({ observer: region, kind: 'probe', writtenMs: nowMs });
    expect(handler.count(isPut)).toBe(3);
    handler.rules.push({ match: isPut, times: 10, respond: () => throttle });
    await expect(store.putHeartbeat({ observer: region, kind: 'decide', writtenMs: nowMs })).rejects.toBeInstanceOf(TransientError);
    expect(handler.count(isPut)).toBe(6);
  });
});
