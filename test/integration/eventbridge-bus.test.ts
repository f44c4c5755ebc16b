import { EventBridgeBus, putEventsEntriesMax } from '../../shared/adapters/aws/eventbridge-bus';
import type { ArbiterEvent } from '../../shared/domain';
import { PublishError } from '../../shared/ports';
import { startMoto, type Moto } from '../support/moto';
import { addRule, createBus, TestQueue } from './support/aws-fixtures';
import { FaultyHttpHandler, type RecordedRequest } from './support/faulty-http-handler';

const east = 'us-east-1';
const west = 'eu-west-1';
let moto: Moto;
let busCount = 0;
const queues: TestQueue[] = [];

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  for (const queue of queues) queue.destroy();
  await moto?.stop();
});

function probeNow(i: number, observer = east, reason = 'first failure'): ArbiterEvent {
  return { type: 'probe-now', observer, target: 'eu-west-1', reason: `${reason} ${i}`, requestedMs: 1_000 + i };
}

/** A bus whose every event lands in a queue, published to through a fault-injecting HTTP layer. */
async function observedBus(region = east): Promise<{ bus: EventBridgeBus; queue: TestQueue; handler: FaultyHttpHandler; busName: string }> {
  busCount += 1;
  const busName = `arbiter-test-${busCount}`;
  await createBus(moto, region, busName);
  const queue = await TestQueue.create(moto, region, `observe-${busCount}`);
  queues.push(queue);
  await addRule(moto, region, busName, 'all-arbiter', { source: ['arbiter'] }, queue.arn);
  const handler = new FaultyHttpHandler();
  const bus = new EventBridgeBus({ busName, sdk: { ...moto.clientOptions(region), requestHandler: handler }, backoffBaseMs: 1, backoffCapMs: 5 });
  return { bus, queue, handler, busName };
}

const isPutEvents = (r: RecordedRequest) => r.operation === 'AWSEvents.PutEvents';
const entriesOf = (r: RecordedRequest) => (JSON.parse(r.body) as { Entries: unknown[] }).Entries.length;

/** Drops request entry `index` before moto sees it, and reports it failed in the response, as AWS does. */
function failEntry(index: number, times: number) {
  return {
    match: isPutEvents,
    times,
    rewrite: (request: RecordedRequest) => {
      const body = JSON.parse(request.body) as { Entries: unknown[] };
      const kept = body.Entries.filter((_, i) => i !== index);
      return {
        body: JSON.stringify({ ...body, Entries: kept }),
        response: (text: string) => {
          const out = JSON.parse(text) as { FailedEntryCount: number; Entries: unknown[] };
          out.Entries.splice(index, 0, { ErrorCode: 'InternalFailure', ErrorMessage: 'injected partial failure' });
          return JSON.stringify({ ...out, FailedEntryCount: out.FailedEntryCount + 1 });
        },
      };
    },
  };
}

describe('EventBridgeBus against moto', () => {
  it('publishes 23 events in PutEvents calls of at most 10 entries, each delivered once with source arbiter and its detail-type', async () => {
    const { bus, queue, handler } = await observedBus();
    const events = Array.from({ length: 23 }, (_, i) => probeNow(i));
    await bus.publish(events);
    expect(handler.requests.filter(isPutEvents).map(entriesOf)).toEqual([putEventsEntriesMax, putEventsEntriesMax, 3]);
    const received = await queue.receive(23);
    expect(received).toHaveLength(23);
    expect(new Set(received.map((m) => m['detail-type']))).toEqual(new Set(['Arbiter Probe Now']));
    expect(received.map((m) => m.detail.reason).sort()).toEqual(events.map((e) => (e as { reason: string }).reason).sort());
  });

  it('splits a batch at 256 KB', async () => {
    const { bus, handler } = await observedBus();
    const big = 'x'.repeat(60 * 1024);
    await bus.publish(Array.from({ length: 5 }, (_, i) => probeNow(i, east, big)));
    expect(handler.requests.filter(isPutEvents).map(entriesOf)).toEqual([4, 1]);
  });

  it('re-sends only the entry a partial failure reported, and every event arrives exactly once', async () => {
    const { bus, queue, handler } = await observedBus();
    handler.rules.push(failEntry(1, 1));
    await bus.publish([probeNow(0), probeNow(1), probeNow(2)]);
    expect(handler.requests.filter(isPutEvents).map(entriesOf)).toEqual([3, 1]);
    const received = await queue.receive(3);
    expect(received.map((m) => m.detail.reason).sort()).toEqual(['first failure 0', 'first failure 1', 'first failure 2']);
    expect(await queue.receive(1, 300)).toHaveLength(0);
  });

  it('gives up after the bounded attempts and throws PublishError naming what failed; the rest is delivered', async () => {
    const { bus, queue, handler } = await observedBus();
    handler.rules.push(failEntry(0, 2));
    handler.rules.push(failEntry(0, 100));
    const thrown = await bus.publish([probeNow(0), { type: 'verdicts', observer: east, snapshot: { observer: east, seq: 1, writtenMs: 1, verdicts: {} } }]).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(PublishError);
    expect((thrown as PublishError).failed).toEqual([{ type: 'probe-now', reason: 'InternalFailure: injected partial failure' }]);
    expect(handler.count(isPutEvents)).toBe(4);
    const received = await queue.receive(1);
    expect(received.map((m) => m['detail-type'])).toEqual(['Arbiter Verdicts']);
  });

  it('forwards events that originated in this region to a peer region bus, and only those (observed through an SQS target)', async () => {
    const { bus } = await observedBus(east);
    const peerBus = `arbiter-peer-${busCount}`;
    const peerArn = await createBus(moto, west, peerBus);
    const peerQueue = await TestQueue.create(moto, west, `peer-observe-${busCount}`);
    queues.push(peerQueue);
    await addRule(moto, west, peerBus, 'peer-all', { source: ['arbiter'] }, peerQueue.arn);
    const busName = `arbiter-test-${busCount}`;
    await addRule(moto, east, busName, 'forward-to-west', { source: ['arbiter'], detail: { observer: [east] } }, peerArn);
    await bus.publish([probeNow(1, east), probeNow(2, west)]);
    const received = await peerQueue.receive(2, 2_000);
    expect(received.map((m) => m.detail.observer)).toEqual([east]);
  });
});
