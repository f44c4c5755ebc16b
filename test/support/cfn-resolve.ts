/**
 * Resolves the CloudFormation intrinsics that appear in Arbiter's policy documents (Fn::Sub with
 * pseudo parameters, Fn::GetAtt …Arn, Ref, Fn::Join) into the values a deployed stack would hold,
 * for a fixed account and region: what moto and parliament need, since neither reads templates.
 */
export interface ResolveContext {
  account: string;
  region: string;
  /** The template's resources, to give Fn::GetAtt and Ref the ARN shape of the resource's type. */
  resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

function arnOf(id: string, ctx: ResolveContext): string {
  const resource = ctx.resources?.[id];
  const type = resource?.Type ?? (id.endsWith('IamRoleLambdaExecution') ? 'AWS::IAM::Role' : '');
  const name = (resource?.Properties?.RoleName as string | undefined) ?? id;
  switch (type) {
    case 'AWS::IAM::Role': return `arn:aws:iam::${ctx.account}:role/${name}`;
    case 'AWS::SQS::Queue': return `arn:aws:sqs:${ctx.region}:${ctx.account}:${id}`;
    case 'AWS::SNS::Topic': return `arn:aws:sns:${ctx.region}:${ctx.account}:${id}`;
    case 'AWS::Events::Rule': return `arn:aws:events:${ctx.region}:${ctx.account}:rule/${id}`;
    case 'AWS::Events::EventBus': return `arn:aws:events:${ctx.region}:${ctx.account}:event-bus/${id}`;
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${id}`;
    default: return `arn:aws:cloudformation:${ctx.region}:${ctx.account}:resource/${id}`;
  }
}

/**
 * @example resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:events:eu-west-1:${AWS::AccountId}:event-bus/b' }, { account: '123456789012', region: 'eu-west-1' })
 *   // → 'arn:aws:events:eu-west-1:123456789012:event-bus/b'
 */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Record<string, unknown>;
  if (typeof node['Fn::Sub'] === 'string') {
    return (node['Fn::Sub'] as string).replaceAll('${AWS::Partition}', 'aws').replaceAll('${AWS::AccountId}', ctx.account).replaceAll('${AWS::Region}', ctx.region);
  }
  if (Array.isArray(node['Fn::GetAtt'])) return arnOf(String((node['Fn::GetAtt'] as unknown[])[0]), ctx);
  if (typeof node.Ref === 'string') return node.Ref.startsWith('AWS::') ? ({ 'AWS::Region': ctx.region, 'AWS::AccountId': ctx.account, 'AWS::Partition': 'aws' } as Record<string, string>)[node.Ref] ?? node.Ref : arnOf(node.Ref, ctx);
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return (resolveIntrinsics(parts, ctx) as unknown[]).map(String).join(separator);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveIntrinsics(v, ctx)]));
}
