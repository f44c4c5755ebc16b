/**
 * The `Bus` port over this region's Arbiter event bus (EventBridge PutEvents).
 *
 * Events go out in batches within the service limits (10 entries, 256 KB per call). Entries a
 * call reports as failed (`FailedEntryCount` > 0) are re-sent alone, with capped full-jitter
 * backoff, at most `publishAttemptsMax` times; whatever still fails is listed in one PublishError
 * after every batch has been tried — never dropped silently. Rules on the bus forward events to
 * every peer region (see the contracts: only events whose `observer` is this region).
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { detailTypes, eventSource, type ArbiterEvent } from '../../domain';
import { ArbiterError, PublishError, type Bus } from '../../ports';
import { jitteredBackoffMs, sdkClientConfig, sdkErrorName, type SdkOptions } from './sdk-options';

/** PutEvents limits (AWS): entries per call and bytes per call. */
export const putEventsEntriesMax = 10;
export const putEventsBytesMax = 256 * 1024;
/** Sends of one batch's failed entries, the first included. */
export const publishAttemptsMax = 4;
export const publishBackoffBaseMs = 100;
export const publishBackoffCapMs = 2_000;
/** AWS counts 14 bytes for an entry's Time; we count them whether or not Time is set. */
const entryOverheadBytes = 14;

export interface EventBridgeBusOptions {
  busName: string;
  client?: EventBridgeClient;
  sdk?: SdkOptions;
  attemptsMax?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  sleepMs?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Pending {
  type: string;
  entry: PutEventsRequestEntry;
  reason: string;
}

/** Builds the EventBridge client (explicit retries and timeouts). */
export function createEventBridgeClient(sdk: SdkOptions): EventBridgeClient {
  return new EventBridgeClient(sdkClientConfig(sdk));
}

/** The size AWS charges an entry against the 256 KB limit. */
export function entrySizeBytes(entry: PutEventsRequestEntry): number {
  const text = (entry.Source ?? '') + (entry.DetailType ?? '') + (entry.Detail ?? '') + (entry.Resources ?? []).join('');
  return Buffer.byteLength(text, 'utf8') + entryOverheadBytes;
}

/** Splits entries into PutEvents calls: at most 10 entries and 256 KB each, order kept. */
export function batchEntries<T extends { entry: PutEventsRequestEntry }>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySizeBytes(item.entry);
    if (current.length === putEventsEntriesMax || (current.length > 0 && bytes + size > putEventsBytesMax)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * @example
 *   const bus = new EventBridgeBus({ busName: 'arbiter-prod', sdk: { region: 'eu-west-1' } });
 *   await bus.publish([{ type: 'verdicts', observer: 'eu-west-1', snapshot }]);
 */
export class EventBridgeBus implements Bus {
  private readonly client: EventBridgeClient;
  private readonly attemptsMax: number;

  constructor(private readonly options: EventBridgeBusOptions) {
    if (options.client === undefined && options.sdk === undefined) throw new ArbiterError('EventBridgeBus needs a client or sdk options');
    this.client = options.client ?? createEventBridgeClient(options.sdk!);
    this.attemptsMax = options.attemptsMax ?? publishAttemptsMax;
    if (!Number.isInteger(this.attemptsMax) || this.attemptsMax < 1 || this.attemptsMax > 10) throw new RangeError(`attemptsMax must be an integer in 1..10, got ${this.attemptsMax}`);
  }

  async publish(events: readonly ArbiterEvent[]): Promise<void> {
    const failed: Array<{ type: string; reason: string }> = [];
    const sendable: Pending[] = [];
    for (const event of events) {
      const entry: PutEventsRequestEntry = { Source: eventSource, DetailType: detailTypes[event.type], Detail: JSON.stringify(event), EventBusName: this.options.busName };
      const size = entrySizeBytes(entry);
      if (size > putEventsBytesMax) failed.push({ type: event.type, reason: `entry of ${size} bytes exceeds the ${putEventsBytesMax}-byte PutEvents limit` });
      else sendable.push({ type: event.type, entry, reason: '' });
    }
    for (const batch of batchEntries(sendable)) failed.push(...(await this.sendBatch(batch)));
    if (failed.length > 0) {
      throw new PublishError(`${failed.length} of ${events.length} events not published on ${this.options.busName}: ${failed.map((f) => `${f.type} (${f.reason})`).join('; ')}`, failed);
    }
  }

  /** Sends one batch; returns the entries that still failed after the bounded attempts. */
  private async sendBatch(batch: readonly Pending[]): Promise<Array<{ type: string; reason: string }>> {
    let pending = [...batch];
    for (let attempt = 1; attempt <= this.attemptsMax; attempt += 1) {
      if (attempt > 1) await this.sleep(attempt - 1);
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        if ((out.FailedEntryCount ?? 0) === 0) return [];
        // Result entries align with request entries by index (AWS documents this).
        pending = pending.flatMap((p, i) => {
          const result = out.Entries?.[i];
          if (result !== undefined && result.ErrorCode === undefined) return [];
          return [{ ...p, reason: result === undefined ? 'no result entry' : `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim() }];
        });
        if (pending.length === 0) return [];
      } catch (error) {
        const reason = `${sdkErrorName(error)}: ${(error as Error)?.message ?? String(error)}`;
        pending = pending.map((p) => ({ ...p, reason }));
      }
    }
    return pending.map((p) => ({ type: p.type, reason: p.reason }));
  }

  private async sleep(retry: number): Promise<void> {
    const ms = jitteredBackoffMs(retry, this.options.backoffBaseMs ?? publishBackoffBaseMs, this.options.backoffCapMs ?? publishBackoffCapMs, this.options.random ?? Math.random);
    await (this.options.sleepMs ?? ((d: number) => new Promise<void>((r) => setTimeout(r, d))))(ms);
  }
}
