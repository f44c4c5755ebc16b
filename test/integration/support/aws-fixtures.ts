/** Helpers the integration tests share: buses with SQS observers, queues drained within a bound. */
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Moto } from '../../support/moto';

export const account = '123456789012';
/** How long a test waits for messages to reach a queue, and how often it looks. */
export const queueWaitMsMax = 10_000;
export const queuePollMs = 100;

export async function createBus(moto: Moto, region: string, name: string): Promise<string> {
  const client = new EventBridgeClient(moto.clientOptions(region));
  try {
    const out = await client.send(new CreateEventBusCommand({ Name: name }));
    return out.EventBusArn!;
  } finally {
    client.destroy();
  }
}

/** A rule on `busName` sending matching events to `targetArn` (an SQS queue or another bus). */
export async function addRule(moto: Moto, region: string, busName: string, ruleName: string, pattern: unknown, targetArn: string): Promise<void> {
  const client = new EventBridgeClient(moto.clientOptions(region));
  try {
    await client.send(new PutRuleCommand({ Name: ruleName, EventBusName: busName, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
    const roleArn = targetArn.includes(':event-bus/') ? { RoleArn: `arn:aws:iam::${account}:role/arbiter-forward` } : {};
    await client.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: busName, Targets: [{ Id: 't1', Arn: targetArn, ...roleArn }] }));
  } finally {
    client.destroy();
  }
}

export class TestQueue {
  private constructor(private readonly client: SQSClient, readonly url: string, readonly arn: string) {}

  static async create(moto: Moto, region: string, name: string): Promise<TestQueue> {
    const client = new SQSClient(moto.clientOptions(region));
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return new TestQueue(client, QueueUrl!, attrs.Attributes!.QueueArn!);
  }

  /** Receives until `count` messages arrived or `queueWaitMsMax` passed; returns the EventBridge envelopes. */
  async receive(count: number, waitMs = queueWaitMsMax): Promise<Array<{ source: string; 'detail-type': string; detail: Record<string, unknown> }>> {
    const got: Array<{ source: string; 'detail-type': string; detail: Record<string, unknown> }> = [];
    const deadline = Date.now() + waitMs;
    while (got.length < count && Date.now() < deadline) {
      const out = await this.client.send(new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of out.Messages ?? []) got.push(JSON.parse(message.Body!));
      if ((out.Messages ?? []).length === 0) await new Promise((r) => setTimeout(r, queuePollMs));
    }
    return got;
  }

  destroy(): void {
    this.client.destroy();
  }
}
