/**
 * Every real AWS payload in ../shared/aws-sample-events (published by other projects; see its
 * README) reaches every Arbiter handler as it is, and each handler answers it sensibly: it acts,
 * ignores it with a logged reason, or refuses it with a clear 4xx. Never a throw, never a 5xx,
 * never a silent change. The handlers run over memory adapters (one observer of three).
 *
 * A file added to the folder fails the first test until it gets a row in `expected`.
 */
import './support/quiet-powertools';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAlarmHandler, type AlarmHandlerResult } from '../../functions/alarm';
import { createApiHandler } from '../../functions/api';
import { createDecideHandler, type DecideHandlerResult } from '../../functions/decide';
import { createDrillHandler, type DrillHandlerResult } from '../../functions/drill';
import { createGateHandler } from '../../functions/gate';
import type { ObserverContainer } from '../../functions/lib/container';
import type { ArbiterEnv } from '../../functions/lib/env';
import { createProbeHandlers, type ProbeHandlerResult } from '../../functions/probe';
import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../../shared/adapters/memory';
import type { Telemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime, type ObserverDeps } from '../../shared/runtime';
import type { OperatorDeps } from '../../shared/runtime/operator/api-types';
import { configInput, makeConfig } from '../support/fixtures';

const samplesDir = join(__dirname, '..', '..', '..', 'shared', 'aws-sample-events');
const sampleFiles = readdirSync(samplesDir).filter((f) => f.endsWith('.json')).sort();
const sample = (file: string): unknown => JSON.parse(readFileSync(join(samplesDir, file), 'utf8'));

/** The alarm names in the samples, configured as a user of these alarms would configure them. */
const sampleAlarmNames = ['ServerCpuTooHigh', 'TotalNetworkTrafficTooHigh', 'EC2 CPU Utilization Anomaly', 'ServiceAggregatedAlarm', 'my-alarm-name', 'test-service-alarm-abcd', 'test-service_aurora_serverless_cpu_utilization'];

type Api = { status: number; error: RegExp };
type Outcome = 'ignored' | 'acted';
interface Expected {
  /** The API's answer to the event as it is. */
  api: Api;
  /** The API's answer when a user points the same request at GET /status (payload 2.0 only). */
  apiStatus?: number;
  gate: number;
  /** `acted`: the signal is stored with this state. */
  alarm: Outcome | { recorded: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' };
  decide: Outcome;
  probe: Outcome;
}

const restApi: Api = { status: 400, error: /^unsupported event$/ };
const notHttp: Api = { status: 400, error: /^unsupported event$/ };
const noRoute: Api = { status: 404, error: /^no route / };
const otherEvent = { api: notHttp, gate: 400, decide: 'ignored', probe: 'ignored' } as const;
// The gate answers only drain (200) or no-drain (404): another method gets the same 404 as another path.
const httpEvent = { gate: 404, alarm: 'ignored', decide: 'ignored', probe: 'ignored' } as const;

/** One row per file: what each handler must answer. probeNow and drill ignore every sample (none is theirs). */
const expected: Record<string, Expected> = {
  'apigw-v1-rest-iam.json': { ...otherEvent, api: restApi, alarm: 'ignored' },
  'apigw-v1-rest-proxy.json': { ...otherEvent, api: restApi, alarm: 'ignored' },
  'apigw-v2-iam-assumed-role.json': { ...httpEvent, api: noRoute, apiStatus: 200, gate: 404 },
  'apigw-v2-iam-cognito-user.json': { ...httpEvent, api: noRoute, apiStatus: 200 },
  'apigw-v2-jwt-authorizer.json': { ...httpEvent, api: noRoute, apiStatus: 401, gate: 404 },
  'apigw-v2-lambda-authorizer-null.json': { ...httpEvent, api: noRoute, apiStatus: 401, gate: 404 },
  'apigw-v2-no-authorizer.json': { ...httpEvent, api: noRoute, apiStatus: 401 },
  'cw-eb-anomaly-detection-alarm.json': { ...otherEvent, alarm: { recorded: 'ALARM' } },
  'cw-eb-composite-alarm-suppressor.json': { ...otherEvent, alarm: { recorded: 'ALARM' } },
  'cw-eb-config-change-composite-update.json': { ...otherEvent, alarm: 'ignored' },
  'cw-eb-insufficient-data-derived.json': { ...otherEvent, alarm: { recorded: 'INSUFFICIENT_DATA' } },
  'cw-eb-metric-math-alarm.json': { ...otherEvent, alarm: { recorded: 'ALARM' } },
  'cw-eb-metrics-insights-partial-data.json': { ...otherEvent, alarm: { recorded: 'ALARM' } },
  'cw-eb-ok-from-alarm.json': { ...otherEvent, alarm: { recorded: 'OK' } },
  'cw-eb-ok-from-insufficient-data.json': { ...otherEvent, alarm: { recorded: 'OK' } },
  'cw-eb-single-metric-alarm.json': { ...otherEvent, alarm: { recorded: 'ALARM' } },
  'cw-lambda-action-composite.json': { ...otherEvent, alarm: 'ignored' },
  'cw-lambda-action-metric-math.json': { ...otherEvent, alarm: 'ignored' },
  'eb-ec2-state-change.json': { ...otherEvent, alarm: 'ignored' },
  'eb-scheduled-event.json': { ...otherEvent, alarm: 'ignored', decide: 'acted', probe: 'acted' },
  // Arbiter creates no EventBridge Scheduler schedules: a Scheduler tick is someone else's wiring.
  'eb-scheduler-event.json': { ...otherEvent, alarm: 'ignored' },
  'lambda-url-iam-minimal.json': { ...httpEvent, api: noRoute, apiStatus: 200, gate: 404 },
  'lambda-url-iam.json': { ...httpEvent, api: noRoute, apiStatus: 200, gate: 404 },
  'lambda-url-no-auth.json': { ...httpEvent, api: noRoute, apiStatus: 401 },
};

class LinesTelemetry implements Telemetry {
  readonly lines: Array<{ level: string; message: string; context?: Record<string, unknown> }> = [];
  info(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'info', message, ...(context ? { context } : {}) }); }
  warn(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'warn', message, ...(context ? { context } : {}) }); }
  error(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'error', message, ...(context ? { context } : {}) }); }
  metric() {}
}

const startMs = Date.parse('2026-12-03T08:00:00Z');
const observer = 'eu-west-1';

/** One observer of three over memory adapters: us-east-1 by weight, eu-west-1 by gate votes. */
function world() {
  const input = configInput({ alarms: sampleAlarmNames.map((name, i) => ({ name, target: 'us-east-1', effect: i === 0 ? 'confirm' : 'indict' })), drills: [{ name: 'weekly-shadow', schedule: 'rate(7 days)', target: 'us-east-1', mode: 'shadow' }] });
  input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check', vote: 'gate' };
  const config = makeConfig(input);
  const clock = new ManualClock(startMs);
  const store = new MemoryStore();
  const bus = new RecordingBus();
  const telemetry = new LinesTelemetry();
  const deps: ObserverDeps = { config, observer, clock, store, bus, dns: MemoryDns.fromBindings(config.targets.map((t) => t.route53)), prober: new ScriptedProber(clock), telemetry };
  const container: ObserverContainer = { env: { region: observer } as ArbiterEnv, deps, probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  let nextId = 1;
  const operator: OperatorDeps = { ...deps, newId: (prefix) => `${prefix}-${nextId++}` };
  // The probe loop's deadline follows the manual clock: one schedule period of rounds, then it stops.
  const context = { functionName: 'arbiter-samples', awsRequestId: 'req-1', getRemainingTimeInMillis: () => startMs + 70_000 - clock.nowMs() } as unknown as Context;
  const fingerprint = () => JSON.stringify({ s: [store.snapshots, store.proposals, store.applied, store.heartbeats, store.overrides, store.overrideEnds, store.signals, store.audit, store.drills].map((m) => [...m.keys()]), published: bus.published.length });
  return { config, store, bus, telemetry, context, fingerprint, get: () => container, operator };
}

type World = ReturnType<typeof world>;
const noWrites = (w: World, before: string) => expect(w.fingerprint()).toBe(before);
const loggedReason = (w: World, level: 'warn' | 'info') => expect(w.telemetry.lines.filter((l) => l.level === level && typeof l.context?.reason === 'string' && l.context.reason !== '')).toHaveLength(1);

describe('real AWS sample payloads', () => {
  it('has an expectation for every file in the folder, and a file for every expectation', () => {
    expect(sampleFiles.length).toBeGreaterThanOrEqual(24);
    expect(sampleFiles).toEqual(Object.keys(expected).sort());
  });

  describe.each(sampleFiles)('%s', (file) => {
    const want = expected[file]!;
    let w: World;
    beforeEach(() => {
      w = world();
    });

    it(`api: ${want.api.status} with an error naming what is wrong`, async () => {
      const before = w.fingerprint();
      const out = (await createApiHandler(() => w.operator)(sample(file), w.context)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(out.body as string) as { error: string; problems?: Array<{ message: string }> };
      expect({ status: out.statusCode, error: body.error }).toEqual({ status: want.api.status, error: expect.stringMatching(want.api.error) });
      if (want.api === restApi) expect(body.problems?.[0]?.message).toMatch(/REST API \(payload format 1\.0\)/);
      if (want.api === notHttp) expect(body.problems?.[0]?.message).toMatch(/^not an HTTP API \(payload 2\.0\) or function URL request: /);
      noWrites(w, before);
    });

    if (want.apiStatus !== undefined) {
      it(`api: the same request pointed at GET /status answers ${want.apiStatus} (${want.apiStatus === 200 ? 'an IAM principal' : 'no IAM principal'})`, async () => {
        const event = sample(file) as { rawPath: string; requestContext: { http: { method: string; path?: string } } };
        event.rawPath = '/status';
        event.requestContext.http.method = 'GET';
        const out = (await createApiHandler(() => w.operator)(event, w.context)) as APIGatewayProxyStructuredResultV2;
        expect(out.statusCode).toBe(want.apiStatus);
        if (want.apiStatus === 200) expect(JSON.parse(out.body as string)).toHaveProperty('targets');
      });
    }

    it(`gate: ${want.gate}`, async () => {
      const before = w.fingerprint();
      const out = await createGateHandler(w.get)(sample(file));
      expect(out.statusCode).toBe(want.gate);
      if (want.gate === 400) {
        expect(out.body).toMatch(/^unsupported event: /);
        loggedReason(w, 'warn');
      }
      noWrites(w, before);
    });

    const alarmWant = want.alarm;
    it(`alarm: ${typeof alarmWant === 'string' ? alarmWant : `records a ${alarmWant.recorded} signal`}`, async () => {
      const before = w.fingerprint();
      const out = (await createAlarmHandler(w.get)(sample(file), w.context)) as AlarmHandlerResult;
      if (typeof alarmWant === 'string') {
        expect(out).toEqual({ status: 'ignored', reason: expect.any(String) });
        loggedReason(w, 'warn');
        noWrites(w, before);
        return;
      }
      const { detail } = sample(file) as { detail: { alarmName: string } };
      expect(out).toMatchObject({ status: 'recorded', duplicate: false });
      expect([...w.store.signals.values()]).toEqual([expect.objectContaining({ alarmName: detail.alarmName, state: alarmWant.recorded, target: 'us-east-1' })]);
      expect(w.bus.published.map((e) => e.type)).toEqual(detail.alarmName === sampleAlarmNames[0] && alarmWant.recorded === 'ALARM' ? ['signal', 'probe-now'] : ['signal']);
    });

    it(`decide: ${want.decide}`, async () => {
      const before = w.fingerprint();
      const out = (await createDecideHandler(w.get)(sample(file), w.context)) as DecideHandlerResult;
      if (want.decide === 'ignored') {
        expect(out).toEqual({ status: 'ignored', reason: expect.any(String) });
        loggedReason(w, 'warn');
        noWrites(w, before);
      } else {
        expect(out).toMatchObject({ status: 'decided', error: null });
        expect(w.store.heartbeats.size).toBe(1);
      }
    });

    it(`probe: ${want.probe}`, async () => {
      const before = w.fingerprint();
      const { handler } = createProbeHandlers(w.get);
      const out = (await handler(sample(file), w.context)) as ProbeHandlerResult;
      if (want.probe === 'ignored') {
        expect(out).toEqual({ status: 'ignored', reason: expect.any(String) });
        loggedReason(w, 'warn');
        noWrites(w, before);
      } else {
        expect(out).toMatchObject({ status: 'done', stoppedBy: expect.any(String) });
        expect((out as { rounds: number }).rounds).toBeGreaterThan(0);
        expect(w.store.snapshots.has(observer)).toBe(true);
      }
    });

    it('probeNow: ignored (not an Arbiter Probe Now event)', async () => {
      const before = w.fingerprint();
      const { probeNowHandler } = createProbeHandlers(w.get);
      expect(await probeNowHandler(sample(file), w.context)).toEqual({ status: 'ignored', reason: expect.any(String) });
      loggedReason(w, 'warn');
      noWrites(w, before);
    });

    it('drill: ignored (not a drill input)', async () => {
      const before = w.fingerprint();
      const out = (await createDrillHandler(w.get)(sample(file), w.context)) as DrillHandlerResult;
      expect(out).toEqual({ status: 'ignored', reason: expect.stringMatching(/^drill input must be /) });
      loggedReason(w, 'warn');
      noWrites(w, before);
    });
  });
});

describe('api: a request body that is not a string', () => {
  it.each([[{ target: 'us-east-1' }], [42], [['a']]])('is a 400 naming the body, not a 500 (%j)', async (body) => {
    const w = world();
    const event = sample('apigw-v2-iam-assumed-role.json') as Record<string, unknown> & { requestContext: { http: { method: string } } };
    event.rawPath = '/overrides';
    event.body = body;
    const before = w.fingerprint();
    const out = (await createApiHandler(() => w.operator)(event, w.context)) as APIGatewayProxyStructuredResultV2;
    expect(out.statusCode).toBe(400);
    expect((JSON.parse(out.body as string) as { problems: Array<{ message: string }> }).problems[0]!.message).toMatch(/body/);
    noWrites(w, before);
  });
});
