/**
 * The config-driven part of one region's stack, as CloudFormation: the Global Table (home stack
 * only), the Arbiter bus and its rules, forwarding to every peer region's bus with a dead-letter
 * queue, the alarm-state rule, alarms on Arbiter itself, and each function's IAM statements.
 * serverless.yml pulls these in through resources/serverless-params.js; nothing here calls AWS.
 */
import { detailTypes, eventSource, type ValidConfig } from '../shared/domain';
import { arbiterFunctionNames, functionSizing, lambdaTracingEnabled, logRetentionDays, type ArbiterFunctionName } from '../shared/domain/cost/function-sizing';
import { logicalId, planDeployment, type DeploymentPlan, type RegionStackPlan } from './stack-plan';
import { dataPlaneDecideStatements, dataPlaneFunctions, dataPlaneRegionResources, dataPlaneStackOutputs, gateFunctionLogicalId, usesGate } from './dataplane-resources';

type Json = unknown;
type Resources = Record<string, Json>;

/** An Arbiter event older than this is stale (the next reconcile carries newer state): EventBridge stops retrying it. */
export const forwardEventAgeSecondsMax = 300;
export const forwardRetryAttemptsMax = 20;
/** Failed deliveries stay this long in the dead-letter queue (SQS's maximum, 14 days). */
export const dlqRetentionSeconds = 1_209_600;
/** The probe loop reports ProbeRounds once per invocation (each minute); this many empty minutes in a row alarm. */
export const heartbeatStaleMinutes = 3;
/** Must match drillStartDetailType in shared/runtime/operator/drill-runtime.ts (kept literal: resources/ does not load the runtime). */
export const drillStartDetailType = 'Arbiter Drill Start';
/** Metric the probe loop emits through Powertools Metrics (shared/runtime/probe-loop.ts; functions/lib/powertools.ts). */
export const heartbeatMetric = { namespace: 'Arbiter', name: 'ProbeRounds', dimensions: [{ Name: 'service', Value: 'arbiter' }] } as const;

const sub = (text: string) => ({ 'Fn::Sub': text });
const fnLogicalId = (fn: ArbiterFunctionName) => `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;
const busArn = (region: string, busName: string) => sub(`arn:\${AWS::Partition}:events:${region}:\${AWS::AccountId}:event-bus/${busName}`);

/** Which DynamoDB actions each function needs (GetItem/PutItem/Query from the Store; TransactWriteItems is authorised per item action; UpdateItem/DeleteItem: Powertools idempotency). */
const tableActions: Record<ArbiterFunctionName, string[]> = {
  probe: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  probeNow: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  decide: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  alarm: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  drill: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  api: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
};
/** Functions that read or change Route 53 records (decide applies; drill evacuates; api reads status and runs drills). */
const route53Users: readonly ArbiterFunctionName[] = ['decide', 'drill', 'api'];

/**
 * Actions AWS authorises only on `Resource: "*"` (no resource-level permission exists):
 * X-Ray trace upload (the Tracer), and CloudWatch PutMetricData (data-plane metric votes; pinned to
 * the vote namespace by a condition in dataplane-resources.ts). This list is what the infra tests
 * accept as an explained `*`.
 */
const xrayWriteActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;
export const actionsWithoutResourceLevelPermission: readonly string[] = [...xrayWriteActions, 'cloudwatch:PutMetricData'];

/** This region's replica of the table. */
const tableArn = (plan: DeploymentPlan, stack: RegionStackPlan) => sub(`arn:\${AWS::Partition}:dynamodb:${stack.region}:\${AWS::AccountId}:table/${plan.tableName}`);

/**
 * The IAM statements of one function (serverless-iam-roles-per-function adds the log-group ones).
 * @example iamStatements(plan, plan.stacks[0], 'decide') // DynamoDB on the table, PutEvents on the bus, Route 53 on the zones
 */
export function iamStatements(plan: DeploymentPlan, stack: RegionStackPlan, fn: ArbiterFunctionName): Json[] {
  const statements: Json[] = [
    { Effect: 'Allow', Action: tableActions[fn], Resource: [tableArn(plan, stack)] },
    { Effect: 'Allow', Action: ['events:PutEvents'], Resource: [busArn(stack.region, stack.busName)] },
  ];
  // No resource-level permission exists for X-Ray writes: AWS documents Resource "*". Only when tracing is on.
  if (lambdaTracingEnabled) statements.push({ Effect: 'Allow', Action: [...xrayWriteActions], Resource: '*' });
  if (route53Users.includes(fn) && plan.hostedZoneIds.length > 0) {
    statements.push(
      { Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'], Resource: plan.hostedZoneIds.map((id) => sub(`arn:\${AWS::Partition}:route53:::hostedzone/${id}`)) },
      { Effect: 'Allow', Action: ['route53:GetChange'], Resource: [sub('arn:${AWS::Partition}:route53:::change/*')] },
    );
  }
  return statements;
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

function busResources(config: ValidConfig, stack: RegionStackPlan): Resources {
  const onBus = { EventBusName: { Ref: 'ArbiterBus' } };
  const decideTypes = (['verdicts', 'proposal', 'applied', 'override', 'override-end', 'signal'] as const).map((t) => detailTypes[t]);
  const resources: Resources = {
    ArbiterBus: { Type: 'AWS::Events::EventBus', Properties: { Name: stack.busName } },
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

function selfAlarms(config: ValidConfig): Resources {
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
  resources.ProbeHeartbeatAlarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmDescription: `No probe round reported for ${heartbeatStaleMinutes} minutes: this observer is blind`, Namespace: heartbeatMetric.namespace, MetricName: heartbeatMetric.name, Dimensions: [...heartbeatMetric.dimensions], Statistic: 'Sum', Period: 60, EvaluationPeriods: heartbeatStaleMinutes, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' },
  };
  resources.DeliveryDlqDepthAlarm = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { AlarmDescription: 'Arbiter events failed delivery (peer bus or function) and sit in the dead-letter queue', Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ArbiterDeliveryDlq', 'QueueName'] } }], Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' },
  };
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
export function serverlessParams(config: ValidConfig, stage: string, region: string): ServerlessParams {
  const plan = planDeployment(config, stage);
  const stack = plan.stacks.find((s) => s.region === region);
  if (stack === undefined) throw new Error(`region ${region} is not one of the configured observers (${config.observers.join(', ')})`);
  const functions = Object.fromEntries(arbiterFunctionNames.map((fn) => [fn, { memoryMb: functionSizing[fn].memoryMb, timeoutSeconds: functionSizing[fn].timeoutSeconds, reservedConcurrency: functionSizing[fn].reservedConcurrency ?? null, iam: [...iamStatements(plan, stack, fn), ...(fn === 'decide' ? dataPlaneDecideStatements(config) : [])] }])) as ServerlessParams['functions'];
  return {
    service: plan.service,
    stackName: stack.stackName,
    tableName: plan.tableName,
    busName: stack.busName,
    homeRegion: plan.homeRegion,
    logRetentionDays,
    tracing: lambdaTracingEnabled,
    functions,
    dataPlaneFunctions: dataPlaneFunctions(config, tableArn(plan, stack)),
    // Every region carries every schedule; the event's time names the tick, so one region runs it (drill-runtime.ts).
    drillSchedules: config.drills.map((d) => ({ schedule: { rate: [d.schedule], inputTransformer: { inputPathsMap: { time: '$.time' }, inputTemplate: `{"drill":${JSON.stringify(d.name)},"time":<time>}` } } })),
    // Data-plane mode (docs/dataplane.md): this observer's vote alarms; nothing without health-check targets.
    resources: { ...(stack.home ? globalTable(config, plan) : {}), ...busResources(config, stack), ...selfAlarms(config), ...dataPlaneRegionResources(config, region) },
    outputs: { ArbiterBusArn: { Value: { 'Fn::GetAtt': ['ArbiterBus', 'Arn'] } }, ArbiterHome: { Value: String(stack.home) }, ...dataPlaneStackOutputs(config) },
  };
}
