/**
 * The config-driven part of one region's stack, as CloudFormation: the Global Table (home stack
 * only), the Arbiter bus and its rules, forwarding to every peer region's bus with a dead-letter
 * queue, the alarm-state rule, alarms on Arbiter itself, and each function's IAM statements.
 * serverless.yml pulls these in through resources/serverless-params.js; nothing here calls AWS.
 */
import { detailTypes, eventSource, type ValidConfig } from '../shared/domain';
import { arbiterFunctionNames, functionSizing, lambdaTracingEnabled, logRetentionDays, type ArbiterFunctionName } from '../shared/domain/cost/function-sizing';
import { logicalId, planDeployment, recordWriteActions, recordWriteScopes, type DeploymentPlan, type RegionStackPlan } from './stack-plan';
import { dataPlaneFunctions, dataPlaneRegionResources, dataPlaneStackOutputs, gateFunctionLogicalId, usesGate } from './dataplane-resources';

type Json = unknown;
type Resources = Record<string, Json>;

/** An Arbiter event older than this is stale (the next reconcile carries newer state): EventBridge stops retrying it. */
export const forwardEventAgeSecondsMax = 300;
export const forwardRetryAttemptsMax = 20;
/** Failed deliveries stay this long in the dead-letter queue (SQS's maximum, 14 days). */
export const dlqRetentionSeconds = 1_209_600;
/** The probe loop reports ProbeRounds once per invocation (each minute); this many empty minutes in a row alarm. */
export const heartbeatStaleMinutes = 3;
/**
 * The operator API's stage throttle: operators and the CLI make a few calls a minute; a flood
 * (or a stuck script) is refused by API Gateway before it costs invocations of api.
 */
export const apiThrottleRatePerSecond = 10;
export const apiThrottleBurst = 20;
/** Must match drillStartDetailType in shared/runtime/operator/drill-runtime.ts (kept literal: resources/ does not load the runtime). */
export const drillStartDetailType = 'Arbiter Drill Start';
/** Metric the probe loop emits through Powertools Metrics (shared/runtime/probe-loop.ts; functions/lib/powertools.ts). */
export const heartbeatMetric = { namespace: 'Arbiter', name: 'ProbeRounds', dimensions: [{ Name: 'service', Value: 'arbiter' }] } as const;
/** What decide emits when peers propose under another config (shared/runtime/decide-runtime.ts). */
export const configMismatchMetric = { namespace: 'Arbiter', name: 'ConfigMismatch', dimensions: [{ Name: 'service', Value: 'arbiter' }] } as const;

const sub = (text: string) => ({ 'Fn::Sub': text });
const fnLogicalId = (fn: ArbiterFunctionName) => `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;
/** The role serverless-iam-roles-per-function gives each function. */
export const fnRoleLogicalId = (fn: ArbiterFunctionName) => `${fn[0]!.toUpperCase()}${fn.slice(1)}IamRoleLambdaExecution`;
const busArn = (region: string, busName: string) => sub(`arn:\${AWS::Partition}:events:${region}:\${AWS::AccountId}:event-bus/${busName}`);

/**
 * The partitions (`pk`, IAM's `dynamodb:LeadingKeys`) each function may write, from the item
 * layout in shared/adapters/aws/dynamodb-store.ts. `OBS#<region>` is this observer's own: an
 * observer's roles can write no other observer's verdicts, proposals, decisions or heartbeats, so
 * single-writer holds by IAM. Append-only partitions come with their `UNIQUE#<kind>#*` guards.
 * Every function reads the whole table (GetItem, Query): deciding needs every observer's items.
 */
const ownPartition = (region: string) => `OBS#${region}`;
const appendOnly = (kind: string) => [kind, `UNIQUE#${kind}#*`];
/** Must match idempotencyPartitionKey in shared/adapters/idempotency/powertools-idempotency.ts (resources/ does not load adapters). */
export const idempotencyPartition = 'IDEMPOTENCY#api';
const operatorWrites = [...appendOnly('OVERRIDE'), ...appendOnly('OVERRIDE-END'), ...appendOnly('AUDIT'), 'DRILL', 'DRILL-ID#*'];
export function tableWritePartitions(fn: ArbiterFunctionName, region: string): string[] {
  switch (fn) {
    case 'probe':
    case 'probeNow':
      return [ownPartition(region)];
    case 'decide':
      return [ownPartition(region), ...appendOnly('AUDIT')];
    case 'alarm':
      return appendOnly('SIGNAL');
    case 'drill':
      return operatorWrites;
    case 'api':
      return [...operatorWrites, idempotencyPartition];
  }
}

/** Functions that read Route 53 records (decide plans from them; drill and api report them). Only decide changes them. */
const route53Readers: readonly ArbiterFunctionName[] = ['decide', 'drill', 'api'];

/**
 * Actions AWS authorises only on `Resource: "*"` (no resource-level permission exists): X-Ray
 * trace upload (the Tracer). This list is what the infra tests accept as an explained `*`.
 */
export const xrayWriteActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;
export const actionsWithoutResourceLevelPermission: readonly string[] = [...xrayWriteActions];

/** This region's replica of the table. */
const tableArn = (plan: DeploymentPlan, stack: RegionStackPlan) => sub(`arn:\${AWS::Partition}:dynamodb:${stack.region}:\${AWS::AccountId}:table/${plan.tableName}`);
const zoneArn = (id: string) => sub(`arn:\${AWS::Partition}:route53:::hostedzone/${id}`);

/** The X-Ray statement every traced function needs (Lambda refuses Active tracing without it). */
export function tracingStatements(tracing: boolean): Json[] {
  return tracing ? [{ Effect: 'Allow', Action: [...xrayWriteActions], Resource: '*' }] : [];
}

function tableStatements(plan: DeploymentPlan, stack: RegionStackPlan, fn: ArbiterFunctionName): Json[] {
  const table = [tableArn(plan, stack)];
  const statements: Json[] = [
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: table },
    { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: table, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': tableWritePartitions(fn, stack.region) } } },
  ];
  // Powertools idempotency updates and deletes its own records; the audit log and every other item are never updated or deleted.
  if (fn === 'api') statements.push({ Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: table, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [idempotencyPartition] } } });
  return statements;
}

/**
 * Route 53: reads on the configured zones for the readers; ChangeResourceRecordSets for decide only,
 * per zone limited to the records Arbiter drives there (names, types, actions). IAM compares names
 * and types as two sets, so a zone's scope also admits its epoch TXT name with the record type
 * and the other way round: the narrowest grant that lets one batch carry both.
 */
function route53Statements(config: ValidConfig, plan: DeploymentPlan, fn: ArbiterFunctionName): Json[] {
  if (!route53Readers.includes(fn) || plan.hostedZoneIds.length === 0) return [];
  const statements: Json[] = [
    { Effect: 'Allow', Action: ['route53:ListResourceRecordSets'], Resource: plan.hostedZoneIds.map(zoneArn) },
    { Effect: 'Allow', Action: ['route53:GetChange'], Resource: [sub('arn:${AWS::Partition}:route53:::change/*')] },
  ];
  if (fn !== 'decide') return statements;
  for (const scope of recordWriteScopes(config)) {
    statements.push({
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: [zoneArn(scope.hostedZoneId)],
      Condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': scope.recordNames,
          'route53:ChangeResourceRecordSetsRecordTypes': scope.recordTypes,
          'route53:ChangeResourceRecordSetsActions': [...recordWriteActions],
        },
      },
    });
  }
  return statements;
}

/**
 * The IAM statements of one function (serverless-iam-roles-per-function adds the log-group ones).
 * @example iamStatements(config, plan, plan.stacks[0], 'decide') // table reads, own-partition writes, PutEvents on the bus, Route 53 on the driven records
 */
export function iamStatements(config: ValidConfig, plan: DeploymentPlan, stack: RegionStackPlan, fn: ArbiterFunctionName, tracing = lambdaTracingEnabled): Json[] {
  return [
    ...tableStatements(plan, stack, fn),
    { Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn(stack.region, stack.busName)] },
    // No resource-level permission exists for X-Ray writes: AWS documents Resource "*". Only when tracing is on.
    ...tracingStatements(tracing),
    ...route53Statements(config, plan, fn),
    ...(fn === 'alarm' ? [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] }] }] : []),
  ];
}

function globalTable(config: ValidConfig, plan: DeploymentPlan): Resources {
  return {
    ArbiterTable: {
      Type: 'AWS::DynamoDB::GlobalTable',
      // Retain: removing the home stack never deletes the audit log; delete the table by hand (see README).
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: plan.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: config.observers.map((region) => ({
          Region: region,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          Tags: [{ Key: 'arbiter:stage', Value: plan.stage }],
        })),
      },
    },
  };
}

function lambdaRule(id: string, fn: ArbiterFunctionName, properties: Record<string, Json>): Resources {
  return {
    [id]: { Type: 'AWS::Events::Rule', Properties: { State: 'ENABLED', ...properties, Targets: [{ Id: fn, Arn: { 'Fn::GetAtt': [fnLogicalId(fn), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: forwardEventAgeSecondsMax, MaximumRetryAttempts: forwardRetryAttemptsMax } }] } },
    [`${id}Permission`]: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fnLogicalId(fn) }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [id, 'Arn'] } } },
  };
}

/** IAM's limit on a role name. */
const roleNameLengthMax = 64;

/**
 * The role a region's forwarding rules use to put its events on every peer's bus. Its name is
 * fixed, so each peer's bus policy can name it before that region's stack exists.
 * @example forwardRoleName({ busName: 'arbiter-shop-prod' }, 'eu-west-1') // → 'arbiter-shop-prod-fwd-eu-west-1'
 */
export function forwardRoleName(stack: Pick<RegionStackPlan, 'busName'>, region: string): string {
  const name = `${stack.busName}-fwd-${region}`;
  if (name.length > roleNameLengthMax) throw new Error(`forwarding role name ${name} is longer than IAM's ${roleNameLengthMax} characters: shorten the config name or the stage`);
  return name;
}

const forwardRoleArn = (stack: RegionStackPlan, region: string) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${forwardRoleName(stack, region)}`);

/**
 * The bus's resource policy: only this region's Arbiter functions and the peers' forwarding roles
 * may put events on it. In one account an identity policy alone would let any principal with
 * `events:PutEvents` on `*` publish (an override with force, proposals in another observer's
 * name), so the policy denies every other principal; the allow names the same roles. Principals
 * are matched by `aws:PrincipalArn`, which needs no peer role to exist yet.
 */
export function busPolicy(stack: RegionStackPlan): Json {
  const arbiterRoles = [...arbiterFunctionNames.map((fn) => ({ 'Fn::GetAtt': [fnRoleLogicalId(fn), 'Arn'] })), ...stack.peers.map((peer) => forwardRoleArn(stack, peer))];
  const bus = busArn(stack.region, stack.busName);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'OnlyArbiterRolesPublish', Effect: 'Deny', Principal: '*', Action: 'events:PutEvents', Resource: bus, Condition: { ArnNotEquals: { 'aws:PrincipalArn': arbiterRoles } } },
      { Sid: 'ArbiterRolesPublish', Effect: 'Allow', Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') }, Action: 'events:PutEvents', Resource: bus, Condition: { ArnEquals: { 'aws:PrincipalArn': arbiterRoles } } },
    ],
  };
}

function busResources(config: ValidConfig, stack: RegionStackPlan): Resources {
  const onBus = { EventBusName: { Ref: 'ArbiterBus' } };
  const decideTypes = (['verdicts', 'proposal', 'applied', 'override', 'override-end', 'signal'] as const).map((t) => detailTypes[t]);
  const resources: Resources = {
    ArbiterBus: { Type: 'AWS::Events::EventBus', Properties: { Name: stack.busName, Policy: busPolicy(stack) } },
    ArbiterDeliveryDlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: dlqRetentionSeconds, SqsManagedSseEnabled: true } },
    ...lambdaRule('ProbeNowRule', 'probeNow', { ...onBus, Description: 'Peers ask for a probe now', EventPattern: { source: [eventSource], 'detail-type': [detailTypes['probe-now']] } }),
    ...lambdaRule('DecideEventsRule', 'decide', { ...onBus, Description: 'Verdicts, proposals, decisions, overrides and signals from every observer', EventPattern: { source: [eventSource], 'detail-type': decideTypes } }),
    // Drill starts are for this region's drill function only (the API that stored the drill published it here).
    ...lambdaRule('DrillStartRule', 'drill', { ...onBus, Description: 'Drills started through the API', EventPattern: { source: [eventSource], 'detail-type': [drillStartDetailType], detail: { observer: [stack.region] } } }),
  };
  if (config.alarms.length > 0) {
    Object.assign(resources, lambdaRule('AlarmStateRule', 'alarm', { Description: 'State changes of the configured alarms (default bus)', EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: config.alarms.map((a) => a.name) } } }));
  }
  if (stack.peers.length > 0) Object.assign(resources, forwardingResources(stack));
  const ruleIds = Object.entries(resources).filter(([, r]) => (r as { Type: string }).Type === 'AWS::Events::Rule').map(([id]) => id);
  resources.ArbiterDeliveryDlqPolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'ArbiterDeliveryDlq' }],
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'EventBridgeDeadLetters', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] }, Condition: { ArnEquals: { 'aws:SourceArn': ruleIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) } } }] },
    },
  };
  return resources;
}

/** One rule per peer (a rule holds at most 5 targets; 9 observers have 8 peers), only events that originated here: no loops. */
function forwardingResources(stack: RegionStackPlan): Resources {
  const resources: Resources = {
    ArbiterForwardRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: forwardRoleName(stack, stack.region),
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'put-events-on-peer-buses', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: stack.peers.map((peer) => busArn(peer, stack.busName)) }] } }],
      },
    },
  };
  for (const peer of stack.peers) {
    resources[`Forward${logicalId(peer)}Rule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Arbiter events that originated in ${stack.region} → ${peer}`,
        EventBusName: { Ref: 'ArbiterBus' },
        State: 'ENABLED',
        EventPattern: { source: [eventSource], 'detail-type': [{ 'anything-but': [drillStartDetailType] }], detail: { observer: [stack.region] } },
        Targets: [{ Id: `bus-${peer}`, Arn: busArn(peer, stack.busName), RoleArn: { 'Fn::GetAtt': ['ArbiterForwardRole', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: forwardEventAgeSecondsMax, MaximumRetryAttempts: forwardRetryAttemptsMax } }],
      },
    };
  }
  return resources;
}

/** The topic Arbiter creates for its own alarms (notifications.topic: create). */
export const notificationsTopicId = 'ArbiterNotificationsTopic';

/** Where this region's self-alarms notify: a topic this stack creates, the configured topic, or nowhere. */
function notificationTarget(config: ValidConfig, region: string): Json | null {
  const n = config.notifications;
  if (n?.topic === 'create') return { Ref: notificationsTopicId };
  return n?.topicArns?.[region] ?? null;
}

function notificationResources(config: ValidConfig): Resources {
  if (config.notifications?.topic !== 'create') return {};
  return { [notificationsTopicId]: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: `Arbiter ${config.name} alarms` } } };
}

function selfAlarms(config: ValidConfig, region: string): Resources {
  const resources: Resources = {};
  const shipped: Array<[name: string, functionId: string]> = arbiterFunctionNames.map((fn) => [fn, fnLogicalId(fn)]);
  // A failing gate reads as "no drain" (Inverted child): safe, but it silently removes this observer's votes.
  if (usesGate(config)) shipped.push(['gate', gateFunctionLogicalId]);
  for (const [fn, functionId] of shipped) {
    resources[`${logicalId(fn)}ErrorsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmDescription: `Arbiter ${fn} function errors`, Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }], Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
    };
  }
  if (usesGate(config)) {
    // A flood on the public gate URL is throttled (429 → "no drain"): it can hide this observer's drain votes (docs/dataplane.md).
    resources.GateThrottlesAlarm = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmDescription: 'Arbiter gate requests throttled: a flood may be hiding this observer\'s drain votes from Route 53', Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: gateFunctionLogicalId } }], Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
    };
  }
  resources.ProbeHeartbeatAlarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmDescription: `No probe round reported for ${heartbeatStaleMinutes} minutes: this observer is blind`, Namespace: heartbeatMetric.namespace, MetricName: heartbeatMetric.name, Dimensions: [...heartbeatMetric.dimensions], Statistic: 'Sum', Period: 60, EvaluationPeriods: heartbeatStaleMinutes, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' },
  };
  resources.DeliveryDlqDepthAlarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmDescription: 'Arbiter events failed delivery (peer bus or function) and sit in the dead-letter queue', Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'QueueName'] } }], Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
  };
  // Peers proposing under another config do not vote (decide emits ConfigMismatch): expected for the
  // minutes of a rolling deploy, a page when it lasts three 5-minute periods (a region left behind).
  resources.ConfigMismatchAlarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmDescription: 'Arbiter observers propose under another config for 15 minutes: their proposals do not vote (a region left behind by a deploy)', Namespace: configMismatchMetric.namespace, MetricName: configMismatchMetric.name, Dimensions: [...configMismatchMetric.dimensions], Statistic: 'Maximum', Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
  };
  // An observer going blind pages someone (and its recovery clears the page).
  const target = notificationTarget(config, region);
  if (target !== null) for (const alarm of Object.values(resources) as Array<{ Properties: Record<string, Json> }>) Object.assign(alarm.Properties, { AlarmActions: [target], OKActions: [target] });
  return resources;
}

/** What serverless.yml reads for one region (see resources/serverless-params.js). */
export interface ServerlessParams {
  service: string;
  stackName: string;
  tableName: string;
  busName: string;
  homeRegion: string;
  logRetentionDays: number;
  /** X-Ray active tracing on every function (lambdaTracingEnabled). */
  tracing: boolean;
  /** Overrides of osls-generated resources (resources.extensions): the alarm function's dead-letter queue. */
  extensions: Resources;
  functions: Record<ArbiterFunctionName, { memoryMb: number; timeoutSeconds: number; reservedConcurrency: number | null; iam: Json[] }>;
  /** serverless.yml `functions` entries added by data-plane mode (the gate), or none. */
  dataPlaneFunctions: Record<string, Json>;
  drillSchedules: Json[];
  resources: Resources;
  outputs: Record<string, Json>;
}

/**
 * Everything serverless.yml needs for one observer region.
 * @example serverlessParams(config, 'prod', 'eu-west-1').resources.ForwardUsEast1Rule
 */
export function serverlessParams(config: ValidConfig, stage: string, region: string, tracing = lambdaTracingEnabled): ServerlessParams {
  const plan = planDeployment(config, stage);
  const stack = plan.stacks.find((s) => s.region === region);
  if (stack === undefined) throw new Error(`region ${region} is not one of the configured observers (${config.observers.join(', ')})`);
  const functions = Object.fromEntries(arbiterFunctionNames.map((fn) => [fn, { memoryMb: functionSizing[fn].memoryMb, timeoutSeconds: functionSizing[fn].timeoutSeconds, reservedConcurrency: functionSizing[fn].reservedConcurrency ?? null, iam: iamStatements(config, plan, stack, fn, tracing) }])) as ServerlessParams['functions'];
  return {
    service: plan.service,
    stackName: stack.stackName,
    tableName: plan.tableName,
    busName: stack.busName,
    homeRegion: plan.homeRegion,
    logRetentionDays,
    tracing,
    // EventBridge invokes alarm asynchronously: after Lambda's two retries a failed state change lands here, not nowhere.
    extensions: {
      [fnLogicalId('alarm')]: { Properties: { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'Arn'] } } } },
      HttpApiStage: { Properties: { DefaultRouteSettings: { DetailedMetricsEnabled: false, ThrottlingRateLimit: apiThrottleRatePerSecond, ThrottlingBurstLimit: apiThrottleBurst } } },
    },
    functions,
    dataPlaneFunctions: dataPlaneFunctions(config, tableArn(plan, stack), tracingStatements(tracing)),
    // Every region carries every schedule; the event's time names the tick, so one region runs it (drill-runtime.ts).
    drillSchedules: config.drills.map((d) => ({ schedule: { rate: [d.schedule], inputTransformer: { inputPathsMap: { time: '$.time' }, inputTemplate: `{"drill":${JSON.stringify(d.name)},"time":<time>}` } } })),
    // Data-plane mode (docs/dataplane.md): the gate's URL and permissions; nothing without health-check targets.
    resources: { ...(stack.home ? globalTable(config, plan) : {}), ...busResources(config, stack), ...notificationResources(config), ...selfAlarms(config, region), ...dataPlaneRegionResources(config) },
    outputs: {
      ArbiterBusArn: { Value: { 'Fn::GetAtt': ['ArbiterBus', 'Arn'] } }, ArbiterHome: { Value: String(stack.home) }, ...dataPlaneStackOutputs(config),
      ...(config.notifications?.topic === 'create' ? { ArbiterNotificationsTopicArn: { Value: { Ref: notificationsTopicId }, Description: 'Subscribe here to be paged by this observer\'s own alarms' } } : {}),
    },
  };
}
