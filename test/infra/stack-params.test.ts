/**
 * What serverlessParams gives serverless.yml for switches the packaged fixture does not turn on:
 * X-Ray tracing (every traced function's role, the gate's included, can upload traces) and the
 * optional notification target of Arbiter's own alarms. No packaging: these are the inputs osls copies.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from '../../shared/adapters/config/config-file';
import { validateConfig, type ArbiterConfigInput, type ValidConfig } from '../../shared/domain';
import { normalizeRecordName, recordWriteScopes } from '../../resources/stack-plan';
import { notificationsTopicId, serverlessParams, xrayWriteActions } from '../../resources/stack-resources';

const configFile = 'test/infra/fixtures/infra.config.yml';
const loaded = loadConfigFile(configFile);
if (!loaded.ok) throw new Error(`fixture ${configFile} is invalid`);
const config: ValidConfig = loaded.config;

function withNotifications(notifications: ArbiterConfigInput['notifications']): ValidConfig {
  const result = validateConfig({ ...(parse(readFileSync(configFile, 'utf8')) as ArbiterConfigInput), notifications });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.config;
}

type Alarm = { Type: string; Properties: { Namespace?: string; AlarmActions?: unknown[]; OKActions?: unknown[] } };
const alarmsOf = (resources: Record<string, unknown>) => Object.entries(resources as Record<string, Alarm>).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const alarmIds = (resources: Record<string, unknown>) => alarmsOf(resources).map(([id]) => id);
const hasXray = (statements: unknown[]) => xrayWriteActions.every((action) => statements.some((s) => JSON.stringify((s as { Action: unknown }).Action).includes(action)));

describe('serverlessParams with X-Ray tracing on', () => {
  it('gives every traced function, the data-plane gate included, the X-Ray upload statement', () => {
    const params = serverlessParams(config, 'infratest', 'eu-west-1', true);
    expect(params.tracing).toBe(true);
    for (const [fn, { iam }] of Object.entries(params.functions)) expect({ fn, xray: hasXray(iam) }).toEqual({ fn, xray: true });
    expect(hasXray((params.dataPlaneFunctions.gate as { iamRoleStatements: unknown[] }).iamRoleStatements)).toBe(true);
  });

  it('gives no role an X-Ray statement while tracing is off', () => {
    const params = serverlessParams(config, 'infratest', 'eu-west-1', false);
    expect(Object.values(params.functions).some(({ iam }) => hasXray(iam))).toBe(false);
    expect(hasXray((params.dataPlaneFunctions.gate as { iamRoleStatements: unknown[] }).iamRoleStatements)).toBe(false);
  });
});

describe("notifications for Arbiter's own alarms", () => {
  it('without a notifications section the alarms have no action', () => {
    const { resources } = serverlessParams(config, 'infratest', 'us-east-1');
    expect(alarmsOf(resources).filter(([, r]) => r.Properties.AlarmActions !== undefined)).toEqual([]);
    expect(resources[notificationsTopicId]).toBeUndefined();
  });

  it('topic: create makes a topic in each region stack and points every alarm at it', () => {
    const { resources, outputs } = serverlessParams(withNotifications({ topic: 'create' }), 'infratest', 'ap-southeast-2');
    expect(resources[notificationsTopicId]).toMatchObject({ Type: 'AWS::SNS::Topic' });
    expect(alarmIds(resources)).toEqual(expect.arrayContaining(['ProbeHeartbeatAlarm', 'DeliveryDlqDepthAlarm', 'ConfigMismatchAlarm', 'DecideErrorsAlarm', 'GateErrorsAlarm', 'GateThrottlesAlarm']));
    const topic = [{ Ref: notificationsTopicId }];
    for (const [id, alarm] of alarmsOf(resources)) expect({ id, actions: alarm.Properties.AlarmActions, ok: alarm.Properties.OKActions }).toEqual({ id, actions: topic, ok: topic });
    expect(outputs.ArbiterNotificationsTopicArn).toMatchObject({ Value: { Ref: notificationsTopicId } });
  });

  it("topicArns points each region's self-alarms at that region's existing topic and creates none", () => {
    const arns = Object.fromEntries(config.observers.map((r) => [r, `arn:aws:sns:${r}:123456789012:ops-pager`]));
    for (const region of config.observers) {
      const { resources } = serverlessParams(withNotifications({ topicArns: arns }), 'infratest', region);
      expect(resources[notificationsTopicId]).toBeUndefined();
      expect(new Set(alarmIds(resources).map((id) => JSON.stringify((resources[id] as Alarm).Properties.AlarmActions)))).toEqual(new Set([JSON.stringify([arns[region]])]));
    }
  });
});

describe('the Route 53 records decide may change', () => {
  it('normalizes names as IAM compares them: lowercase, no trailing dot, other characters as octal escapes', () => {
    expect(normalizeRecordName('API.Example.COM.')).toBe('api.example.com');
    expect(normalizeRecordName('*.eu.example.com')).toBe('\\052.eu.example.com');
    expect(normalizeRecordName('_svc-1.example.com')).toBe('_svc-1.example.com');
  });

  it('scopes each zone to its weight-mode records and their epoch TXT names; a zone of health-check targets only gets nothing', () => {
    const input = parse(readFileSync(configFile, 'utf8')) as ArbiterConfigInput;
    const targets = input.targets.map((t, i) => (i === 2 ? { ...t, route53: { ...t.route53, mode: 'weight' as const, vote: undefined, recordName: 'API.example.NET.', hostedZoneId: 'Z0INFRAZONEONE', recordType: 'AAAA' as const } } : t));
    const result = validateConfig({ ...input, targets: targets.map((t) => ({ ...t, route53: Object.fromEntries(Object.entries(t.route53).filter(([, v]) => v !== undefined)) })) });
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    expect(recordWriteScopes(result.config)).toEqual([
      { hostedZoneId: 'Z0INFRAZONEONE', recordNames: ['_arbiter-epoch.api.example.com', '_arbiter-epoch.api.example.net', 'api.example.com', 'api.example.net'], recordTypes: ['A', 'AAAA', 'TXT'] },
    ]);
    expect(recordWriteScopes(config)).toEqual([{ hostedZoneId: 'Z0INFRAZONEONE', recordNames: ['_arbiter-epoch.api.example.com', 'api.example.com'], recordTypes: ['A', 'TXT'] }]);
  });
});
