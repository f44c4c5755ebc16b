/**
 * Three observer regions on one moto server, three local HTTP endpoints, the real handlers.
 *
 * Two explicit fakes, because moto cannot do these (see TOOLING.md):
 *   - EventBridge → Lambda: moto cannot invoke Lambda targets, so the test reads every PutEvents
 *     the adapters sent and delivers each entry the way the rules would (to the origin region's
 *     and every peer's probeNow or decide handler, by detail-type).
 *   - Global Table replication: moto has none, so the test copies items between the regional
 *     tables (each region's own OBS# items outwards; immutable items where absent).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createDecideHandler } from '../../functions/decide';
import { createProbeHandlers } from '../../functions/probe';
import type { ArbiterConfigInput } from '../../shared/domain';
import { configInput, regions } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { Route53RegisterGuard } from './support/route53-register-guard';
import { FaultyHttpHandler, type RecordedRequest } from './support/faulty-http-handler';
import { createWeightedZone, weightsIn } from './support/route53-fixtures';
import { createRegion, envelope, lambdaContext, scheduledEvent, tableName, writeConfig, type RegionWorld } from './support/world';

/** Delivery waves before the test declares the event flow runaway. */
const deliveryWavesMax = 12;
/** Enough for exactly one probe round: (500 ms × 2 + 100 ms) + 3 s reserve ≤ 4.5 s < + the 2 s interval. */
const oneRoundBudgetMs = 4_500;
const decideTypes = new Set(['Arbiter Verdicts', 'Arbiter Proposal', 'Arbiter Decision Applied', 'Arbiter Override', 'Arbiter Override Ended', 'Arbiter Signal']);

interface Observer extends RegionWorld {
  http: FaultyHttpHandler;
  delivered: number;
  probe: ReturnType<typeof createProbeHandlers>;
  decide: ReturnType<typeof createDecideHandler>;
  raw: DynamoDBClient;
}

/** An application endpoint that can fail for everyone ('*') or only on the path from given observers. */
class Endpoint {
  readonly downFor = new Set<string>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const observer = String(req.headers['x-arbiter-observer'] ?? '');
      if (this.downFor.has('*') || this.downFor.has(observer)) res.writeHead(503).end('{"status":"down"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/health`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

// Each test drives dozens of handler invocations against moto; on a loaded 2-core machine that takes tens of seconds.
jest.setTimeout(120_000);

let moto: Moto;
let zoneId: string;
const endpoints = new Map<string, Endpoint>(regions.map((r) => [r, new Endpoint()]));
const observers = new Map<string, Observer>();
// moto does not refuse a stale register DELETE or a CREATE of an existing register: this guard does, as Route 53.
const guard = new Route53RegisterGuard();

function e2eConfig(zone: string): ArbiterConfigInput {
  return configInput({
    targets: regions.map((region) => ({
      region,
      endpoints: [{ url: endpoints.get(region)!.url, bodyContains: '"status":"ok"', latencyMsMax: 400, timeoutMs: 500 }],
      route53: { hostedZoneId: zone, recordName: 'api.e2e.example.com', recordType: 'A' as const, setIdentifier: region, weight: 100 },
    })),
    // Mechanics, not detection timing: no minimum failure duration (the simulator measures detection).
    probe: { intervalMs: 2_000, failureMinDurationMs: 0, failureThreshold: 2, recoveryThreshold: 2, confirmCount: 1, confirmSpacingMs: 100, latencyWindowSize: 5, latencyQuantile: 0.9, verdictFreshnessMs: 60_000, verdictRefreshMs: 20_000 },
  });
}

beforeAll(async () => {
  moto = await startMoto();
  for (const endpoint of endpoints.values()) await endpoint.start();
  zoneId = await createWeightedZone(moto, regions, 'e2e.example.com.');
  const configPath = writeConfig(e2eConfig(zoneId));
  for (const region of regions) {
    const http = new FaultyHttpHandler();
    http.rules.push(guard.rule());
    const world = await createRegion(moto, region, configPath, { requestHandler: http });
    const get = () => world.container;
    observers.set(region, { ...world, http, delivered: 0, probe: createProbeHandlers(get), decide: createDecideHandler(get), raw: new DynamoDBClient(moto.clientOptions(region)) });
  }
}, 60_000);

afterAll(async () => {
  for (const o of observers.values()) {
    o.queue.destroy();
    o.raw.destroy();
  }
  for (const endpoint of endpoints.values()) await endpoint.stop();
  await moto?.stop();
});

async function scanAll(client: DynamoDBClient): Promise<Array<Record<string, AttributeValue>>> {
  const out = await client.send(new ScanCommand({ TableName: tableName, Limit: 1_000 }));
  if (out.LastEvaluatedKey !== undefined) throw new Error('replication fake: more than one page of items');
  return out.Items ?? [];
}

/** What each replica last received per key, so unchanged items are not copied again. */
const replicated = new Map<string, string>();

/** The explicit Global Table fake: each region's own items outwards, immutable items where absent. */
async function replicate(): Promise<void> {
  for (const from of observers.values()) {
    const items = await scanAll(from.raw);
    for (const to of observers.values()) {
      if (to === from) continue;
      for (const item of items) {
        const pk = item.pk!.S!;
        if (pk.startsWith('OBS#') && pk !== `OBS#${from.region}`) continue;
        const key = `${to.region}|${pk}|${item.sk!.S!}`;
        const text = JSON.stringify(item);
        if (replicated.get(key) === text) continue;
        replicated.set(key, text);
        const condition = pk.startsWith('OBS#') ? {} : { ConditionExpression: 'attribute_not_exists(pk)' };
        await to.raw.send(new PutItemCommand({ TableName: tableName, Item: item, ...condition })).catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
      }
    }
  }
}

const isPutEvents = (r: RecordedRequest) => r.operation === 'AWSEvents.PutEvents';
const isRrsetChange = (r: RecordedRequest) => r.method === 'POST' && /\/rrset\/?$/.test(r.path);

/** Entries published since the last wave, per origin region. */
function takeNewEntries(): Array<{ origin: string; entry: { Source: string; DetailType: string; Detail: string } }> {
  const out: Array<{ origin: string; entry: { Source: string; DetailType: string; Detail: string } }> = [];
  for (const o of observers.values()) {
    const sent = o.http.requests.filter(isPutEvents);
    for (const request of sent.slice(o.delivered)) {
      for (const entry of (JSON.parse(request.body) as { Entries: Array<{ Source: string; DetailType: string; Detail: string }> }).Entries) out.push({ origin: o.region, entry });
    }
    o.delivered = sent.length;
  }
  return out;
}

/** Delivers published events as the bus rules would (origin bus + forwarding to every peer), until quiet. */
async function pump(): Promise<number> {
  let delivered = 0;
  for (let wave = 0; wave < deliveryWavesMax; wave += 1) {
    const entries = takeNewEntries();
    // E2E_TRACE=1 prints each delivery wave (debugging aid).
    if (process.env.E2E_TRACE) console.log(`wave ${wave}: ${entries.map((e) => `${e.origin}:${e.entry.DetailType}`).join(', ')}`);
    if (entries.length === 0) return delivered;
    await replicate();
    for (const { origin, entry } of entries) {
      expect(JSON.parse(entry.Detail).observer).toBe(origin);
      for (const o of observers.values()) {
        const event = envelope(entry, o.region);
        if (entry.DetailType === 'Arbiter Probe Now') await o.probe.probeNowHandler(event, lambdaContext(10_000));
        else if (decideTypes.has(entry.DetailType)) await o.decide(event, lambdaContext(10_000));
        delivered += 1;
      }
    }
  }
  throw new Error(`events still flowing after ${deliveryWavesMax} delivery waves`);
}

async function probeIn(region: string): Promise<void> {
  const result = await observers.get(region)!.probe.handler(scheduledEvent, lambdaContext(oneRoundBudgetMs));
  expect(result).toMatchObject({ status: 'done', rounds: 1 });
}

async function reconcileEverywhere(): Promise<void> {
  await replicate();
  for (const o of observers.values()) expect(await o.decide(scheduledEvent, lambdaContext(10_000))).toMatchObject({ status: 'decided', error: null });
  await pump();
}

/** Change batches Route 53 took (the guard's refusals changed nothing). */
const rrsetChanges = () => [...observers.values()].flatMap((o) => o.http.requests.filter((r) => isRrsetChange(r) && !guard.refused.has(r.body)));
const weight = async (setIdentifier: string) => (await weightsIn(moto, zoneId))[`api.e2e.example.com.|${setIdentifier}`];

describe('end to end over three moto regions (events routed to handlers by the test; Global Table replication faked by copying items)', () => {
  it('all healthy: every observer probes and decides, and Route 53 is left alone', async () => {
    for (const region of regions) await probeIn(region);
    await pump();
    await reconcileEverywhere();
    for (const region of regions) expect(await weight(region)).toBe(100);
    expect(rrsetChanges()).toHaveLength(0);
  });

  it('a failure seen by only one observer (its network path) never moves traffic', async () => {
    endpoints.get('eu-west-1')!.downFor.add('ap-southeast-2');
    await probeIn('ap-southeast-2');
    await pump();
    for (const region of regions) await probeIn(region);
    await pump();
    await reconcileEverywhere();
    const lonely = await observers.get('ap-southeast-2')!.container.deps.store.readOwnSnapshot('ap-southeast-2');
    expect(lonely!.verdicts['eu-west-1']!.status).toBe('unhealthy');
    const peer = await observers.get('us-east-1')!.container.deps.store.readOwnSnapshot('us-east-1');
    expect(peer!.verdicts['eu-west-1']!.status).toBe('healthy');
    expect(await weight('eu-west-1')).toBe(100);
    expect(rrsetChanges()).toHaveLength(0);
    endpoints.get('eu-west-1')!.downFor.clear();
  });

  it('an endpoint down for everyone: one observer asks its peers to probe now, a quorum agrees, and only then its weight goes to 0, once', async () => {
    for (let round = 0; round < 2; round += 1) for (const region of regions) await probeIn(region);
    await pump();
    for (const o of observers.values()) expect((await o.container.deps.store.readOwnSnapshot(o.region))!.verdicts['eu-west-1']!.status).toBe('healthy');

    endpoints.get('eu-west-1')!.downFor.add('*');
    await probeIn('us-east-1');
    expect(await weight('eu-west-1')).toBe(100);
    const sent = unsentEntries('us-east-1');
    expect(sent.filter((e) => e.DetailType === 'Arbiter Probe Now').map((e) => JSON.parse(e.Detail).target)).toEqual(['eu-west-1']);

    await pump();
    expect(await weight('eu-west-1')).toBe(0);
    expect(await weight('us-east-1')).toBe(100);
    expect(await weight('ap-southeast-2')).toBe(100);
    await reconcileEverywhere();
    const changes = rrsetChanges();
    expect(changes).toHaveLength(1);
    expect(changes[0]!.body).toMatch(/<Comment>arbiter decision d-[0-9a-f]{8}-[0-9a-f]{8}<\/Comment>/);
    await replicate();
    const audit = await observers.get('us-east-1')!.container.deps.store.listAudit({ limit: 50 });
    const applied = audit.entries.filter((e) => e.kind === 'decision-applied');
    expect(applied).toHaveLength(1);
    expect((applied[0]!.details.supporters as Record<string, string[]>)['eu-west-1']!.length).toBeGreaterThanOrEqual(2);
  });

  it('decide running twice at once in every region does no harm: no error, no second Route 53 change, same weights', async () => {
    await replicate();
    const results = await Promise.all([...observers.values()].flatMap((o) => [o.decide(scheduledEvent, lambdaContext(10_000)), o.decide(scheduledEvent, lambdaContext(10_000))]));
    expect(results.every((r) => r.status === 'decided' && r.error === null)).toBe(true);
    await pump();
    expect(rrsetChanges()).toHaveLength(1);
    expect([await weight('us-east-1'), await weight('eu-west-1'), await weight('ap-southeast-2')]).toEqual([100, 0, 100]);
  });
});

/** The PutEvents entries a region sent that the pump has not delivered yet (without consuming them). */
function unsentEntries(region: string): Array<{ DetailType: string; Detail: string }> {
  const o = observers.get(region)!;
  return o.http.requests.filter(isPutEvents).slice(o.delivered).flatMap((r) => (JSON.parse(r.body) as { Entries: Array<{ DetailType: string; Detail: string }> }).Entries);
}
