/**
 * The stack, packaged offline for three observer regions (osls + serverless-esbuild, fake
 * credentials), checked with cfn-lint and with Arbiter's own assertions. Each assertion also runs
 * on a deliberately loosened copy of a template, to prove it would catch the loosening.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../shared/adapters/config/config-file';
import type { ValidConfig } from '../../shared/domain';
import { packageDir, runPackage } from '../../cli/commands/package';
import { quietOsls } from './quiet-osls';
import { hostedZoneIds } from '../../resources/stack-plan';
import { gateFunctionLogicalId, gateHostOutputKey } from '../../resources/dataplane-resources';
import { functionSizing, gateFunctionSizing } from '../../shared/domain/cost/function-sizing';
import { apiThrottleBurst, apiThrottleRatePerSecond, idempotencyPartition } from '../../resources/stack-resources';
import { idempotencyPartitionKey } from '../../shared/adapters/idempotency/powertools-idempotency';
import { alarmRuleNames, busPublishers, findDataPlanePermissionProblems, findFunctionSizingProblems, findIamProblems, findRoute53Problems, findRouteAuthProblems, forwardedRegions, recordWriteGrants, routeKeys, tableWriteGrants, type Template } from './template-checks';

const configFile = 'test/infra/fixtures/infra.config.yml';
const stage = 'infratest';
const packageTimeoutMs = 240_000;
const lintTimeoutMs = 120_000;
/** The fixture has a gate-vote target, so every region also ships the data-plane gate. */
const functionZips = ['probe', 'probeNow', 'decide', 'alarm', 'drill', 'api', 'gate'];

const loaded = loadConfigFile(configFile);
if (!loaded.ok) throw new Error(`fixture ${configFile} is invalid`);
const config: ValidConfig = loaded.config;
const templates = new Map<string, Template>();
const templatePath = (region: string) => join(packageDir(stage, region), 'cloudformation-template-update-stack.json');
const clone = (t: Template): Template => JSON.parse(JSON.stringify(t)) as Template;
const policyStatementsOf = (template: Template, roleId: string) => (template.Resources[roleId]!.Properties!.Policies as Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }>)[0]!.PolicyDocument.Statement;


beforeAll(async () => {
  rmSync(join('dist', 'package', stage), { recursive: true, force: true });
  const messages: string[] = [];
  const code = await runPackage({ configFile, stage, run: quietOsls(packageTimeoutMs) }, { out: (t) => messages.push(t), err: (t) => messages.push(t) });
  if (code !== 0) throw new Error(`packaging failed:\n${messages.join('\n')}`);
  for (const region of config.observers) templates.set(region, JSON.parse(readFileSync(templatePath(region), 'utf8')) as Template);
}, packageTimeoutMs * 3);

describe('packaged stack (three observer regions, offline)', () => {
  it('packages every function of every region into its own folder', () => {
    for (const region of config.observers) for (const fn of functionZips) expect(existsSync(join(packageDir(stage, region), `${fn}.zip`))).toBe(true);
  });

  it('ships the config in every bundle at ARBITER_CONFIG_PATH, with the contract environment on every function', () => {
    const template = templates.get('eu-west-1')!;
    for (const [id, fn] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const env = (fn.Properties!.Environment as { Variables: Record<string, string> }).Variables;
      expect({ id, ...env }).toMatchObject({ id, ARBITER_CONFIG_PATH: configFile, ARBITER_TABLE: 'arbiter-infra-infratest', ARBITER_BUS: 'arbiter-infra-infratest', ARBITER_STAGE: stage, POWERTOOLS_SERVICE_NAME: 'arbiter' });
    }
    for (const fn of functionZips) {
      const listing = execFileSync('unzip', ['-Z1', join(packageDir(stage, 'eu-west-1'), `${fn}.zip`)], { encoding: 'utf8' }).split('\n');
      expect(listing).toContain(configFile);
    }
  });

  it('ships the same bundles to every region (one build everywhere)', () => {
    const digest = (region: string, fn: string) => createHash('sha256').update(readFileSync(join(packageDir(stage, region), `${fn}.zip`))).digest('hex');
    for (const fn of functionZips) expect(new Set(config.observers.map((r) => digest(r, fn))).size).toBe(1);
  });

  it('passes cfn-lint with zero errors on every template', () => {
    if (!existsSync('.venv/bin/cfn-lint')) execFileSync('bash', ['test/support/setup-python.sh'], { stdio: 'inherit', timeout: lintTimeoutMs });
    const files = config.observers.map(templatePath);
    let output = '';
    let code = 0;
    try {
      output = execFileSync('.venv/bin/cfn-lint', ['--format', 'parseable', ...files], { encoding: 'utf8', timeout: lintTimeoutMs });
    } catch (error) {
      const failure = error as { status: number; stdout: string };
      code = failure.status;
      output = failure.stdout;
    }
    // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
    const errors = output.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(code & 2).toBe(0);
  }, lintTimeoutMs);

  it('creates the Global Table only in the home region, with a replica, PITR and deletion protection per observer', () => {
    const [home, ...others] = config.observers;
    const table = Object.values(templates.get(home!)!.Resources).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')!;
    const replicas = table.Properties!.Replicas as Array<{ Region: string; PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: boolean }; DeletionProtectionEnabled: boolean }>;
    expect(replicas.map((r) => r.Region)).toEqual(config.observers);
    expect(replicas.every((r) => r.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled && r.DeletionProtectionEnabled)).toBe(true);
    expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    for (const region of others) expect(Object.values(templates.get(region)!.Resources).some((r) => r.Type === 'AWS::DynamoDB::GlobalTable')).toBe(false);
  });

  it('requires AWS_IAM on every API route, and serves every operator route', () => {
    for (const template of templates.values()) {
      expect(findRouteAuthProblems(template)).toEqual([]);
      expect(routeKeys(template)).toEqual(['DELETE /overrides/{id}', 'GET /audit', 'GET /drills', 'GET /drills/{id}', 'GET /overrides', 'GET /status', 'POST /drills', 'POST /overrides']);
    }
    const loosened = clone(templates.get('eu-west-1')!);
    const route = Object.values(loosened.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Route')!;
    route.Properties!.AuthorizationType = 'NONE';
    expect(findRouteAuthProblems(loosened)).toHaveLength(1);
  });

  it('has no wildcard action and no unexplained "*" resource in any IAM statement', () => {
    for (const template of templates.values()) expect(findIamProblems(template)).toEqual([]);
    const wildcardAction = clone(templates.get('us-east-1')!);
    (wildcardAction.Resources.DecideIamRoleLambdaExecution!.Properties!.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>)[0]!.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:us-east-1:1:table/x' });
    expect(findIamProblems(wildcardAction)).toEqual(['DecideIamRoleLambdaExecution: wildcard action dynamodb:*']);
    const starResource = clone(templates.get('us-east-1')!);
    (starResource.Resources.ApiIamRoleLambdaExecution!.Properties!.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>)[0]!.PolicyDocument.Statement.push({ Effect: 'Allow', Action: ['events:PutEvents'], Resource: '*' });
    expect(findIamProblems(starResource)).toEqual(['ApiIamRoleLambdaExecution: Resource "*" for events:PutEvents']);
  });

  it('scopes Route 53 changes to the configured hosted zones only', () => {
    const zones = hostedZoneIds(config);
    expect(zones).toEqual(['Z0INFRAZONEONE', 'Z0INFRAZONETWO']);
    for (const template of templates.values()) {
      expect(findRoute53Problems(template, zones)).toEqual([]);
      const route53Roles = Object.entries(template.Resources).filter(([, r]) => JSON.stringify(r).includes('route53:')).map(([id]) => id).sort();
      expect(route53Roles).toEqual(['ApiIamRoleLambdaExecution', 'DecideIamRoleLambdaExecution', 'DrillIamRoleLambdaExecution']);
    }
    const loosened = clone(templates.get('ap-southeast-2')!);
    const statements = (loosened.Resources.DecideIamRoleLambdaExecution!.Properties!.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown[] }> } }>)[0]!.PolicyDocument.Statement;
    statements.find((s) => s.Action.includes('route53:ChangeResourceRecordSets'))!.Resource.push('arn:aws:route53:::hostedzone/ZSOMEONEELSES');
    expect(findRoute53Problems(loosened, zones)).toEqual(['DecideIamRoleLambdaExecution: route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone/ZSOMEONEELSES']);
  });

  it('lets only decide change records: the weight-mode records and their epoch TXT, in their zone, by CREATE, DELETE and UPSERT; a health-check-only zone gets no write', () => {
    // Zone one: us-east-1 by weight and ap-southeast-2 by health check, both api.example.com. Zone two: eu-west-1 by health check only.
    const expected = [{ role: 'DecideIamRoleLambdaExecution', zone: 'Z0INFRAZONEONE', names: ['_arbiter-epoch.api.example.com', 'api.example.com'], types: ['A', 'TXT'], actions: ['CREATE', 'DELETE', 'UPSERT'] }];
    for (const template of templates.values()) expect(recordWriteGrants(template)).toEqual(expected);
    const unlimited = clone(templates.get('us-east-1')!);
    delete policyStatementsOf(unlimited, 'DecideIamRoleLambdaExecution').find((st) => JSON.stringify(st.Action).includes('ChangeResourceRecordSets'))!.Condition;
    expect(recordWriteGrants(unlimited)).toEqual([{ ...expected[0], names: null, types: null, actions: null }]);
    const apiWrites = clone(templates.get('us-east-1')!);
    policyStatementsOf(apiWrites, 'ApiIamRoleLambdaExecution').push({ Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets'], Resource: ['arn:aws:route53:::hostedzone/Z0INFRAZONETWO'] });
    expect(recordWriteGrants(apiWrites).map((g) => `${g.role} ${g.zone}`)).toEqual(['DecideIamRoleLambdaExecution Z0INFRAZONEONE', 'ApiIamRoleLambdaExecution Z0INFRAZONETWO']);
  });

  it("lets each observer's roles write only that observer's items and the append-only partitions they add to; the api updates and deletes only idempotency records", () => {
    const operator = ['AUDIT', 'DRILL', 'DRILL-ID#*', 'OVERRIDE', 'OVERRIDE-END', 'UNIQUE#AUDIT#*', 'UNIQUE#OVERRIDE#*', 'UNIQUE#OVERRIDE-END#*'];
    for (const region of config.observers) {
      const own = `OBS#${region}`;
      expect(tableWriteGrants(templates.get(region)!)).toEqual({
        ProbeIamRoleLambdaExecution: { 'dynamodb:PutItem': [own] },
        ProbeNowIamRoleLambdaExecution: { 'dynamodb:PutItem': [own] },
        DecideIamRoleLambdaExecution: { 'dynamodb:PutItem': ['AUDIT', own, 'UNIQUE#AUDIT#*'].sort() },
        AlarmIamRoleLambdaExecution: { 'dynamodb:PutItem': ['SIGNAL', 'UNIQUE#SIGNAL#*'] },
        DrillIamRoleLambdaExecution: { 'dynamodb:PutItem': operator },
        ApiIamRoleLambdaExecution: { 'dynamodb:PutItem': [...operator, idempotencyPartition].sort(), 'dynamodb:UpdateItem': [idempotencyPartition], 'dynamodb:DeleteItem': [idempotencyPartition] },
      });
    }
    expect(idempotencyPartition).toBe(idempotencyPartitionKey);
    const rewritesAudit = clone(templates.get('eu-west-1')!);
    policyStatementsOf(rewritesAudit, 'ApiIamRoleLambdaExecution').push({ Effect: 'Allow', Action: ['dynamodb:UpdateItem'], Resource: ['arn:aws:dynamodb:eu-west-1:1:table/arbiter-infra-infratest'] });
    expect(tableWriteGrants(rewritesAudit).ApiIamRoleLambdaExecution!['dynamodb:UpdateItem']).toEqual(['(any)', idempotencyPartition]);
  });

  it("admits on each region's bus only its own Arbiter function roles and every peer's forwarding role, named the same in the peer's stack", () => {
    const functionRoles = ['AlarmIamRoleLambdaExecution', 'ApiIamRoleLambdaExecution', 'DecideIamRoleLambdaExecution', 'DrillIamRoleLambdaExecution', 'ProbeIamRoleLambdaExecution', 'ProbeNowIamRoleLambdaExecution'];
    for (const region of config.observers) {
      const peers = config.observers.filter((r) => r !== region);
      expect(busPublishers(templates.get(region)!)).toEqual([...functionRoles, ...peers.map((peer) => `role/${templates.get(peer)!.Resources.ArbiterForwardRole!.Properties!.RoleName as string}`)].sort());
      expect(templates.get(region)!.Resources.ArbiterForwardRole!.Properties!.RoleName).toBe(`arbiter-infra-infratest-fwd-${region}`);
    }
    const open = clone(templates.get('eu-west-1')!);
    delete open.Resources.ArbiterBus!.Properties!.Policy;
    expect(busPublishers(open)).toBeNull();
    const widened = clone(templates.get('eu-west-1')!);
    const deny = (widened.Resources.ArbiterBus!.Properties!.Policy as { Statement: Array<{ Condition: { ArnNotEquals: { 'aws:PrincipalArn': unknown[] } } }> }).Statement[0]!;
    deny.Condition.ArnNotEquals['aws:PrincipalArn'].push('arn:aws:iam::123456789012:role/someone-else');
    expect(busPublishers(widened)).toContain('role/someone-else');
  });

  it('reserves concurrency for decide and api, throttles and logs the API stage, sends failed alarm invocations to the dead-letter queue, and ships no unused default role', () => {
    for (const template of templates.values()) {
      const r = template.Resources;
      expect([r.DecideLambdaFunction!.Properties!.ReservedConcurrentExecutions, r.ApiLambdaFunction!.Properties!.ReservedConcurrentExecutions]).toEqual([functionSizing.decide.reservedConcurrency, functionSizing.api.reservedConcurrency]);
      expect(r.HttpApiStage!.Properties!.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: apiThrottleRatePerSecond, ThrottlingBurstLimit: apiThrottleBurst });
      expect(r.HttpApiStage!.Properties!.AccessLogSettings).toMatchObject({ DestinationArn: { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] } });
      expect(r.HttpApiLogGroup!.Properties!.RetentionInDays).toBe(30);
      expect(r.AlarmLambdaFunction!.Properties!.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] } });
      expect(policyStatementsOf(template, 'AlarmIamRoleLambdaExecution')).toContainEqual({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] }] });
      expect(Object.keys(r)).not.toContain('IamRoleLambdaExecution');
      expect(JSON.stringify(template)).not.toContain('"IamRoleLambdaExecution"');
    }
  });

  it('gives every function memory, a timeout and a log retention, and the probe loop one reserved execution', () => {
    for (const template of templates.values()) {
      expect(findFunctionSizingProblems(template)).toEqual([]);
      const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions).toHaveLength(functionZips.length);
      expect(functions.every((f) => f.Properties!.Runtime === 'nodejs22.x' && JSON.stringify(f.Properties!.Architectures) === '["arm64"]')).toBe(true);
      expect(template.Resources.ProbeLambdaFunction!.Properties!.ReservedConcurrentExecutions).toBe(1);
    }
    const loosened = clone(templates.get('us-east-1')!);
    delete loosened.Resources.AlarmLambdaFunction!.Properties!.Timeout;
    delete loosened.Resources.DrillLogGroup!.Properties!.RetentionInDays;
    expect(findFunctionSizingProblems(loosened)).toEqual(['AlarmLambdaFunction: no Timeout', 'DrillLambdaFunction: no log group with RetentionInDays']);
  });

  it("forwards each region's own events to every peer region's bus", () => {
    for (const region of config.observers) expect(forwardedRegions(templates.get(region)!, region)).toEqual(config.observers.filter((r) => r !== region).sort());
    const loosened = clone(templates.get('eu-west-1')!);
    delete loosened.Resources.ForwardApSoutheast2Rule;
    expect(forwardedRegions(loosened, 'eu-west-1')).toEqual(['us-east-1']);
  });

  it('listens for exactly the configured alarm names', () => {
    const configured = config.alarms.map((a) => a.name).sort();
    for (const template of templates.values()) expect(alarmRuleNames(template)).toEqual(configured);
    const loosened = clone(templates.get('us-east-1')!);
    (loosened.Resources.AlarmStateRule!.Properties!.EventPattern as { detail: { alarmName: string[] } }).detail.alarmName.push('someone-elses-alarm');
    expect(alarmRuleNames(loosened)).not.toEqual(configured);
  });

  it('schedules the probe loop, the decide reconcile and every configured drill', () => {
    const rules = Object.values(templates.get('eu-west-1')!.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties!.ScheduleExpression !== undefined);
    type Target = { Input?: string; InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string } };
    const schedules = rules.map((r) => ({ expression: r.Properties!.ScheduleExpression, target: (r.Properties!.Targets as Target[])[0]! }));
    expect(schedules.filter((s) => s.expression === 'rate(1 minute)')).toHaveLength(2);
    // A drill's firing carries the event's time, which names the tick every region agrees on (one run per tick).
    for (const drill of config.drills) {
      expect(schedules).toContainEqual({ expression: drill.schedule, target: expect.objectContaining({ InputTransformer: { InputPathsMap: { time: '$.time' }, InputTemplate: `{"drill":"${drill.name}","time":<time>}` } }) });
    }
  });

  it('alarms on function errors, a stale probe heartbeat (missing data breaches) and dead-letter queue depth', () => {
    const alarms = Object.entries(templates.get('us-east-1')!.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.filter(([id]) => id.endsWith('ErrorsAlarm'))).toHaveLength(functionZips.length);
    const heartbeat = alarms.find(([id]) => id === 'ProbeHeartbeatAlarm')![1].Properties!;
    expect(heartbeat).toMatchObject({ Namespace: 'Arbiter', MetricName: 'ProbeRounds', TreatMissingData: 'breaching' });
    expect(alarms.some(([, r]) => r.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible')).toBe(true);
    // A region left on another config pages once it outlasts a rolling deploy (three 5-minute periods).
    expect(alarms.find(([id]) => id === 'ConfigMismatchAlarm')![1].Properties).toMatchObject({ Namespace: 'Arbiter', MetricName: 'ConfigMismatch', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
  });
});

describe('data-plane mode in the packaged stack (eu-west-1 and ap-southeast-2 vote by gate)', () => {
  type Outputs = Record<string, { Value: unknown }>;
  const policyStatements = (template: Template, roleId: string) => (template.Resources[roleId]!.Properties!.Policies as Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }>)[0]!.PolicyDocument.Statement;

  it('ships the gate in every region: small, capped, behind a public function URL whose host is a stack output', () => {
    for (const region of config.observers) {
      const template = templates.get(region)! as Template & { Outputs: Outputs };
      expect(template.Resources[gateFunctionLogicalId]!.Properties).toMatchObject({ MemorySize: gateFunctionSizing.memoryMb, Timeout: gateFunctionSizing.timeoutSeconds, ReservedConcurrentExecutions: gateFunctionSizing.reservedConcurrency, Handler: 'functions/gate.handler' });
      expect(template.Resources.GateFunctionUrl!.Properties).toEqual({ TargetFunctionArn: { 'Fn::GetAtt': [gateFunctionLogicalId, 'Arn'] }, AuthType: 'NONE' });
      expect(JSON.stringify(template.Outputs[gateHostOutputKey]!.Value)).toContain('GateFunctionUrl');
      expect(template.Resources.GateErrorsAlarm!.Properties).toMatchObject({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: gateFunctionLogicalId } }] });
    }
  });

  it('gives the vote mechanism only what it needs: gate reads the table, no function writes metrics through the API, the public URL only invokes the gate', () => {
    for (const template of templates.values()) expect(findDataPlanePermissionProblems(template, gateFunctionLogicalId)).toEqual([]);
    const gateStatements = policyStatements(templates.get('eu-west-1')!, 'GateIamRoleLambdaExecution').filter((st) => !JSON.stringify(st.Action).includes('logs:'));
    expect(gateStatements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/arbiter-infra-infratest' }] }]);

    const writes = clone(templates.get('eu-west-1')!);
    policyStatements(writes, 'GateIamRoleLambdaExecution').push({ Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: ['arn:aws:dynamodb:eu-west-1:1:table/x'] });
    expect(findDataPlanePermissionProblems(writes, gateFunctionLogicalId)).toEqual(['GateIamRoleLambdaExecution: dynamodb:PutItem']);

    const putMetric = clone(templates.get('eu-west-1')!);
    policyStatements(putMetric, 'DecideIamRoleLambdaExecution').push({ Effect: 'Allow', Action: ['cloudwatch:PutMetricData'], Resource: '*' });
    expect(findDataPlanePermissionProblems(putMetric, gateFunctionLogicalId)).toEqual(['DecideIamRoleLambdaExecution: cloudwatch:PutMetricData']);

    const publicInvoke = clone(templates.get('eu-west-1')!);
    delete publicInvoke.Resources.GateFunctionInvokePermission!.Properties!.InvokedViaFunctionUrl;
    expect(findDataPlanePermissionProblems(publicInvoke, gateFunctionLogicalId)).toHaveLength(1);
  });
});
