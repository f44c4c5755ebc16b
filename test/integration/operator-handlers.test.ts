/**
 * The `api` and `drill` Lambda handlers with real event shapes, wired by functions/lib from the
 * environment, against moto on loopback (Powertools idempotency persisted in the Arbiter table).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { stringify } from 'yaml';
import { DynamoDbStore } from '../../shared/adapters/aws/dynamodb-store';
import { handler as apiHandler } from '../../functions/api';
import { handler as drillHandler, parseDrillInput } from '../../functions/drill';
import type { DrillRecord } from '../../shared/ports';
import type { ScheduledDrillOutcome } from '../../shared/runtime/operator/drill-runtime';
import { configInput, makeConfig, regions } from '../support/fixtures';
import { createArbiterTable, fakeCredentials, startMoto, type Moto } from '../support/moto';
import { addRule, createBus, TestQueue } from './support/aws-fixtures';
import { createWeightedZone } from './support/route53-fixtures';

const region = 'us-east-1';
const table = 'arbiter-handlers';
const bus = 'arbiter-handlers';
const operator = 'arn:aws:iam::123456789012:user/ops';
let moto: Moto;
let dir: string;
let queue: TestQueue;
let zoneId: string;

const context = { functionName: 'arbiter-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function httpEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, principal: string | null = operator): APIGatewayProxyEventV2WithIAMAuthorizer {
  return {
    version: '2.0', routeKey: '$default', rawPath: `/prod${path}`, rawQueryString: '', headers, isBase64Encoded: false,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'api.example.com', domainPrefix: 'api', requestId: `r-${Math.random()}`, routeKey: '$default', stage: 'prod', time: '', timeEpoch: 0,
      http: { method, path: `/prod${path}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      authorizer: principal === null ? undefined : { iam: { accessKey: 'AKIA', accountId: '123456789012', callerId: 'AIDA', cognitoIdentity: null, principalOrgId: null, userArn: principal, userId: 'AIDA' } },
    },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

async function callApi(event: APIGatewayProxyEventV2WithIAMAuthorizer): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const out = (await apiHandler(event, context)) as APIGatewayProxyStructuredResultV2;
  return { statusCode: out.statusCode!, body: JSON.parse(out.body as string) };
}

/** Zone ids tried before giving up; seeded, so the same moto picks the same ids every run. */
const zoneAttemptsMax = 400;

/**
 * moto draws 22 random characters for a zone id; the config schema wants real Route 53 ids (`Z…`).
 * Seed moto's randomness and retry under fresh names until an id starts with Z (bounded).
 */
async function createZoneWithValidId(): Promise<string> {
  for (let seed = 1; seed <= zoneAttemptsMax; seed += 1) {
    await fetch(`${moto.url}/moto-api/seed?a=${seed}`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
    const id = await createWeightedZone(moto, regions, `handlers${seed}.example.com.`);
    if (/^Z[A-Z0-9]{1,32}$/.test(id)) {
      zoneName = `handlers${seed}.example.com`;
      return id;
    }
  }
  throw new Error(`moto gave no zone id starting with Z in ${zoneAttemptsMax} seeded attempts`);
}

let zoneName = '';

beforeAll(async () => {
  moto = await startMoto();
  await createArbiterTable(moto, region, table);
  await createBus(moto, region, bus);
  queue = await TestQueue.create(moto, region, 'handler-events');
  await addRule(moto, region, bus, 'observe-all', { source: ['arbiter'] }, queue.arn);
  zoneId = await createZoneWithValidId();
  dir = mkdtempSync(join(tmpdir(), 'arbiter-operator-'));
  const input = configInput({ overrides: { ttlSecondsMax: 3600, operators: [operator] }, drills: [{ name: 'eu-shadow', schedule: 'rate(7 days)', target: 'eu-west-1', mode: 'shadow', holdSeconds: 60 }] });
  input.targets = input.targets.map((t) => ({ ...t, route53: { ...t.route53, hostedZoneId: zoneId, recordName: `api.${zoneName}` } }));
  writeFileSync(join(dir, 'arbiter.config.yml'), stringify(input));
  Object.assign(process.env, {
    ARBITER_CONFIG_PATH: join(dir, 'arbiter.config.yml'), ARBITER_TABLE: table, ARBITER_BUS: bus, ARBITER_STAGE: 'test', AWS_REGION: region,
    ARBITER_ENDPOINT_URL: moto.url, AWS_ACCESS_KEY_ID: fakeCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: fakeCredentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'arbiter', POWERTOOLS_DEV: 'false', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_METRICS_DISABLED: 'true',
  });
}, 300_000);

afterAll(async () => {
  queue?.destroy();
  await moto?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('api and drill handlers (moto)', () => {
  it('creates one override for a retried Idempotency-Key and strips the stage from the path', async () => {
    const body = { target: 'eu-west-1', action: 'serve', ttlSeconds: 600, reason: 'pin' };
    const first = await callApi(httpEvent('POST', '/overrides', body, { 'Idempotency-Key': 'h-1' }));
    const second = await callApi(httpEvent('POST', '/overrides', body, { 'Idempotency-Key': 'h-1' }));
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(first);
    const store = new DynamoDbStore({ tableName: table, config: makeConfig(), sdk: { ...moto.clientOptions(region) } });
    const view = await store.readView(Date.now());
    expect(view.overrides.map((o) => o.actor)).toEqual([operator]);
  }, 60_000);

  it('answers 401 without an IAM principal and 403 for a principal not on overrides.operators', async () => {
    expect((await callApi(httpEvent('GET', '/status', undefined, {}, null))).statusCode).toBe(401);
    const refused = await callApi(httpEvent('DELETE', '/overrides/ov-1', undefined, {}, 'arn:aws:iam::123456789012:user/intern'));
    expect(refused).toEqual({ statusCode: 403, body: { error: 'arn:aws:iam::123456789012:user/intern is not on overrides.operators' } });
  }, 60_000);

  it('starts an API-requested drill with an event the drill handler runs, and runs scheduled drills by name (seeing active overrides)', async () => {
    const started = await callApi(httpEvent('POST', '/drills', { target: 'ap-southeast-2', mode: 'shadow', holdSeconds: 60 }));
    expect(started.statusCode).toBe(202);
    expect(started.body.launched).toBe(true);
    const drillId = (started.body.drill as DrillRecord).id;
    const events = await queue.receive(10, 3_000);
    const start = events.find((e) => e['detail-type'] === 'Arbiter Drill Start');
    expect(start?.detail).toEqual({ drillId, observer: region });
    const report = (await drillHandler(start, context)) as DrillRecord;
    expect({ ...report, why: report.problems }).toMatchObject({ id: drillId, mode: 'shadow', status: 'passed', why: [] });
    const fetched = await callApi(httpEvent('GET', `/drills/${drillId}`));
    expect((fetched.body.drill as DrillRecord).version).toBe(report.version);
    const outcome = (await drillHandler({ drill: 'eu-shadow', time: new Date().toISOString() }, context)) as ScheduledDrillOutcome;
    expect(outcome.kind).toBe('ran');
    const scheduled = (outcome as Extract<ScheduledDrillOutcome, { kind: 'ran' }>).report;
    // The same tick fired again (another region's rule, or a redelivery) finds it claimed and runs nothing.
    const again = (await drillHandler({ drill: 'eu-shadow', time: new Date().toISOString() }, context)) as ScheduledDrillOutcome;
    expect(again).toMatchObject({ kind: 'skipped', drillId: outcome.drillId, reason: `tick already claimed by ${region} (drill ${outcome.drillId} is failed)` });
    // eu-west-1 is pinned serving by the first test's override: the shadow drill says the failover would not happen.
    expect(scheduled).toMatchObject({ startedBy: 'schedule:eu-shadow', status: 'failed' });
    expect(scheduled.problems[0]).toMatch(/^eu-west-1 would not be drained: override: override ov-/);
  }, 60_000);

  it('names what is wrong with an unknown drill input', () => {
    expect(parseDrillInput({ hello: 1 })).toEqual({ ok: false, reason: expect.stringMatching(/^drill input must be/) });
    expect(parseDrillInput({ drillId: 'd-1' })).toEqual({ ok: true, value: { kind: 'stored', drillId: 'd-1' } });
    expect(parseDrillInput({ drill: 'weekly', time: '2026-11-30T09:00:04Z' })).toEqual({ ok: true, value: { kind: 'scheduled', name: 'weekly', firedMs: Date.parse('2026-11-30T09:00:04Z') } });
    expect(parseDrillInput({ drill: 'weekly', time: 'monday' })).toEqual({ ok: false, reason: 'drill input "time" must be an ISO 8601 time, got "monday"' });
  });
});
