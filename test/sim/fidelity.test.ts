/**
 * The simulator's model of AWS, piece by piece: DynamoDB Global Tables (last writer wins by write
 * time), Route 53 (atomic batches, exact DELETE, CREATE of an existing record refused, TXT
 * records, 2026 throttling, PriorRequestNotComplete per zone, every call recorded), and the
 * scenario format's faults (named observers, bus partitions, correlated loss, throttled and slow
 * Lambda, store outages, alarms, operator actions, data-plane health checks).
 */
import type { ArbiterEvent, Proposal, RecordSetView } from '../../shared/domain';
import { DnsError } from '../../shared/ports';
import { FaultTimeline, resolveFaults } from '../../sim/faults';
import { History } from '../../sim/history';
import { SimRandom } from '../../sim/random';
import { loadScenario, parseScenario, type Scenario } from '../../sim/scenario';
import { Scheduler } from '../../sim/scheduler';
import { ReplicaStore, SimBus, SimClock } from '../../sim/sim-adapters';
import { simConfig } from '../../sim/sim-config';
import { apiBurstDefault, InvalidChangeBatchError, SimRoute53, type ServerChange } from '../../sim/sim-route53';
import { deriveParams, runSimulation } from '../../sim/simulation';
import { World } from '../../sim/world';

function proposal(observer: string, seq: number): Proposal {
  return { observer, seq, createdMs: seq, targets: {}, refusals: [] };
}

function scenario(yaml: string): Scenario {
  return parseScenario(yaml, 'inline.yml');
}

const base = 'name: t\ntitle: t\nsafetyMs: 60000\nlivenessMs: 60000\n';

describe('DynamoDB Global Tables: last writer wins by write time', () => {
  function pair() {
    const scheduler = new Scheduler();
    const history = new History();
    const pending: Array<(peer: ReplicaStore) => void> = [];
    const replication = { replicate: (_from: string, apply: (peer: ReplicaStore) => void) => pending.push(apply) };
    const a = new ReplicaStore('us-east-1', replication, history, scheduler, new SimClock(scheduler, 5_000));
    const b = new ReplicaStore('eu-west-1', replication, history, scheduler, new SimClock(scheduler, 0));
    return { a, b, pending };
  }

  it('keeps the later write by the writers\' clocks, whatever the items\' seq says', async () => {
    const { a, b, pending } = pair();
    await a.putProposal(proposal('us-east-1', 1)); // written at a's clock 5000
    await b.putProposal(proposal('us-east-1', 7)); // written at b's clock 0: earlier, though its seq is higher
    pending[0]!(b); // a's write reaches b: later write time wins
    pending[1]!(a); // b's write reaches a: older, dropped
    expect((await a.readView(0)).proposals[0]!.seq).toBe(1);
    expect((await b.readView(0)).proposals[0]!.seq).toBe(1);
  });

  it('breaks a tie of write times by region, the same way in every replica', async () => {
    const { a, b } = pair();
    b.applyReplicatedAt('proposal', proposal('ap-southeast-2', 3), { writtenMs: 100, region: 'eu-west-1' });
    b.applyReplicatedAt('proposal', proposal('ap-southeast-2', 2), { writtenMs: 100, region: 'us-east-1' });
    a.applyReplicatedAt('proposal', proposal('ap-southeast-2', 2), { writtenMs: 100, region: 'us-east-1' });
    a.applyReplicatedAt('proposal', proposal('ap-southeast-2', 3), { writtenMs: 100, region: 'eu-west-1' });
    expect((await a.readView(0)).proposals[0]!.seq).toBe(2);
    expect((await b.readView(0)).proposals[0]!.seq).toBe(2);
  });
});

describe('Route 53 server model', () => {
  function route53(faults = new FaultTimeline([])) {
    const scheduler = new Scheduler();
    const history = new History();
    const config = simConfig({ name: 't', config: {} });
    const r53 = new SimRoute53(config.targets, scheduler, faults, new SimRandom(1), history, new SimRandom(2));
    return { r53, scheduler, history };
  }
  const record = (r53: SimRoute53, set: string): RecordSetView => ({ ...r53.records.find((r) => r.setIdentifier === set)! });
  const txt: RecordSetView = { hostedZoneId: 'ZSIMULATED', name: '_arbiter-epoch.api.example.com.', type: 'TXT', setIdentifier: '', weight: null, ttl: 60, resourceRecords: ['"epoch-1"'] };

  it('applies a batch whole: a DELETE that does not match exactly refuses every change of it (InvalidChangeBatch)', async () => {
    const { r53, scheduler } = route53();
    const before = JSON.stringify(r53.records);
    const stale = { ...record(r53, 'eu-west-1'), weight: 0 };
    const batch: ServerChange[] = [{ action: 'UPSERT', record: { ...record(r53, 'us-east-1'), weight: 0 } }, { action: 'DELETE', record: stale }];
    expect(() => r53.changeBatch('us-east-1', 'ZSIMULATED', batch, 'd1')).toThrow(InvalidChangeBatchError);
    expect(JSON.stringify(r53.records)).toBe(before);
    await scheduler.runUntil(5_000);
    const exact: ServerChange[] = [{ action: 'DELETE', record: record(r53, 'eu-west-1') }, { action: 'CREATE', record: { ...record(r53, 'eu-west-1'), weight: 0 } }];
    r53.changeBatch('us-east-1', 'ZSIMULATED', exact, 'd2');
    expect(r53.weightOf('eu-west-1')).toBe(0);
  });

  it('refuses a CREATE of a record that exists and accepts TXT records, created and deleted exactly', async () => {
    const { r53, scheduler } = route53();
    expect(() => r53.changeBatch('us-east-1', 'ZSIMULATED', [{ action: 'CREATE', record: record(r53, 'us-east-1') }], 'd1')).toThrow(/already exists/);
    r53.changeBatch('us-east-1', 'ZSIMULATED', [{ action: 'CREATE', record: txt }], 'd2');
    expect(r53.read('us-east-1').filter((r) => r.type === 'TXT')).toHaveLength(1);
    await scheduler.runUntil(5_000);
    expect(() => r53.changeBatch('us-east-1', 'ZSIMULATED', [{ action: 'DELETE', record: { ...txt, resourceRecords: ['"epoch-0"'] } }], 'd3')).toThrow(InvalidChangeBatchError);
    await scheduler.runUntil(10_000);
    r53.changeBatch('us-east-1', 'ZSIMULATED', [{ action: 'DELETE', record: txt }, { action: 'CREATE', record: { ...txt, resourceRecords: ['"epoch-2"'] } }], 'd4');
    expect(r53.read('us-east-1').find((r) => r.type === 'TXT')?.resourceRecords).toEqual(['"epoch-2"']);
  });

  it('refuses a second batch to a zone still processing the first (PriorRequestNotComplete), then takes it', async () => {
    const { r53, scheduler } = route53();
    const upsert = (w: number): ServerChange[] => [{ action: 'UPSERT', record: { ...record(r53, 'eu-west-1'), weight: w } }];
    r53.changeBatch('us-east-1', 'ZSIMULATED', upsert(0), 'd1');
    expect(() => r53.changeBatch('eu-west-1', 'ZSIMULATED', upsert(100), 'd2')).toThrow(expect.objectContaining({ code: 'prior-request' }) as Error);
    await scheduler.runUntil(1_001);
    r53.changeBatch('eu-west-1', 'ZSIMULATED', upsert(100), 'd2');
    expect(r53.weightOf('eu-west-1')).toBe(100);
  });

  it(`throttles the account at ${apiBurstDefault} requests at once and records every call with its outcome`, () => {
    const { r53, history } = route53();
    for (let i = 0; i < apiBurstDefault; i += 1) r53.read('us-east-1');
    expect(() => r53.read('eu-west-1')).toThrow(expect.objectContaining({ code: 'throttled' }) as DnsError);
    const calls = history.of('route53-call');
    expect(calls).toHaveLength(apiBurstDefault + 1);
    expect(calls.filter((c) => !c.ok)).toEqual([expect.objectContaining({ observer: 'eu-west-1', op: 'read', code: 'throttled' })]);
  });

  it('is down with us-east-1 when the region-down fault takes the control plane along', () => {
    const s = scenario(`${base}faults:\n  - { kind: region-down, region: us-east-1, route53ControlPlane: true, atMs: 0 }\nexpect: {}\n`);
    const { r53 } = route53(new FaultTimeline(resolveFaults(s, new SimRandom(1))));
    expect(() => r53.read('eu-west-1')).toThrow(expect.objectContaining({ code: 'unavailable' }) as DnsError);
  });
});

describe('scenario format', () => {
  it('names the file and the field of every unknown observer or target', () => {
    const text = `${base}world: { observers: [us-east-1, eu-west-1], clockSkewMs: { sa-east-1: 100 } }\nfaults:\n  - { kind: path, observer: ap-southeast-2, target: eu-west-1, behaviour: partitioned, atMs: 0 }\n  - { kind: override-end, region: us-east-1, override: 0, atMs: 1 }\nexpect: { failOver: [us-west-2] }\n`;
    expect(() => parseScenario(text, 'sim/scenarios/x.yml')).toThrow(/scenario sim\/scenarios\/x\.yml is not valid: .*world\.clockSkewMs\.sa-east-1: unknown observer "sa-east-1".*faults\.0\.observer: unknown observer "ap-southeast-2".*faults\.1\.override: fault 0 is not an override.*expect\.failOver\.0: unknown target "us-west-2"/);
  });

  it('refuses mode metric (removed) with the reason and what to use, and any other mode naming what it got', () => {
    expect(() => parseScenario(`${base}mode: metric\n`, 'sim/scenarios/m.yml')).toThrow(/scenario sim\/scenarios\/m\.yml is not valid: .*mode: metric votes were removed from Arbiter: .*standard-resolution alarms.*use gate/);
    expect(() => parseScenario(`${base}mode: weighted\n`, 'sim/scenarios/m.yml')).toThrow(/mode: must be control-plane or gate \(got "weighted"\)/);
    expect(parseScenario(`${base}mode: gate\nfaults: []\nexpect: {}\n`, 'sim/scenarios/m.yml').mode).toBe('gate');
  });

  it('builds the config from the named observers and targets; two observers acknowledge unanimity', () => {
    const two = simConfig(scenario(`${base}world: { observers: [us-east-1, eu-west-1], targets: [eu-west-1] }\nfaults: []\nexpect: {}\n`));
    expect(two.observers).toEqual(['us-east-1', 'eu-west-1']);
    expect(two.targets.map((t) => t.region)).toEqual(['eu-west-1']);
    expect(two.acknowledgeTwoObserverUnanimity).toBe(true);
    const gate = simConfig(scenario(`${base}mode: gate\nfaults: []\nexpect: {}\n`));
    expect(gate.targets.every((t) => t.route53.mode === 'health-check' && t.route53.vote === 'gate')).toBe(true);
  });

  it("takes target '*' on a path fault as the observer's egress: every target, slow, flaky or partitioned", () => {
    const s = scenario(`${base}faults:\n  - { kind: path, observer: eu-west-1, target: '*', behaviour: slow, latencyMs: 1500, atMs: 0, untilMs: 10000 }\n  - { kind: path, observer: eu-west-1, target: '*', behaviour: flaky, lossRate: 0.4, atMs: 10000, untilMs: 20000 }\n  - { kind: path, observer: eu-west-1, target: '*', behaviour: partitioned, atMs: 20000, untilMs: 30000 }\nexpect: {}\n`);
    const timeline = new FaultTimeline(resolveFaults(s, new SimRandom(1)));
    for (const target of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      expect(timeline.pathCondition('eu-west-1', target, 5_000).latencyMs).toBe(1500);
      expect(timeline.pathCondition('eu-west-1', target, 15_000).lossRate).toBe(0.4);
      expect(timeline.pathCondition('eu-west-1', target, 25_000).down).toBe(true);
      expect(timeline.pathCondition('us-east-1', target, 25_000).down).toBe(false);
    }
  });

  it('loads every scenario file in sim/scenarios', () => {
    expect(() => loadScenario('failover-seven-observers-region-down')).not.toThrow();
  });
});

describe('faults in a running world', () => {
  it('gives chosen observers their fixed clock skew', async () => {
    const r = await runSimulation(loadScenario('failover-skew-35s-two-survivors'), 3);
    expect(r.params.regions.find((p) => p.region === 'us-east-1')!.clockSkewMs).toBe(20_000);
    expect(r.params.regions.find((p) => p.region === 'eu-west-1')!.clockSkewMs).toBe(-15_000);
  }, 60_000);

  it('refuses invocations of a function throttled to zero; Lambda retries each twice, then it is lost', async () => {
    const s = scenario(`name: t\ntitle: t\nsafetyMs: 300000\nlivenessMs: 60000\nworld: { buggifyRate: 0 }\nfaults:\n  - { kind: lambda, region: eu-west-1, function: decide, behaviour: throttled, reservedConcurrency: 0, atMs: 0 }\nexpect: {}\n`);
    const r = await runSimulation(s, 1);
    const throttled = r.history.flatMap((e) => (e.kind === 'lambda-throttled' && e.observer === 'eu-west-1' ? [e] : []));
    expect(throttled.some((e) => e.lost && e.attempt === 3)).toBe(true);
    expect(throttled.filter((e) => e.attempt === 1 && e.retryInMs === 60_000).length).toBeGreaterThan(0);
    expect(r.history.some((e) => e.kind === 'proposal' && e.observer === 'eu-west-1' && e.atMs < 300_000)).toBe(false);
  }, 60_000);

  async function deliveries(yaml: string, events: number): Promise<Map<string, number[]>> {
    const s = scenario(yaml);
    const scheduler = new Scheduler();
    const timeline = new FaultTimeline(resolveFaults(s, new SimRandom(1)));
    const seen = new Map<string, number[]>();
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    const bus = new SimBus('us-east-1', regions, scheduler, timeline, new SimRandom(9), (destination, event) => {
      const n = (event as { n?: number }).n ?? -1;
      seen.set(destination, [...(seen.get(destination) ?? []), n]);
    });
    for (let n = 0; n < events; n += 1) await bus.publish([{ type: 'probe-now', observer: 'us-east-1', target: 'eu-west-1', reason: 'test', requestedMs: 0, n } as unknown as ArbiterEvent]);
    await scheduler.runUntil(10_000);
    return seen;
  }

  it('drops events one way across a bus partition, and loses a correlated event for every destination at once', async () => {
    const cut = await deliveries(`${base}faults:\n  - { kind: bus-partition, from: us-east-1, to: eu-west-1, atMs: 0 }\nexpect: {}\n`, 20);
    expect(cut.get('eu-west-1')).toBeUndefined();
    expect(cut.get('ap-southeast-2')).toHaveLength(20);
    const correlated = await deliveries(`${base}faults:\n  - { kind: bus, lossRate: 0.5, correlated: true, atMs: 0 }\nexpect: {}\n`, 200);
    const sets = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map((r) => JSON.stringify([...(correlated.get(r) ?? [])].sort((a, b) => a - b)));
    expect(new Set(sets).size).toBe(1);
    const delivered = JSON.parse(sets[0]!) as number[];
    expect(delivered.length).toBeGreaterThan(50);
    expect(delivered.length).toBeLessThan(150);
  });

  it('holds replication into an unavailable replica until it is back', async () => {
    const s = loadScenario('failover-store-unavailable-one-observer');
    const config = simConfig(s);
    const params = deriveParams(s, 2, config.observers);
    const world = new World(config, s, params, new SimRandom(2).fork('world'));
    const window = params.faults[1]!;
    const seen: Array<number | undefined> = [];
    const look = () => seen.push(world.replica('ap-southeast-2').stamps.get('proposal|us-east-1')?.writtenMs);
    world.scheduler.at(window.atMs + 60_000, look);
    world.scheduler.at(window.untilMs + 5_000, look);
    await world.run();
    const skew = params.regions.find((r) => r.region === 'us-east-1')!.clockSkewMs;
    expect(seen[0]! - skew).toBeLessThan(window.atMs);
    expect(seen[1]! - skew).toBeGreaterThan(window.atMs + 60_000);
  }, 60_000);

  it('makes the unavailable replica refuse the runtime: no verdict from that observer while it is out', async () => {
    const r = await runSimulation(loadScenario('failover-store-unavailable-one-observer'), 2);
    const window = r.params.faults[1]!;
    const errors = r.history.filter((e) => e.kind === 'invocation-error' && e.observer === 'ap-southeast-2' && e.atMs >= window.atMs && e.atMs < window.untilMs);
    expect(errors.length).toBeGreaterThan(0);
    expect(r.history.some((e) => e.kind === 'verdict' && e.observer === 'ap-southeast-2' && e.atMs > window.atMs + 1_000 && e.atMs < window.untilMs)).toBe(false);
  }, 60_000);

  it('gives a warm decide container each invocation\'s fault site: buggified runs crash decide after its proposal write at the configured rate', async () => {
    // Reused containers once kept the store of the invocation that built them, so only a container's
    // first invocation could be armed (3 decide crashes in 40 runs of this scenario instead of 118).
    let crashes = 0;
    let buggified = 0;
    for (let seed = 1; seed <= 10; seed += 1) {
      const r = await runSimulation(loadScenario('failover-hard-outage'), seed);
      if (r.params.buggify) buggified += 1;
      crashes += r.history.filter((e) => e.kind === 'crash' && e.site.startsWith('decide')).length;
    }
    expect(buggified).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThanOrEqual(buggified * 3);
  }, 120_000);

  it('delivers an alarm to every observer region that is up, through the real alarm function', async () => {
    const r = await runSimulation(loadScenario('failover-alarm-indicts-flaky-target'), 1);
    const alarms = r.history.filter((e) => e.kind === 'alarm');
    expect(alarms.map((a) => a.kind === 'alarm' && a.state)).toEqual(['ALARM', 'OK']);
    expect(alarms.every((a) => a.kind === 'alarm' && a.regions.length === 3)).toBe(true);
  }, 60_000);

  it('records operator actions in true time: an override, its early end from another region, and a drill\'s start and finish', async () => {
    const ended = await runSimulation(loadScenario('overrides-drain-ended-early'), 1);
    const override = ended.history.find((e) => e.kind === 'override');
    const end = ended.history.find((e) => e.kind === 'override-end');
    expect(override).toMatchObject({ id: 'ops-drain-eu-west-1', region: 'us-east-1', target: 'eu-west-1' });
    expect(end).toMatchObject({ overrideId: 'ops-drain-eu-west-1', region: 'ap-southeast-2' });
    expect(end!.atMs).toBeGreaterThanOrEqual(ended.params.faults[1]!.atMs);
    const drill = await runSimulation(loadScenario('drill-evacuate-completes'), 1);
    const phases = drill.history.flatMap((e) => (e.kind === 'drill' ? [`${e.phase}:${e.status}`] : []));
    expect(phases).toEqual(['start:running', 'finish:passed']);
    expect(drill.history.some((e) => e.kind === 'override' && e.source === 'drill' && e.target === 'eu-west-1')).toBe(true);
  }, 60_000);

  it('records data-plane health-check transitions and makes no Route 53 API call in gate mode', async () => {
    const r = await runSimulation(loadScenario('failover-gate-us-east-1-down-takes-route53'), 1);
    expect(r.mode).toBe('gate');
    expect(r.history.some((e) => e.kind === 'health-check' && e.target === 'us-east-1' && !e.healthy)).toBe(true);
    expect(r.arbiter.route53Calls).toBe(0);
    expect(r.arbiter.detectMs).not.toBeNull();
  }, 60_000);
});
