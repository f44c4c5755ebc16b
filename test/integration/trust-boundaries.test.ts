/**
 * Arbiter's trust boundaries against moto, and what moto cannot show. moto stores an event bus
 * policy but enforces neither bus policies nor IAM (a foreign principal's PutEvents is delivered),
 * so the denial itself is asserted on the packaged template (test/infra/stack.test.ts). What moto
 * does show: the bus accepts the policy Arbiter deploys, and every key the real DynamoDB store
 * writes lies in the partitions the writing function's role is limited to (dynamodb:LeadingKeys).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient, PutEventsCommand, PutPermissionCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDbStore } from '../../shared/adapters/aws/dynamodb-store';
import { detailTypes, eventSource } from '../../shared/domain';
import type { ArbiterFunctionName } from '../../shared/domain/cost/function-sizing';
import type { DrillRecord } from '../../shared/ports';
import { planDeployment } from '../../resources/stack-plan';
import { busPolicy, tableWritePartitions } from '../../resources/stack-resources';
import { alarmSignal, appliedOf, overrideOf, proposalWanting, snapshotOf } from '../unit/support/core-builders';
import { resolveIntrinsics } from '../support/cfn-resolve';
import { makeConfig } from '../support/fixtures';
import { createArbiterTable, startMoto, type Moto } from '../support/moto';
import { account, addRule, createBus, TestQueue } from './support/aws-fixtures';

const region = 'eu-west-1';
const nowMs = 1_800_000_000_000;
const config = makeConfig();
const plan = planDeployment(config, 'it');
const stack = plan.stacks.find((s) => s.region === region)!;
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

describe('the Arbiter bus policy in moto', () => {
  it('is accepted and returned as deployed (moto does not enforce it: a forged override from a foreign principal is still delivered here)', async () => {
    await createBus(moto, region, stack.busName);
    const queue = await TestQueue.create(moto, region, 'forged');
    await addRule(moto, region, stack.busName, 'all', { source: [eventSource] }, queue.arn);
    const policy = resolveIntrinsics(busPolicy(stack), { account, region });
    const client = new EventBridgeClient(moto.clientOptions(region));
    const foreign = new EventBridgeClient({ ...moto.clientOptions(region), credentials: { accessKeyId: 'AKIAFOREIGNPRINCIPAL', secretAccessKey: 'foreign' } });
    try {
      await client.send(new PutPermissionCommand({ EventBusName: stack.busName, Policy: JSON.stringify(policy) }));
      const described = await client.send(new DescribeEventBusCommand({ Name: stack.busName }));
      expect(JSON.parse(described.Policy!)).toEqual(policy);
      expect(JSON.stringify(policy)).toContain(`arn:aws:iam::${account}:role/arbiter-shop-it-fwd-us-east-1`);

      const forged = { type: 'override', observer: 'us-east-1', override: overrideOf('us-east-1', 'drain', nowMs, nowMs + 600_000, { force: true, actor: 'arn:aws:iam::123456789012:user/mallory' }) };
      const out = await foreign.send(new PutEventsCommand({ Entries: [{ EventBusName: stack.busName, Source: eventSource, DetailType: detailTypes.override, Detail: JSON.stringify(forged) }] }));
      // A moto gap, stated: real EventBridge refuses this entry by the policy's Deny (aws:PrincipalArn is not an Arbiter role).
      expect(out.FailedEntryCount).toBe(0);
      expect((await queue.receive(1)).map((m) => m['detail-type'])).toEqual([detailTypes.override]);
    } finally {
      client.destroy();
      foreign.destroy();
      queue.destroy();
    }
  });
});

/** StringLike as IAM evaluates it: `*` matches any run of characters. */
const stringLike = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

describe('the DynamoDB store writes only inside the partitions IAM grants the writer', () => {
  it("puts every item a function writes under a key its role's dynamodb:LeadingKeys admit, and OBS# items only under the writer's own region", async () => {
    const table = 'arbiter-trust';
    await createArbiterTable(moto, region, table);
    const client = new DynamoDBClient(moto.clientOptions(region));
    let keys: string[] = [];
    client.middlewareStack.add((next) => async (args) => {
      const input = args.input as { Item?: { pk?: { S?: string } }; TransactItems?: Array<{ Put?: { Item?: { pk?: { S?: string } } } }> };
      if (input.Item?.pk?.S !== undefined) keys.push(input.Item.pk.S);
      for (const item of input.TransactItems ?? []) if (item.Put?.Item?.pk?.S !== undefined) keys.push(item.Put.Item.pk.S);
      return next(args);
    }, { step: 'serialize', name: 'recordPartitionKeys' });
    const store = new DynamoDbStore({ tableName: table, config, client });
    const drill: DrillRecord = { id: 'dr-1', target: 'us-east-1', mode: 'shadow', observer: region, startedBy: 'ops', startedMs: nowMs, status: 'running', holdSeconds: 300, overrideId: null, phases: [], changeIds: [], rtoMs: null, rtoSecondsMax: 120, problems: [], version: 1 };
    // Which function calls each write (shared/runtime: probe loop and probe-now flush, decide, alarm, drill runner and API).
    const writes: Array<[string, ArbiterFunctionName[], () => Promise<void>]> = [
      ['putSnapshot', ['probe', 'probeNow'], () => store.putSnapshot(snapshotOf(region, { 'us-east-1': 'healthy' }, nowMs))],
      ['putHeartbeat probe', ['probe'], () => store.putHeartbeat({ observer: region, kind: 'probe', writtenMs: nowMs })],
      ['putHeartbeat decide', ['decide'], () => store.putHeartbeat({ observer: region, kind: 'decide', writtenMs: nowMs })],
      ['putProposal', ['decide'], () => store.putProposal(proposalWanting(config, region, {}, nowMs))],
      ['putApplied', ['decide'], () => store.putApplied(appliedOf({ 'us-east-1': 'serving' }, nowMs, {}, region))],
      ['appendAudit', ['decide', 'drill', 'api'], () => store.appendAudit({ id: 'au-1', atMs: nowMs, observer: region, kind: 'decision-applied', actor: 'arbiter', summary: 's', details: {} })],
      ['appendSignal', ['alarm'], () => store.appendSignal(alarmSignal('a', 'us-east-1', 'ALARM', nowMs))],
      ['appendOverride', ['drill', 'api'], () => store.appendOverride(overrideOf('us-east-1', 'drain', nowMs, nowMs + 60_000))],
      ['appendOverrideEnd', ['drill', 'api'], () => store.appendOverrideEnd({ overrideId: 'ov-1', endedMs: nowMs, actor: 'ops', reason: 'done' })],
      ['putDrill', ['drill', 'api'], () => store.putDrill(drill)],
    ];
    const outside: string[] = [];
    try {
      for (const [name, functions, write] of writes) {
        keys = [];
        await write();
        expect({ name, wrote: keys.length > 0 }).toEqual({ name, wrote: true });
        for (const fn of functions) for (const key of keys) if (!tableWritePartitions(fn, region).some((p) => stringLike(p, key))) outside.push(`${fn} ${name}: ${key}`);
        for (const key of keys) if (key.startsWith('OBS#') && key !== `OBS#${region}`) outside.push(`${name}: ${key} is another observer's`);
      }
    } finally {
      client.destroy();
    }
    expect(outside).toEqual([]);
    // And the limits bite: a peer's own partition is outside every role of this region.
    expect((['probe', 'probeNow', 'decide', 'alarm', 'drill', 'api'] as const).filter((fn) => tableWritePartitions(fn, region).some((p) => stringLike(p, 'OBS#us-east-1')))).toEqual([]);
  });
});
