import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createAlarmHandler, handler as alarmLambda } from '../../functions/alarm';
import { createDecideHandler } from '../../functions/decide';
import { readEnv } from '../../functions/lib/env';
import { logger } from '../../functions/lib/powertools';
import { createProbeHandlers } from '../../functions/probe';
import { ScriptedProber } from '../../shared/adapters/memory';
import { SystemClock } from '../../shared/adapters/aws';
import { ConfigurationError } from '../../shared/ports';
import { configInput } from '../support/fixtures';
import { startMoto, type Moto } from '../support/moto';
import { createRegion, lambdaContext, scheduledEvent, tableName, writeConfig, type RegionWorld } from './support/world';

const region = 'eu-west-1';
let moto: Moto;
let world: RegionWorld;
let prober: ScriptedProber;
let raw: DynamoDBClient;

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  moto = await startMoto();
  const configPath = writeConfig(configInput({ alarms: [{ name: 'us-5xx', target: 'us-east-1', effect: 'confirm' }], probe: { intervalMs: 5_000, failureMinDurationMs: 0, confirmCount: 1, confirmSpacingMs: 100, failureThreshold: 2 } as never }));
  prober = new ScriptedProber(new SystemClock());
  world = await createRegion(moto, region, configPath, { prober });
  raw = new DynamoDBClient(moto.clientOptions(region));
});
afterAll(async () => {
  world?.queue.destroy();
  raw?.destroy();
  await moto?.stop();
});

const get = () => world.container;
const alarm = createAlarmHandler(get);
const decide = createDecideHandler(get);
const probe = createProbeHandlers(get);

async function itemKeys(): Promise<string[]> {
  const out = await raw.send(new ScanCommand({ TableName: tableName }));
  return (out.Items ?? []).map((i) => `${i.pk!.S}|${i.sk!.S}`).sort();
}

function alarmEvent(alarmName: string, value: string) {
  return { version: '0', id: 'cw-1', 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', account: '123456789012', time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [], detail: { alarmName, state: { value, reason: 'threshold crossed', timestamp: '2026-11-23T10:00:00.123+0000' }, previousState: { value: 'OK', timestamp: '2026-11-23T09:00:00.000+0000' } } };
}

describe('Lambda handlers over moto (one region)', () => {
  it('readEnv names every missing variable in one error', () => {
    expect(() => readEnv({ AWS_REGION: 'eu-west-1', ARBITER_STAGE: 'prod' })).toThrow(ConfigurationError);
    expect(() => readEnv({ AWS_REGION: 'eu-west-1', ARBITER_STAGE: 'prod' })).toThrow('Arbiter environment: ARBITER_TABLE is missing; ARBITER_BUS is missing');
    expect(() => readEnv({ AWS_REGION: 'mars', ARBITER_STAGE: 'prod', ARBITER_TABLE: 't', ARBITER_BUS: 'b' })).toThrow(/AWS_REGION must be an AWS region name/);
  });

  it('the deployed handler fails with one error naming the missing variables, before any write', async () => {
    for (const name of ['ARBITER_TABLE', 'ARBITER_BUS', 'ARBITER_STAGE']) expect(process.env[name]).toBeUndefined();
    const before = await itemKeys();
    await expect(alarmLambda(alarmEvent('us-5xx', 'ALARM'), lambdaContext(5_000))).rejects.toThrow(/^Arbiter environment: ARBITER_TABLE is missing; ARBITER_BUS is missing; ARBITER_STAGE is missing/);
    expect(await itemKeys()).toEqual(before);
  });

  it('alarm: a malformed event and an unknown alarm are each one log line and no write', async () => {
    world.telemetry.lines.length = 0;
    expect(await alarm({ source: 'aws.cloudwatch', detail: { alarmName: 'x' } }, lambdaContext(5_000))).toMatchObject({ status: 'ignored' });
    expect(await alarm(alarmEvent('not-configured', 'ALARM'), lambdaContext(5_000))).toMatchObject({ status: 'ignored' });
    expect(world.telemetry.lines.map((l) => l.message)).toEqual(['alarm: ignored a malformed event', 'alarm: ignored an alarm that is not configured']);
    expect(await itemKeys()).toEqual([]);
  });

  it('alarm: a configured confirm alarm becomes a signal item and signal + probe-now events carrying the alarm name', async () => {
    const result = await alarm(alarmEvent('us-5xx', 'ALARM'), lambdaContext(5_000));
    expect(result).toMatchObject({ status: 'recorded', duplicate: false });
    expect(await itemKeys()).toEqual([expect.stringMatching(/^SIGNAL\|\d{15}#us-5xx#/), expect.stringMatching(/^UNIQUE#SIGNAL#us-5xx#/)]);
    const received = await world.queue.receive(2);
    expect(received.map((m) => m['detail-type']).sort()).toEqual(['Arbiter Probe Now', 'Arbiter Signal']);
    expect(received.find((m) => m['detail-type'] === 'Arbiter Probe Now')!.detail).toMatchObject({ target: 'us-east-1', alarmName: 'us-5xx', observer: region });
    expect(await alarm(alarmEvent('us-5xx', 'ALARM'), lambdaContext(5_000))).toMatchObject({ status: 'recorded', duplicate: true });
  });

  it('decide: a malformed Arbiter event is one log line and no write', async () => {
    const before = await itemKeys();
    world.telemetry.lines.length = 0;
    const bad = { source: 'arbiter', 'detail-type': 'Arbiter Verdicts', detail: { type: 'verdicts', observer: 'us-east-1', snapshot: { seq: -1 } } };
    expect(await decide(bad, lambdaContext(5_000))).toMatchObject({ status: 'ignored' });
    const mismatched = { source: 'arbiter', 'detail-type': 'Arbiter Proposal', detail: { type: 'probe-now', observer: 'us-east-1', target: 'eu-west-1', reason: 'x', requestedMs: 1 } };
    expect(await decide(mismatched, lambdaContext(5_000))).toMatchObject({ status: 'ignored', reason: expect.stringContaining('detail-type') });
    expect(world.telemetry.lines).toHaveLength(2);
    expect(await itemKeys()).toEqual(before);
  });

  it('probe: a scheduled invocation runs rounds until the deadline allows no more, then writes the snapshot and a heartbeat', async () => {
    // Budget: one round needs 2 s × 2 + 100 ms + 3 s reserve = 7.1 s; 8 s allows exactly one.
    const result = await probe.handler(scheduledEvent, lambdaContext(8_000));
    expect(result).toEqual({ status: 'done', rounds: 1, stoppedBy: 'deadline' });
    const keys = await itemKeys();
    expect(keys).toEqual(expect.arrayContaining([`OBS#${region}|SNAPSHOT`, `OBS#${region}|HEARTBEAT#probe`]));
    const snapshot = await world.container.deps.store.readOwnSnapshot(region);
    expect(Object.values(snapshot!.verdicts).map((v) => v.status)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(prober.calls).toBe(3);
  });

  it('probe-now: an alarm request marks the target suspect and re-probes it at once, even from this region', async () => {
    prober.set('us-east-1', { kind: 'down' });
    const request = { source: 'arbiter', 'detail-type': 'Arbiter Probe Now', detail: { type: 'probe-now', observer: region, target: 'us-east-1', reason: 'alarm', requestedMs: 1, alarmName: 'us-5xx' } };
    const result = await probe.probeNowHandler(request, lambdaContext(10_000));
    expect(result).toMatchObject({ status: 'answered', changed: ['us-east-1'] });
    const snapshot = await world.container.deps.store.readOwnSnapshot(region);
    expect(snapshot!.verdicts['us-east-1']!.status).toBe('unhealthy');
    expect(await probe.probeNowHandler({ ...request, detail: { ...request.detail, alarmName: undefined } }, lambdaContext(10_000))).toEqual({ status: 'skipped' });
  });

  it('decide: a scheduled reconcile writes this observer proposal and a decide heartbeat; a missing hosted zone is reported in the outcome, not thrown', async () => {
    const result = await decide(scheduledEvent, lambdaContext(10_000));
    expect(result).toMatchObject({ status: 'decided', proposalWritten: true, error: expect.stringContaining('NoSuchHostedZone') });
    expect(await itemKeys()).toEqual(expect.arrayContaining([`OBS#${region}|PROPOSAL`, `OBS#${region}|HEARTBEAT#decide`]));
  });
});
