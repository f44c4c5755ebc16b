/**
 * Observer regions on one moto server, as the stack would create them: a table and a bus per
 * region, an SQS queue that sees every event on each bus, and one container per region built the
 * way Lambda builds it (readEnv → buildContainer), with a recording telemetry.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Context } from 'aws-lambda';
import { buildContainer, type ContainerOptions, type ObserverContainer } from '../../../functions/lib/container';
import { readEnv } from '../../../functions/lib/env';
import type { ArbiterConfigInput } from '../../../shared/domain';
import type { Telemetry } from '../../../shared/ports';
import { createArbiterTable, type Moto } from '../../support/moto';
import { addRule, createBus, TestQueue } from './aws-fixtures';

export const tableName = 'arbiter-it';
export const busName = 'arbiter-it-bus';

export class RecordingTelemetry implements Telemetry {
  readonly lines: Array<{ level: 'info' | 'warn' | 'error'; message: string; context?: Record<string, unknown> }> = [];
  readonly metrics: Array<{ name: string; value: number }> = [];
  info(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'info', message, ...(context ? { context } : {}) }); }
  warn(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'warn', message, ...(context ? { context } : {}) }); }
  error(message: string, context?: Record<string, unknown>) { this.lines.push({ level: 'error', message, ...(context ? { context } : {}) }); }
  metric(name: string, value: number) { this.metrics.push({ name, value }); }
}

export interface RegionWorld {
  region: string;
  queue: TestQueue;
  telemetry: RecordingTelemetry;
  container: ObserverContainer;
}

/** Writes the config as YAML (as shipped in the bundle) and returns its path. */
export function writeConfig(config: ArbiterConfigInput): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-it-'));
  const path = join(dir, 'arbiter.config.yml');
  writeFileSync(path, stringify(config));
  return path;
}

/** Creates the region's table, bus and observing queue, and its container. */
export async function createRegion(moto: Moto, region: string, configPath: string, options: ContainerOptions = {}): Promise<RegionWorld> {
  await createArbiterTable(moto, region, tableName);
  await createBus(moto, region, busName);
  const queue = await TestQueue.create(moto, region, `observe-${region}`);
  await addRule(moto, region, busName, 'observe-all', { source: ['arbiter'] }, queue.arn);
  const telemetry = new RecordingTelemetry();
  const env = readEnv({ ARBITER_CONFIG_PATH: configPath, ARBITER_TABLE: tableName, ARBITER_BUS: busName, ARBITER_STAGE: 'it', AWS_REGION: region, ARBITER_ENDPOINT_URL: moto.url });
  const container = buildContainer(env, { telemetry, credentials: moto.clientOptions(region).credentials, ...options });
  return { region, queue, telemetry, container };
}

/** A Lambda context with a fixed time budget. */
export function lambdaContext(remainingMs: number, functionName = 'arbiter-it'): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.floor(Math.random() * 1e9)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'it',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const scheduledEvent = { id: 'sched-1', version: '0', account: '123456789012', region: 'us-east-1', time: '2026-11-23T00:00:00Z', source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [], detail: {} };

/** An EventBridge envelope as a rule delivers a PutEvents entry to a target. */
export function envelope(entry: { Source?: string; DetailType?: string; Detail?: string }, region: string): Record<string, unknown> {
  return { version: '0', id: `ev-${Math.floor(Math.random() * 1e9)}`, 'detail-type': entry.DetailType, source: entry.Source, account: '123456789012', time: new Date().toISOString(), region, resources: [], detail: JSON.parse(entry.Detail ?? 'null') };
}
