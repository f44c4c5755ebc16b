/**
 * CloudFormation stacks as `arbiter deploy|remove` needs them, beyond what osls deploys: reading a
 * region stack's outputs, and creating, updating or deleting the deployment-wide health-check stack
 * (data-plane mode). Deploy-time only: nothing here runs in a Lambda.
 *
 *   deploy(name, template) ─▶ no stack ──────────────────────▶ CreateStack ─┐
 *                            ROLLBACK_COMPLETE (dead create) ─▶ delete, then ┘
 *                            *_COMPLETE ─▶ same template and tags? unchanged : UpdateStack
 *                                           (CloudFormation's "No updates" also reads as unchanged)
 *                            *_IN_PROGRESS ─▶ StackError (another deploy is running)
 *   then poll DescribeStacks every pollMs (at most waitMsMax) until the status settles;
 *   a failure carries the first failed resources' reasons from DescribeStackEvents.
 *
 * SDK errors become StackError, naming the stack and what CloudFormation said.
 */
import {
  CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand, UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { ArbiterError } from '../../ports';
import { sdkClientConfig, sdkErrorName, type SdkOptions } from './sdk-options';

/** How often a deploy or delete is polled, and how long it may take in all. */
export const stackPollMs = 5_000;
export const stackWaitMsMax = 30 * 60_000;
/** Failed resource events quoted in a StackError. */
export const failureReasonsMax = 5;

/** A stack could not be read, deployed or deleted; `status` is its last known status, if any. */
export class StackError extends ArbiterError {
  constructor(message: string, readonly stackName: string, readonly status: string | null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface StackDeployInput {
  stackName: string;
  templateBody: string;
  tags: Record<string, string>;
}

export type StackDeployAction = 'created' | 'updated' | 'unchanged';

/** What deploy and remove need from CloudFormation; tests give an in-memory one. */
export interface StackOperations {
  /** Outputs of a stack in a settled, successful state; StackError when missing or failed. */
  outputs(stackName: string): Promise<Record<string, string>>;
  deploy(input: StackDeployInput): Promise<{ action: StackDeployAction; outputs: Record<string, string> }>;
  remove(stackName: string): Promise<'deleted' | 'absent'>;
}

export interface CloudFormationStacksOptions {
  client: CloudFormationClient;
  pollMs?: number;
  waitMsMax?: number;
  sleep?: (ms: number) => Promise<void>;
}

const settledOk = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const inProgress = (status: string) => status.endsWith('_IN_PROGRESS');

export function createCloudFormationClient(sdk: SdkOptions): CloudFormationClient {
  return new CloudFormationClient(sdkClientConfig(sdk));
}

export class CloudFormationStacks implements StackOperations {
  private readonly pollMs: number;
  private readonly waitMsMax: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: CloudFormationStacksOptions) {
    this.pollMs = options.pollMs ?? stackPollMs;
    this.waitMsMax = options.waitMsMax ?? stackWaitMsMax;
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  async outputs(stackName: string): Promise<Record<string, string>> {
    const stack = await this.describe(stackName);
    if (stack === null) throw new StackError(`stack ${stackName} does not exist`, stackName, null);
    const status = String(stack.StackStatus);
    if (!settledOk.has(status)) throw new StackError(`stack ${stackName} is ${status}, not deployed`, stackName, status);
    return outputsOf(stack);
  }

  /**
   * @example await stacks.deploy({ stackName: 'arbiter-shop-prod-health-checks', templateBody, tags: { 'arbiter:stage': 'prod' } }) // { action: 'created', outputs }
   */
  async deploy(input: StackDeployInput): Promise<{ action: StackDeployAction; outputs: Record<string, string> }> {
    const { stackName } = input;
    let existing = await this.describe(stackName);
    if (existing !== null && inProgress(String(existing.StackStatus))) {
      throw new StackError(`stack ${stackName} is ${String(existing.StackStatus)}: another deploy or delete is running; try again when it ends`, stackName, String(existing.StackStatus));
    }
    // A stack whose creation rolled back can only be deleted (CloudFormation refuses to update it).
    if (existing !== null && existing.StackStatus === 'ROLLBACK_COMPLETE') {
      await this.remove(stackName);
      existing = null;
    }
    const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
    if (existing !== null && sameTags(existing, input.tags) && (await this.deployedTemplate(stackName)) === canonicalJson(input.templateBody)) {
      return { action: 'unchanged', outputs: outputsOf(existing) };
    }
    let action: StackDeployAction;
    try {
      if (existing === null) {
        await this.options.client.send(new CreateStackCommand({ StackName: stackName, TemplateBody: input.templateBody, Tags: tags, OnFailure: 'ROLLBACK' }));
        action = 'created';
      } else {
        await this.options.client.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: input.templateBody, Tags: tags }));
        action = 'updated';
      }
    } catch (error) {
      if (existing !== null && /No updates are to be performed/i.test(messageOf(error))) return { action: 'unchanged', outputs: outputsOf(existing) };
      throw new StackError(`${existing === null ? 'creating' : 'updating'} stack ${stackName} was refused: ${sdkErrorName(error)}: ${messageOf(error)}`, stackName, existing === null ? null : String(existing.StackStatus), { cause: error });
    }
    const settled = await this.waitSettled(stackName);
    const status = settled === null ? 'DELETED' : String(settled.StackStatus);
    if (settled === null || !settledOk.has(status)) {
      const reasons = await this.failureReasons(stackName);
      throw new StackError(`stack ${stackName} ended ${status}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`, stackName, status);
    }
    return { action, outputs: outputsOf(settled) };
  }

  async remove(stackName: string): Promise<'deleted' | 'absent'> {
    const existing = await this.describe(stackName);
    if (existing === null) return 'absent';
    try {
      await this.options.client.send(new DeleteStackCommand({ StackName: stackName }));
    } catch (error) {
      throw new StackError(`deleting stack ${stackName} was refused: ${sdkErrorName(error)}: ${messageOf(error)}`, stackName, String(existing.StackStatus), { cause: error });
    }
    const settled = await this.waitSettled(stackName);
    if (settled !== null && settled.StackStatus !== 'DELETE_COMPLETE') {
      const reasons = await this.failureReasons(stackName);
      throw new StackError(`stack ${stackName} ended ${String(settled.StackStatus)}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`, stackName, String(settled.StackStatus));
    }
    return 'deleted';
  }

  /** The stack, or null when CloudFormation says it does not exist. */
  private async describe(stackName: string): Promise<Stack | null> {
    try {
      const answer = await this.options.client.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = answer.Stacks?.[0];
      return stack === undefined || stack.StackStatus === 'DELETE_COMPLETE' ? null : stack;
    } catch (error) {
      if (/does not exist/i.test(messageOf(error))) return null;
      throw new StackError(`reading stack ${stackName} failed: ${sdkErrorName(error)}: ${messageOf(error)}`, stackName, null, { cause: error });
    }
  }

  /** The template the stack was last deployed with, canonical (null when it cannot be read or is not JSON). */
  private async deployedTemplate(stackName: string): Promise<string | null> {
    try {
      const answer = await this.options.client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
      return answer.TemplateBody === undefined ? null : canonicalJson(answer.TemplateBody);
    } catch {
      return null;
    }
  }

  /** Polls until the status is no longer *_IN_PROGRESS; null when the stack is gone. */
  private async waitSettled(stackName: string): Promise<Stack | null> {
    for (let waitedMs = 0; ; waitedMs += this.pollMs) {
      const stack = await this.describe(stackName);
      if (stack === null || !inProgress(String(stack.StackStatus))) return stack;
      if (waitedMs >= this.waitMsMax) throw new StackError(`stack ${stackName} still ${String(stack.StackStatus)} after ${this.waitMsMax / 1000} s; see the CloudFormation console`, stackName, String(stack.StackStatus));
      await this.sleep(this.pollMs);
    }
  }

  /** The first failed resources' reasons, newest first (best effort: a read failure gives none). */
  private async failureReasons(stackName: string): Promise<string[]> {
    try {
      const answer = await this.options.client.send(new DescribeStackEventsCommand({ StackName: stackName }));
      return (answer.StackEvents ?? [])
        .filter((e) => String(e.ResourceStatus).endsWith('_FAILED') && e.ResourceStatusReason !== undefined)
        .slice(0, failureReasonsMax)
        .map((e) => `${String(e.LogicalResourceId)}: ${String(e.ResourceStatusReason)}`);
    } catch {
      return [];
    }
  }
}

function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey !== undefined && o.OutputValue !== undefined).map((o) => [o.OutputKey!, o.OutputValue!]));
}

function sameTags(stack: Stack, tags: Record<string, string>): boolean {
  const deployed = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key, t.Value]));
  return Object.keys(deployed).length === Object.keys(tags).length && Object.entries(tags).every(([k, v]) => deployed[k] === v);
}

/** JSON text with its formatting removed, so equal templates compare equal; not JSON → the text itself. */
function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
