/**
 * CloudFormationStacks over a scripted client: the paths moto cannot produce (a stack that rolls
 * back with reasons, one still in progress, one that never settles, a dead create to replace).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFormationStacks, StackError } from './cloudformation-stacks';

type Script = Record<string, Array<unknown | Error>>;

/** A client whose answers come, per command name, from the script in order (the last one repeats). */
function scripted(script: Script): { client: CloudFormationClient; sent: string[] } {
  const sent: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push(name);
      const answers = script[name];
      if (answers === undefined || answers.length === 0) throw new Error(`unscripted ${name}`);
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as CloudFormationClient;
  return { client, sent };
}

const stack = (status: string, outputs: Record<string, string> = {}) => ({ Stacks: [{ StackName: 's', StackStatus: status, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })), Tags: [] }] });
const missing = Object.assign(new Error('Stack with id s does not exist'), { name: 'ValidationError' });
const noWait = { pollMs: 1, sleep: async () => undefined };
const input = { stackName: 's', templateBody: '{"Resources":{}}', tags: {} };

describe('CloudFormationStacks', () => {
  it('creates a missing stack, polls until it settles and returns its outputs', async () => {
    const { client, sent } = scripted({ DescribeStacks: [missing, stack('CREATE_IN_PROGRESS'), stack('CREATE_IN_PROGRESS'), stack('CREATE_COMPLETE', { A: 'hc-1' })], CreateStack: [{}] });
    expect(await new CloudFormationStacks({ client, ...noWait }).deploy(input)).toEqual({ action: 'created', outputs: { A: 'hc-1' } });
    expect(sent).toEqual(['DescribeStacks', 'CreateStack', 'DescribeStacks', 'DescribeStacks', 'DescribeStacks']);
  });

  it('reports a rolled-back update with the failed resources and their reasons', async () => {
    const events = { StackEvents: [{ LogicalResourceId: 'CalculatedEuWest1HealthCheck', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Invalid child health check' }, { LogicalResourceId: 's', ResourceStatus: 'UPDATE_IN_PROGRESS' }] };
    const { client } = scripted({ DescribeStacks: [stack('UPDATE_COMPLETE'), stack('UPDATE_ROLLBACK_COMPLETE')], GetTemplate: [{ TemplateBody: '{"Resources":{"Old":{}}}' }], UpdateStack: [{}], DescribeStackEvents: [events] });
    const failure = new CloudFormationStacks({ client, ...noWait }).deploy(input);
    await expect(failure).rejects.toThrow('stack s ended UPDATE_ROLLBACK_COMPLETE: CalculatedEuWest1HealthCheck: Invalid child health check');
    await expect(failure).rejects.toBeInstanceOf(StackError);
  });

  it('does not touch a stack whose deployed template and tags are the same (formatting aside)', async () => {
    const { client, sent } = scripted({ DescribeStacks: [stack('UPDATE_COMPLETE', { A: 'hc-1' })], GetTemplate: [{ TemplateBody: '{\n  "Resources": {}\n}' }] });
    expect(await new CloudFormationStacks({ client, ...noWait }).deploy(input)).toEqual({ action: 'unchanged', outputs: { A: 'hc-1' } });
    expect(sent).toEqual(['DescribeStacks', 'GetTemplate']);
  });

  it('refuses to deploy over a stack that is still changing, and gives up on one that never settles', async () => {
    const busy = scripted({ DescribeStacks: [stack('UPDATE_IN_PROGRESS')] });
    await expect(new CloudFormationStacks({ client: busy.client, ...noWait }).deploy(input)).rejects.toThrow('stack s is UPDATE_IN_PROGRESS: another deploy or delete is running');
    expect(busy.sent).toEqual(['DescribeStacks']);
    const stuck = scripted({ DescribeStacks: [missing, stack('CREATE_IN_PROGRESS')], CreateStack: [{}] });
    await expect(new CloudFormationStacks({ client: stuck.client, pollMs: 10, waitMsMax: 30, sleep: async () => undefined }).deploy(input)).rejects.toThrow('stack s still CREATE_IN_PROGRESS after 0.03 s');
  });

  it('deletes a stack whose creation rolled back before creating it again', async () => {
    const { client, sent } = scripted({ DescribeStacks: [stack('ROLLBACK_COMPLETE'), stack('ROLLBACK_COMPLETE'), stack('DELETE_IN_PROGRESS'), missing, stack('CREATE_COMPLETE')], DeleteStack: [{}], CreateStack: [{}] });
    expect((await new CloudFormationStacks({ client, ...noWait }).deploy(input)).action).toBe('created');
    expect(sent).toEqual(['DescribeStacks', 'DescribeStacks', 'DeleteStack', 'DescribeStacks', 'DescribeStacks', 'CreateStack', 'DescribeStacks']);
  });

  it('reads outputs only from a deployed stack', async () => {
    const { client } = scripted({ DescribeStacks: [stack('ROLLBACK_COMPLETE')] });
    await expect(new CloudFormationStacks({ client, ...noWait }).outputs('s')).rejects.toThrow('stack s is ROLLBACK_COMPLETE, not deployed');
  });
});
