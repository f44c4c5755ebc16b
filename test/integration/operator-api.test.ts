/**
 * The operator API and drills through the real adapters (DynamoDB Store, EventBridge Bus,
 * Route 53 Dns, Powertools idempotency) against moto on loopback.
 *
 * Time is a SteppingClock (virtual, starting at the wall clock): a drill's polls advance it and
 * let three deciders run, so a 60 s hold takes milliseconds. moto gaps, said plainly: one table
 * stands for every replica (no Global Table replication), and Route 53 changes are INSYNC at once.
 */
import { ScriptedProber } from '../../shared/adapters/memory';
import { DynamoDbStore } from '../../shared/adapters/aws/dynamodb-store';
import { EventBridgeBus } from '../../shared/adapters/aws/eventbridge-bus';
import { Route53Dns } from '../../shared/adapters/aws/route53-dns';
import { arbiterIdempotencyPersistence, idempotencyPartitionKey, PowertoolsIdempotency } from '../../shared/adapters/idempotency/powertools-idempotency';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { ValidConfig } from '../../shared/domain';
import { silentTelemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime } from '../../shared/runtime';
import { handleApiRequest } from '../../shared/runtime/operator/api-router';
import type { ApiRequest, OperatorDeps } from '../../shared/runtime/operator/api-types';
import { createDrill, DrillRuntime } from '../../shared/runtime/operator/drill-runtime';
import { makeConfig, regions } from '../support/fixtures';
import { createArbiterTable, startMoto, type Moto } from '../support/moto';
import { operatorConfigDefaults, SteppingClock } from '../support/operator-world';
import { addRule, createBus, TestQueue } from './support/aws-fixtures';
import { createWeightedZone, weightsIn } from './support/route53-fixtures';

const home = 'us-east-1';
const operator = 'arn:aws:iam::123456789012:user/ops';
let moto: Moto;
let tableCount = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 300_000);
afterAll(async () => {
  await moto?.stop();
});

interface MotoWorld {
  deps: OperatorDeps;
  config: ValidConfig;
  clock: SteppingClock;
  zoneId: string;
  queue: TestQueue;
  dynamo: DynamoDBClient;
  table: string;
  close(): void;
}

async function motoWorld(): Promise<MotoWorld> {
  const table = `arbiter-operator-${++tableCount}`;
  const bus = `arbiter-operator-${tableCount}`;
  await createArbiterTable(moto, home, table);
  await createBus(moto, home, bus);
  const queue = await TestQueue.create(moto, home, `operator-events-${tableCount}`);
  await addRule(moto, home, bus, 'observe-all', { source: ['arbiter'] }, queue.arn);
  const zoneId = await createWeightedZone(moto, regions, `op${tableCount}.example.com.`);
  // Short recovery hold and cooldown: every virtual step costs real moto calls from three observers.
  const base = makeConfig({ ...operatorConfigDefaults, safety: { minServing: 1, maxDrained: 1, flipCooldownMs: 10_000, recoveryHoldMs: 4_000 }, overrides: { ttlSecondsMax: 3600, operators: [operator] } });
  const config: ValidConfig = { ...base, targets: base.targets.map((t) => ({ ...t, route53: { ...t.route53, hostedZoneId: zoneId, recordName: `api.op${tableCount}.example.com` } })) };
  const clock = new SteppingClock(Date.now());
  const dynamo = new DynamoDBClient(moto.clientOptions(home));
  const sdk = moto.clientOptions(home);
  const store = new DynamoDbStore({ tableName: table, config, client: dynamo });
  const eventBus = new EventBridgeBus({ busName: bus, sdk });
  const dns = new Route53Dns({ sdk: moto.clientOptions('us-east-1') });
  const idempotency = new PowertoolsIdempotency(arbiterIdempotencyPersistence(table, dynamo));
  idempotency.registerLambdaContext({ getRemainingTimeInMillis: () => 25_000 } as unknown as Context);
  let nextId = 1;
  const deciders = regions.map((observer) => {
    const deps = { config, observer, clock, store, bus: eventBus, dns, prober: new ScriptedProber(clock), telemetry: silentTelemetry };
    return { probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  });
  clock.onStep = async () => {
    for (const d of deciders) await d.probe.round({ askPeers: false });
    for (const d of deciders) await d.decide.run();
  };
  await clock.onStep();
  const deps: OperatorDeps = { config, observer: home, clock, store, bus: eventBus, dns, prober: new ScriptedProber(clock), telemetry: silentTelemetry, newId: (p) => `${p}-${tableCount}-${nextId++}`, idempotency };
  return { deps, config, clock, zoneId, queue, dynamo, table, close: () => { dynamo.destroy(); queue.destroy(); } };
}

function call(deps: OperatorDeps, partial: Partial<ApiRequest>): Promise<ReturnType<typeof handleApiRequest> extends Promise<infer R> ? R : never> {
  return handleApiRequest(deps, { method: 'GET', path: '/status', headers: {}, query: {}, body: null, principal: operator, requestId: 'it', ...partial });
}

describe('operator API and drills against moto', () => {
  it('creates one override per Idempotency-Key in DynamoDB, publishes it, and audits it', async () => {
    const w = await motoWorld();
    try {
      const body = JSON.stringify({ target: 'eu-west-1', action: 'serve', ttlSeconds: 600, reason: 'pin during deploy' });
      const first = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'it-key-1' }, body });
      const second = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'it-key-1' }, body });
      expect(first.statusCode).toBe(201);
      expect(second).toEqual(first);
      const mismatch = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'it-key-1' }, body: body.replace('deploy', 'other') });
      expect(mismatch.statusCode).toBe(422);
      // Powertools keeps its record in the Arbiter table: pk IDEMPOTENCY#api, sk overrides#<hash>, TTL attribute expiresAt.
      const records = await w.dynamo.send(new QueryCommand({ TableName: w.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: idempotencyPartitionKey } } }));
      expect(records.Items).toHaveLength(1);
      expect(records.Items![0]!.sk!.S).toMatch(/^overrides#[A-Za-z0-9+/]{22}==$/);
      expect(Number(records.Items![0]!.expiresAt!.N)).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
      expect(records.Items![0]!.status!.S).toBe('COMPLETED');
      const listed = await call(w.deps, { path: '/overrides' });
      expect((listed.body as { overrides: unknown[] }).overrides).toHaveLength(1);
      const events = await w.queue.receive(1);
      expect(events.filter((e) => e['detail-type'] === 'Arbiter Override')).toHaveLength(1);
      const audit = await call(w.deps, { path: '/audit', query: { limit: '10' } });
      expect((audit.body as { entries: Array<{ kind: string; actor: string }> }).entries).toEqual([expect.objectContaining({ kind: 'override-created', actor: operator })]);
    } finally {
      w.close();
    }
  }, 60_000);

  it('answers 400, 403 and 409 with their messages and writes nothing for them', async () => {
    const w = await motoWorld();
    try {
      const bad = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'k' }, body: JSON.stringify({ target: 'eu-west-1', action: 'drain', ttlSeconds: 7200 }) });
      expect(bad.statusCode).toBe(400);
      expect((bad.body as { problems: Array<{ path: string }> }).problems.map((p) => p.path).sort()).toEqual(['reason', 'ttlSeconds']);
      const stranger = await call(w.deps, { method: 'POST', path: '/overrides', principal: 'arn:aws:iam::123456789012:user/intern', headers: { 'idempotency-key': 'k' }, body: JSON.stringify({ target: 'eu-west-1', action: 'drain', ttlSeconds: 60, reason: 'x' }) });
      expect(stranger.statusCode).toBe(403);
      const drainUs = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'k1' }, body: JSON.stringify({ target: 'us-east-1', action: 'drain', ttlSeconds: 600, reason: 'maintenance' }) });
      expect(drainUs.statusCode).toBe(201);
      const drainEu = await call(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'k2' }, body: JSON.stringify({ target: 'eu-west-1', action: 'drain', ttlSeconds: 600, reason: 'second' }) });
      expect(drainEu.statusCode).toBe(409);
      expect(drainEu.body).toMatchObject({ rule: 'maxDrained', message: 'maxDrained 1: draining eu-west-1 would make 2 drained' });
      const audit = await call(w.deps, { path: '/audit' });
      expect((audit.body as { entries: Array<{ kind: string }> }).entries.map((e) => e.kind)).toEqual(['refusal', 'override-created']);
    } finally {
      w.close();
    }
  }, 60_000);

  it('runs an evacuate drill that drains and restores the Route 53 record, with a report whose timings add up', async () => {
    const w = await motoWorld();
    try {
      const started = await call(w.deps, { method: 'POST', path: '/drills', body: JSON.stringify({ target: 'eu-west-1', mode: 'evacuate', holdSeconds: 60 }) });
      expect(started.statusCode).toBe(202);
      const drillId = (started.body as { drill: { id: string } }).drill.id;
      const report = await new DrillRuntime(w.deps).run(drillId);

      expect(report.status).toBe('passed');
      const phases = Object.fromEntries(report.phases.map((p) => [p.name, p]));
      const drainMs = ['drain-decision', 'drain-insync', 'drain-weight'].reduce((sum, n) => sum + phases[n]!.durationMs!, 0);
      expect(report.rtoMs).toBe(drainMs);
      // moto answers every ChangeResourceRecordSets with the same change id, so the two may be equal here.
      expect(phases['drain-insync']!.detail).toMatch(/^change \S+$/);
      expect(phases['restore-insync']!.detail).toMatch(/^change \S+$/);
      expect(report.changeIds.length).toBeGreaterThanOrEqual(1);
      expect(phases['restore-weight']!.endedMs).toBeGreaterThan(phases.hold!.endedMs!);
      const weights = await weightsIn(moto, w.zoneId);
      expect(weights[`api.op${tableCount}.example.com.|eu-west-1`]).toBe(100);
      const stored = await call(w.deps, { path: `/drills/${drillId}` });
      expect((stored.body as { drill: { version: number; status: string } }).drill).toMatchObject({ status: 'passed', version: report.version });
      const kinds = (await call(w.deps, { path: '/audit', query: { limit: '20' } })).body as { entries: Array<{ kind: string }> };
      expect(kinds.entries.map((e) => e.kind).reverse()).toEqual(['drill-started', 'override-created', 'decision-applied', 'override-ended', 'decision-applied', 'drill-finished']);
      const events = await w.queue.receive(100, 3_000);
      expect(events.find((e) => e['detail-type'] === 'Arbiter Drill Report')?.detail).toMatchObject({ report: { id: drillId, passed: true } });
    } finally {
      w.close();
    }
  }, 120_000);

  it('restores a target whose drill died mid-way once the drill override expires', async () => {
    const w = await motoWorld();
    try {
      const drill = await createDrill(w.deps, { target: 'ap-southeast-2', mode: 'evacuate', holdSeconds: 30, startedBy: operator });
      const original = w.clock.sleepMs.bind(w.clock);
      const sleep = jest.spyOn(w.clock, 'sleepMs').mockImplementation(async (ms) => {
        if (ms > 2_000) throw new Error('Task timed out');
        return original(ms);
      });
      await expect(new DrillRuntime(w.deps).run(drill.id)).rejects.toThrow('Task timed out');
      sleep.mockRestore();
      const key = `api.op${tableCount}.example.com.|ap-southeast-2`;
      expect((await weightsIn(moto, w.zoneId))[key]).toBe(0);
      const stepsMax = 20;
      for (let i = 0; i < stepsMax && (await weightsIn(moto, w.zoneId))[key] !== 100; i += 1) await w.clock.sleepMs(5_000);
      expect((await weightsIn(moto, w.zoneId))[key]).toBe(100);
      expect((await new DrillRuntime(w.deps).run(drill.id)).status).toBe('failed');
    } finally {
      w.close();
    }
  }, 120_000);
});
