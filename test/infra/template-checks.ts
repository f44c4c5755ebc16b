/**
 * Checks over a packaged CloudFormation template. Each returns the problems it finds (empty: fine),
 * so a test can run it on the real template (expect none) and on a deliberately loosened copy
 * (expect the loosening to be reported).
 */
import { actionsWithoutResourceLevelPermission } from '../../resources/stack-resources';

export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}
interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const resourcesOf = (template: Template, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** Every IAM statement in roles and resource policies, with where it came from. */
export function iamStatements(template: Template): Array<{ where: string; statement: Statement }> {
  const found: Array<{ where: string; statement: Statement }> = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role') for (const policy of asArray(p.Policies as Array<{ PolicyDocument: unknown }>)) documents.push(policy.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::SQS::QueuePolicy') documents.push(p.PolicyDocument);
    for (const doc of documents) for (const statement of asArray((doc as { Statement: Statement | Statement[] }).Statement)) found.push({ where: id, statement });
  }
  return found;
}

/** Wildcard actions (`*`, `service:*`, `service:Get*`) and `Resource: "*"` for actions that have resource-level permissions. */
export function findIamProblems(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, statement } of iamStatements(template)) {
    const actions = asArray(statement.Action);
    for (const action of actions) if (action.includes('*')) problems.push(`${where}: wildcard action ${action}`);
    if (asArray(statement.Resource).includes('*')) {
      const unexplained = actions.filter((a) => !actionsWithoutResourceLevelPermission.includes(a));
      if (unexplained.length > 0) problems.push(`${where}: Resource "*" for ${unexplained.join(', ')}`);
    }
  }
  return problems;
}

/** Route 53 actions only on the configured hosted zones (GetChange only on change/*). */
export function findRoute53Problems(template: Template, zoneIds: readonly string[]): string[] {
  const problems: string[] = [];
  const zoneArns = new Set(zoneIds.map((id) => `arn:\${AWS::Partition}:route53:::hostedzone/${id}`));
  for (const { where, statement } of iamStatements(template)) {
    const actions = asArray(statement.Action).filter((a) => a.startsWith('route53:'));
    if (actions.length === 0) continue;
    const arns = asArray(statement.Resource).map((r) => (typeof r === 'string' ? r : ((r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? JSON.stringify(r))));
    const onlyGetChange = actions.every((a) => a === 'route53:GetChange');
    for (const arn of arns) {
      const allowed = onlyGetChange ? arn === 'arn:${AWS::Partition}:route53:::change/*' : zoneArns.has(arn);
      if (!allowed) problems.push(`${where}: ${actions.join(', ')} on ${arn}`);
    }
  }
  return problems;
}

/** Every API Gateway v2 route requires AWS_IAM. */
export function findRouteAuthProblems(template: Template): string[] {
  return resourcesOf(template, 'AWS::ApiGatewayV2::Route')
    .filter(([, r]) => r.Properties?.AuthorizationType !== 'AWS_IAM')
    .map(([id, r]) => `${id} (${String(r.Properties?.RouteKey)}): AuthorizationType ${String(r.Properties?.AuthorizationType ?? 'NONE')}`);
}

export function routeKeys(template: Template): string[] {
  return resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties?.RouteKey)).sort();
}

/** Every function sets memory and timeout, and its log group has a retention. */
export function findFunctionSizingProblems(template: Template): string[] {
  const problems: string[] = [];
  const retained = new Set(resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, r]) => typeof r.Properties?.RetentionInDays === 'number').map(([, r]) => String(r.Properties?.LogGroupName)));
  for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    if (typeof p.MemorySize !== 'number') problems.push(`${id}: no MemorySize`);
    if (typeof p.Timeout !== 'number') problems.push(`${id}: no Timeout`);
    if (!retained.has(`/aws/lambda/${String(p.FunctionName)}`)) problems.push(`${id}: no log group with RetentionInDays`);
  }
  return problems;
}

/** Regions whose Arbiter bus receives this region's own events (rules on the Arbiter bus, filtered by observer). */
export function forwardedRegions(template: Template, region: string): string[] {
  const regions: string[] = [];
  for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const p = rule.Properties ?? {};
    const pattern = p.EventPattern as { detail?: { observer?: string[] } } | undefined;
    if (JSON.stringify(pattern?.detail?.observer) !== JSON.stringify([region])) continue;
    for (const target of asArray(p.Targets as Array<{ Arn: unknown; RoleArn?: unknown }>)) {
      const match = /:events:([a-z0-9-]+):\$\{AWS::AccountId\}:event-bus\//.exec(JSON.stringify(target.Arn));
      if (match && target.RoleArn !== undefined) regions.push(match[1]!);
    }
  }
  return regions.sort();
}

/** The alarm names the CloudWatch Alarm State Change rule listens for (null: no such rule). */
export function alarmRuleNames(template: Template): string[] | null {
  for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const pattern = rule.Properties?.EventPattern as { 'detail-type'?: string[]; detail?: { alarmName?: string[] } } | undefined;
    if (pattern?.['detail-type']?.includes('CloudWatch Alarm State Change')) return [...(pattern.detail?.alarmName ?? [])].sort();
  }
  return null;
}

/** The only actions the gate's role may have beyond its own logs: reading this region's table. */
const gateActions = new Set(['dynamodb:GetItem', 'dynamodb:Query']);

/**
 * The data-plane vote mechanism's permissions: the gate role only reads the table; no function may
 * PutMetricData (votes travel only through the gates; Powertools emits metrics as logs); public
 * Lambda permissions only on the gate and only through its URL (InvokeFunctionUrl with AuthType
 * NONE, InvokeFunction via the URL).
 */
export function findDataPlanePermissionProblems(template: Template, gateFunctionId: string): string[] {
  const problems: string[] = [];
  for (const { where, statement } of iamStatements(template)) {
    const actions = asArray(statement.Action);
    if (where === 'GateIamRoleLambdaExecution') {
      const extra = actions.filter((a) => !a.startsWith('logs:') && !gateActions.has(a));
      if (extra.length > 0) problems.push(`${where}: ${extra.join(', ')}`);
    }
    // No function writes metrics through the API (Powertools emits them as logs): votes go only through the gate.
    if (actions.includes('cloudwatch:PutMetricData')) problems.push(`${where}: cloudwatch:PutMetricData`);
  }
  for (const [id, permission] of resourcesOf(template, 'AWS::Lambda::Permission')) {
    const p = permission.Properties ?? {};
    if (p.Principal !== '*') continue;
    const onGate = JSON.stringify(p.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [gateFunctionId, 'Arn'] });
    const throughUrl = (p.Action === 'lambda:InvokeFunctionUrl' && p.FunctionUrlAuthType === 'NONE') || (p.Action === 'lambda:InvokeFunction' && p.InvokedViaFunctionUrl === true);
    if (!onGate || !throughUrl) problems.push(`${id}: public ${String(p.Action)} on ${JSON.stringify(p.FunctionName)}`);
  }
  return problems;
}

type Conditioned = Statement & { Condition?: Record<string, Record<string, unknown>> };
const conditionValues = (statement: Conditioned, operator: string, key: string): string[] | null => {
  const value = statement.Condition?.[operator]?.[key];
  return value === undefined ? null : asArray(value as string | string[]);
};

/** Every ChangeResourceRecordSets grant: which role, which zone, and the record names, types and actions it is limited to (null: not limited). */
export function recordWriteGrants(template: Template): Array<{ role: string; zone: string; names: string[] | null; types: string[] | null; actions: string[] | null }> {
  const grants: Array<{ role: string; zone: string; names: string[] | null; types: string[] | null; actions: string[] | null }> = [];
  for (const { where, statement } of iamStatements(template)) {
    if (!asArray(statement.Action).includes('route53:ChangeResourceRecordSets')) continue;
    const s = statement as Conditioned;
    const op = 'ForAllValues:StringEquals';
    for (const zone of asArray(statement.Resource)) {
      grants.push({
        role: where,
        zone: JSON.stringify(zone).replace(/^.*hostedzone\/([^"]+)".*$/, '$1'),
        names: conditionValues(s, op, 'route53:ChangeResourceRecordSetsNormalizedRecordNames'),
        types: conditionValues(s, op, 'route53:ChangeResourceRecordSetsRecordTypes'),
        actions: conditionValues(s, op, 'route53:ChangeResourceRecordSetsActions'),
      });
    }
  }
  return grants;
}

const tableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];

/** Per role and DynamoDB write action: the partition keys it may write (`dynamodb:LeadingKeys`), or ['(any)'] when not limited. */
export function tableWriteGrants(template: Template): Record<string, Record<string, string[]>> {
  const grants: Record<string, Record<string, string[]>> = {};
  for (const { where, statement } of iamStatements(template)) {
    const s = statement as Conditioned;
    const writes = asArray(statement.Action).filter((a) => tableWriteActions.includes(a) || a === 'dynamodb:*');
    if (writes.length === 0 || statement.Effect !== 'Allow') continue;
    const keys = conditionValues(s, 'ForAllValues:StringLike', 'dynamodb:LeadingKeys') ?? conditionValues(s, 'ForAllValues:StringEquals', 'dynamodb:LeadingKeys') ?? ['(any)'];
    for (const action of writes) (grants[where] ??= {})[action] = [...((grants[where] ??= {})[action] ?? []), ...keys].sort();
  }
  return grants;
}

/**
 * The principals the Arbiter bus admits: the ARNs its policy's Deny exempts (every other principal
 * is refused), as text (`Fn::GetAtt` role logical ids, or role names). null: no such Deny, so any
 * principal of the account with events:PutEvents may publish.
 */
export function busPublishers(template: Template): string[] | null {
  const policy = template.Resources.ArbiterBus?.Properties?.Policy as { Statement?: Conditioned[] } | undefined;
  const deny = asArray(policy?.Statement).find((s) => s.Effect === 'Deny' && (s as { Principal?: unknown }).Principal === '*' && asArray(s.Action).includes('events:PutEvents'));
  const exempt = deny === undefined ? null : conditionValues(deny, 'ArnNotEquals', 'aws:PrincipalArn');
  if (exempt === null) return null;
  return exempt.map((arn) => {
    const text = JSON.stringify(arn);
    const getAtt = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(text);
    return getAtt !== null ? getAtt[1]! : text.replace(/^.*:role\/([^"]+)".*$/, 'role/$1');
  }).sort();
}
