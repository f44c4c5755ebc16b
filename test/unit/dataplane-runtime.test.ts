import { validateConfig } from '../../shared/domain';
import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber } from '../../shared/adapters/memory';
import { DnsError, silentTelemetry } from '../../shared/ports';
import { DecideRuntime, ProbeRuntime, type ObserverDeps } from '../../shared/runtime';
import { DataPlaneGate, gateCacheMs, gateReadTimeoutMs, gateStaleMsMax } from '../../shared/adapters/aws/dataplane-gate';
import { configInput, regions } from '../support/fixtures';
import { proposalWanting } from './support/core-builders';

/** Every target in health-check mode (gate votes); the Route 53 control plane is down. */
function dataPlaneWorld() {
  // Instant confirmation (no minimum failure duration): these tests are about votes, not detection.
  const input = configInput({ probe: { failureMinDurationMs: 0 } });
  input.targets = input.targets.map((t) => ({ ...t, route53: { ...t.route53, mode: 'health-check' as const } }));
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const config = result.config;
  const clock = new ManualClock(1_000_000);
  const store = new MemoryStore();
  const bus = new RecordingBus();
  const dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
  dns.failWith = new DnsError('control plane unavailable', 'unavailable');
  const observers = regions.map((observer) => {
    const prober = new ScriptedProber(clock);
    const deps: ObserverDeps = { config, observer, clock, store, bus, dns, prober, telemetry: silentTelemetry };
    const gate = new DataPlaneGate({ config, observer, store, clock, telemetry: silentTelemetry });
    return { observer, prober, gate, probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  });
  return { dns, observers, store, clock };
}

/** Every observer probes and decides once while all is well: each has a proposal its gate's answers are settled against. */
async function decidedOnce(w: ReturnType<typeof dataPlaneWorld>): Promise<void> {
  for (const o of w.observers) await o.probe.round();
  for (const o of w.observers) await o.decide.run();
}

describe('decide runtime in data-plane mode', () => {
  it('makes every gate vote drain for a target a quorum sees down while Route 53 changes fail, and never calls Route 53', async () => {
    const w = dataPlaneWorld();
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    const outcomes = [];
    for (const o of w.observers) outcomes.push(await o.decide.run());
    expect(outcomes.map((o) => o.error)).toEqual([null, null, null]);
    expect(w.dns.changes).toHaveLength(0);
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
    for (const o of w.observers) {
      expect(await o.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200, body: 'drain' });
      expect(await o.gate.answer('/drain/us-east-1')).toMatchObject({ status: 404, body: 'no-drain' });
    }
  });

  it('records the drain its gate votes at once in the pass that decided it (its cooldown counts from that vote)', async () => {
    const w = dataPlaneWorld();
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    const decidedMs = w.clock.nowMs();
    const deciders: string[] = [];
    for (const o of w.observers) {
      const before = w.store.applied.get(o.observer)?.routing['eu-west-1'];
      await o.decide.run();
      const after = w.store.applied.get(o.observer);
      if (before !== 'drained' && after?.routing['eu-west-1'] === 'drained' && after.decidedMs === decidedMs) deciders.push(o.observer);
    }
    expect(deciders.length).toBeGreaterThan(0);
    for (const observer of deciders) expect(w.store.proposals.get(observer)?.votedDrains).toEqual({ 'eu-west-1': decidedMs });
  });

  it('leaves the record of a vote to a later pass when a concurrent pass of the same observer wrote a newer proposal first', async () => {
    const w = dataPlaneWorld();
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    const put = w.store.putProposal.bind(w.store);
    let raced = 0;
    // The vote's record (a proposal carrying votedDrains) loses the race: another pass of its observer writes first.
    w.store.putProposal = async (proposal) => {
      if (proposal.votedDrains !== undefined && raced === 0) {
        raced += 1;
        const stored = w.store.proposals.get(proposal.observer)!;
        await put({ ...stored, seq: proposal.seq });
      }
      return put(proposal);
    };
    const decidedMs = w.clock.nowMs();
    const outcomes = [];
    for (const o of w.observers) outcomes.push(await o.decide.run());
    expect(raced).toBe(1);
    expect(outcomes.map((o) => o.error)).toEqual([null, null, null]);
    const loser = [...w.store.proposals.values()].find((p) => p.votedDrains === undefined && w.store.applied.get(p.observer)?.routing['eu-west-1'] === 'drained')!;
    expect(loser).toBeDefined();
    const gate = w.observers.find((o) => o.observer === loser.observer)!;
    expect(await gate.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200, body: 'drain' });
    // Its next pass records the vote, with a later anchor (a longer hold, never a shorter one).
    w.clock.advance(1_000);
    await gate.decide.run();
    expect(w.store.proposals.get(loser.observer)?.votedDrains?.['eu-west-1']).toBeGreaterThan(decidedMs);
  });

  it('records in its next proposal the drain its gate votes, from the pass that first saw it voted, and persists it', async () => {
    const w = dataPlaneWorld();
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    for (const o of w.observers) await o.decide.run();
    const us = w.observers[0]!;
    expect(w.store.proposals.get('us-east-1')?.votedDrains).toBeUndefined();
    w.clock.advance(1_000);
    const firstSeenMs = w.clock.nowMs();
    await us.decide.run();
    expect(w.store.proposals.get('us-east-1')?.votedDrains).toEqual({ 'eu-west-1': firstSeenMs });
    // Carried, not moved forward, by later passes while the drain lasts.
    w.clock.advance(40_000);
    await us.decide.run();
    expect(w.store.proposals.get('us-east-1')?.votedDrains).toEqual({ 'eu-west-1': firstSeenMs });
  });

  it('records a newer applied decision heard only as a peer\'s event as its own, so its replica and its gate keep it', async () => {
    const w = dataPlaneWorld();
    const us = w.observers[0]!;
    for (const o of w.observers) await o.probe.round();
    // eu-west-1 applied a drain of eu-west-1; its record has not replicated here, only its event arrived.
    const peers = { observer: 'eu-west-1', decisionId: 'd-peer', decidedMs: 999_000, appliedMs: 999_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' }, changeId: null, lastFlipMs: { 'us-east-1': null, 'eu-west-1': 999_000, 'ap-southeast-2': null }, lastRestoreMs: { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': null } } as const;
    expect((await us.gate.answer('/drain/eu-west-1')).body).toBe('no-drain');
    await us.decide.run({ type: 'applied', observer: 'eu-west-1', applied: structuredClone(peers) as never });
    const own = w.store.applied.get('us-east-1');
    expect(own).toMatchObject({ observer: 'us-east-1', decisionId: 'd-peer', routing: peers.routing, lastFlipMs: peers.lastFlipMs });
    // The store alone now says so: the gate (no fresh quorum to decide anew) fails static on it.
    w.clock.advance(gateCacheMs + 1);
    expect(await us.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200, body: 'drain' });
  });

  it('keeps, in a peer\'s newer decision it adopts, a drain it saw that the peer never did (the release is stamped)', async () => {
    const w = dataPlaneWorld();
    const us = w.observers[0]!;
    for (const o of w.observers) await o.probe.round();
    const own = { observer: 'us-east-1', decisionId: 'd-own', decidedMs: 990_000, appliedMs: 990_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'drained', 'ap-southeast-2': 'serving' }, changeId: null, lastFlipMs: { 'us-east-1': null, 'eu-west-1': 990_000, 'ap-southeast-2': null }, lastRestoreMs: { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': null } };
    await w.store.putApplied(structuredClone(own) as never);
    // eu-west-1's observer was down while eu-west-1 was drained: its decision drains ap-southeast-2 over a record with eu-west-1 never drained.
    const peers = { ...own, observer: 'eu-west-1', decisionId: 'd-peer', decidedMs: 999_000, appliedMs: 999_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' }, lastFlipMs: { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': 999_000 } };
    await us.decide.run({ type: 'applied', observer: 'eu-west-1', applied: structuredClone(peers) as never });
    const adopted = w.store.applied.get('us-east-1');
    expect(adopted).toMatchObject({ decisionId: 'd-peer', routing: peers.routing });
    expect(adopted!.lastFlipMs).toEqual({ 'us-east-1': null, 'eu-west-1': 999_000, 'ap-southeast-2': 999_000 });
    expect(adopted!.lastRestoreMs?.['eu-west-1']).toBe(999_000);
  });

  it('restores a drain withheld while a restore settles once a quorum judges its target healthy, with no hold, and stamps no flip for it', async () => {
    const w = dataPlaneWorld();
    const nowMs = w.clock.nowMs();
    // eu-west-1 was released 5 s ago to make room for ap-southeast-2 (maxDrained 1): ap-southeast-2's vote is withheld.
    const swap = { observer: 'us-east-1', decisionId: 'd-swap', decidedMs: nowMs - 5_000, appliedMs: nowMs - 5_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' }, changeId: null, lastFlipMs: { 'us-east-1': null, 'eu-west-1': nowMs - 5_000, 'ap-southeast-2': nowMs - 5_000 }, lastRestoreMs: { 'us-east-1': null, 'eu-west-1': nowMs - 5_000, 'ap-southeast-2': null } } as const;
    await w.store.putApplied(structuredClone(swap) as never);
    for (const o of w.observers) await o.probe.round();
    const outcomes = [];
    for (const o of w.observers) outcomes.push(await o.decide.run());
    expect(outcomes[0]!.proposal.targets['ap-southeast-2']).toMatchObject({ state: 'serving', cause: 'healthy' });
    const last = outcomes.at(-1)!;
    expect(last.decision.routing['ap-southeast-2']).toBe('serving');
    const record = [...w.store.applied.values()].find((a) => a.routing['ap-southeast-2'] === 'serving');
    expect(record).toBeDefined();
    expect(record!.lastFlipMs['ap-southeast-2']).toBe(nowMs - 5_000);
    expect(record!.lastRestoreMs?.['ap-southeast-2'] ?? null).toBeNull();
  });

  it('does not begin a withheld drain when its hold ends if its own round of the target passed while it was withheld, before any pass marked it; gates whose rounds fail begin it', async () => {
    const w = dataPlaneWorld();
    const t0 = w.clock.nowMs();
    // eu-west-1 was released 5 s ago to make room for ap-southeast-2 (maxDrained 1): ap-southeast-2's vote is withheld while it settles.
    const swap = { observer: 'us-east-1', decisionId: 'd-swap', decidedMs: t0 - 5_000, appliedMs: t0 - 5_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'drained' }, changeId: null, lastFlipMs: { 'us-east-1': null, 'eu-west-1': t0 - 5_000, 'ap-southeast-2': t0 - 5_000 }, lastRestoreMs: { 'us-east-1': null, 'eu-west-1': t0 - 5_000, 'ap-southeast-2': null } } as const;
    await w.store.putApplied(structuredClone(swap) as never);
    for (const o of w.observers) o.prober.set('ap-southeast-2', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    for (const o of w.observers) await o.decide.run();
    const [us, eu] = w.observers as [typeof w.observers[number], typeof w.observers[number]];
    for (const o of w.observers) expect(await o.gate.answer('/drain/ap-southeast-2')).toMatchObject({ body: 'no-drain' });
    expect(w.store.proposals.get('us-east-1')!.targets['ap-southeast-2']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy' });
    // ap-southeast-2 answers us-east-1's next round while the vote is withheld; no decide pass runs after it.
    us.prober.set('ap-southeast-2', { kind: 'up' });
    w.clock.advance(2_000);
    await us.probe.round();
    expect(w.store.snapshots.get('us-east-1')!.verdicts['ap-southeast-2']).toMatchObject({ status: 'unhealthy', consecutivePasses: 1 });
    expect(w.store.proposals.get('us-east-1')!.targets['ap-southeast-2']!.ownRoundPassed).toBeUndefined();
    // The release has settled: eu-west-1's gate, whose rounds still fail, begins the vote; us-east-1's does not.
    w.clock.advance(40_000);
    expect(await eu.gate.answer('/drain/ap-southeast-2')).toMatchObject({ body: 'drain' });
    expect(await us.gate.answer('/drain/ap-southeast-2')).toMatchObject({ body: 'no-drain' });
    // us-east-1's next decide pass settles what it records as its gate's votes with the same snapshot:
    // it records no vote its gate did not give (a recorded vote would be "known", and begin every gate).
    await us.decide.run();
    expect(w.store.proposals.get('us-east-1')!.votedDrains?.['ap-southeast-2']).toBeUndefined();
    w.clock.advance(gateCacheMs);
    expect(await us.gate.answer('/drain/ap-southeast-2')).toMatchObject({ body: 'no-drain' });
  });

  it('does not begin voting a drain no gate has voted while its own latest round of the target passed; once a gate whose rounds fail votes it, every gate does', async () => {
    const w = dataPlaneWorld();
    await decidedOnce(w);
    w.clock.advance(2_000);
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    // eu-west-1 comes back before any pass decides: one passing round each, verdicts still unhealthy (recoveryThreshold 3).
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'up' });
    w.clock.advance(2_000);
    for (const o of w.observers) await o.probe.round();
    expect(w.store.snapshots.get('us-east-1')!.verdicts['eu-west-1']).toMatchObject({ status: 'unhealthy', consecutivePasses: 1 });
    const outcomes = [];
    for (const o of w.observers) outcomes.push(await o.decide.run());
    expect(outcomes.at(-1)!.decision.routing['eu-west-1']).toBe('drained');
    for (const outcome of outcomes) expect(outcome.proposal.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'quorum-unhealthy', ownRoundPassed: true });
    for (const o of w.observers) expect(await o.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'no-drain' });
    expect(Object.values(outcomes.map((o) => o.proposal.votedDrains ?? {}))).toEqual([{}, {}, {}]);

    // It fails again for eu-west-1's and ap-southeast-2's observers: their marks go, their gates vote it and
    // record the vote; us-east-1's gate, whose own round still passed, then votes it too (a drain voted
    // stays voted, and withdrawing it from one gate would read as nothing: Route 53 drains on one vote).
    const [us, eu, ap] = w.observers as [typeof w.observers[number], typeof w.observers[number], typeof w.observers[number]];
    eu.prober.set('eu-west-1', { kind: 'down' });
    ap.prober.set('eu-west-1', { kind: 'down' });
    w.clock.advance(2_000);
    for (const o of w.observers) await o.probe.round();
    await eu.decide.run();
    await ap.decide.run();
    expect(w.store.proposals.get('eu-west-1')!.targets['eu-west-1']!.ownRoundPassed).toBeUndefined();
    expect(await eu.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
    w.clock.advance(3_000);
    await eu.decide.run();
    const later = await us.decide.run();
    expect(later.proposal.targets['eu-west-1']).toMatchObject({ state: 'drained' });
    expect(later.proposal.targets['eu-west-1']!.ownRoundPassed).toBeUndefined();
    expect(await us.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
  });

  it('never withdraws a drain its gate began answering from a quorum of proposals before any pass recorded the vote, when its next round passes', async () => {
    const w = dataPlaneWorld();
    const [us, eu] = w.observers as [typeof w.observers[number], typeof w.observers[number]];
    await decidedOnce(w);
    const usBefore = structuredClone(w.store.proposals.get('us-east-1')!);
    w.clock.advance(2_000);
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    await us.probe.round();
    await eu.probe.round();
    expect((await us.decide.run()).applied).toBeNull(); // us proposes drained: no quorum in its view yet
    // eu's replica lacks us's new proposal (lag, its event lost): eu proposes drained, no quorum, no record.
    const usDrained = structuredClone(w.store.proposals.get('us-east-1')!);
    w.store.proposals.set('us-east-1', usBefore);
    expect((await eu.decide.run()).applied).toBeNull();
    w.store.proposals.set('us-east-1', usDrained);
    expect([...w.store.applied.values()].every((a) => a.routing['eu-west-1'] !== 'drained')).toBe(true);
    // us's gate sees the quorum (us + eu) in its replica and answers drain; no pass has recorded it.
    expect(await us.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
    // eu-west-1 comes back: us's next round passes (still unhealthy, recoveryThreshold 3), and its pass runs.
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'up' });
    w.clock.advance(2_000);
    await us.probe.round();
    const next = await us.decide.run();
    expect(next.proposal.targets['eu-west-1']).toMatchObject({ state: 'drained' });
    expect(next.proposal.targets['eu-west-1']!.ownRoundPassed).toBeUndefined();
    w.clock.advance(2_500);
    expect(await us.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
  });

  it('never withdraws a drain its gate voted and recorded when a peer that decided the same drain later re-stamps it, and its own round passes', async () => {
    const w = dataPlaneWorld();
    const [us, eu] = w.observers as [typeof w.observers[number], typeof w.observers[number]];
    await decidedOnce(w);
    w.clock.advance(2_000);
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'down' });
    await us.probe.round();
    await eu.probe.round();
    await us.decide.run();
    expect((await eu.decide.run()).applied?.routing['eu-west-1']).toBe('drained'); // eu decides and records its vote
    expect(w.store.proposals.get('eu-west-1')!.votedDrains).toHaveProperty('eu-west-1');
    w.clock.advance(2_500);
    expect(await eu.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
    // eu-west-1 comes back. us, whose replica lacks eu's record, decides the same drain itself 2.5 s later:
    // its record, now the newest, stamps the drain after eu's recorded vote.
    for (const o of w.observers) o.prober.set('eu-west-1', { kind: 'up' });
    await us.probe.round();
    const euRecord = w.store.applied.get('eu-west-1')!;
    w.store.applied.delete('eu-west-1');
    expect((await us.decide.run()).applied?.lastFlipMs['eu-west-1']).toBeGreaterThan(w.store.proposals.get('eu-west-1')!.votedDrains!['eu-west-1']!);
    w.store.applied.set('eu-west-1', euRecord);
    // eu's round passes too, and its pass runs: its gate keeps answering the drain it has been answering.
    w.clock.advance(2_000);
    await eu.probe.round();
    const next = await eu.decide.run();
    expect(next.proposal.targets['eu-west-1']!.ownRoundPassed).toBeUndefined();
    w.clock.advance(2_500);
    expect(await eu.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain' });
  });

  it('does not copy peers\' applied records in weight mode, where Route 53 itself is read every pass', async () => {
    const result = validateConfig(configInput());
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const config = result.config;
    const clock = new ManualClock(1_000_000);
    const store = new MemoryStore();
    const deps: ObserverDeps = { config, observer: 'us-east-1', clock, store, bus: new RecordingBus(), dns: MemoryDns.fromBindings(config.targets.map((t) => t.route53)), prober: new ScriptedProber(clock), telemetry: silentTelemetry };
    const peers = { observer: 'eu-west-1', decisionId: 'd-peer', decidedMs: 999_000, appliedMs: 999_000, routing: { 'us-east-1': 'serving', 'eu-west-1': 'serving', 'ap-southeast-2': 'serving' }, changeId: null, lastFlipMs: { 'us-east-1': null, 'eu-west-1': null, 'ap-southeast-2': null } };
    await new DecideRuntime(deps).run({ type: 'applied', observer: 'eu-west-1', applied: peers as never });
    expect(store.applied.get('us-east-1')?.decisionId).not.toBe('d-peer');
  });

  it('keeps every gate at no-drain while only a minority sees the target down', async () => {
    const w = dataPlaneWorld();
    w.observers[0]!.prober.set('eu-west-1', { kind: 'down' });
    for (const o of w.observers) await o.probe.round();
    for (const o of w.observers) await o.decide.run();
    for (const o of w.observers) expect(await o.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 404, body: 'no-drain' });
  });
});

describe('DataPlaneGate', () => {
  function gateWorld(delays: { viewDelayMs?: number; snapshotDelayMs?: number } = {}) {
    const input = configInput();
    input.targets[1]!.route53 = { ...input.targets[1]!.route53, mode: 'health-check' };
    const result = validateConfig(input);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const config = result.config;
    const clock = new ManualClock(1_000_000);
    const store = new MemoryStore();
    let reads = 0;
    let snapshotReads = 0;
    let failing = false;
    let snapshotFailing = false;
    const counting = new Proxy(store, {
      get: (target, prop, receiver) => {
        if (prop === 'readView') return async (nowMs: number) => {
          reads += 1;
          if (delays.viewDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delays.viewDelayMs));
          if (failing) throw new Error('replica unavailable');
          return target.readView(nowMs);
        };
        if (prop === 'readOwnSnapshot') return async (observer: string) => {
          snapshotReads += 1;
          if (delays.snapshotDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delays.snapshotDelayMs));
          if (snapshotFailing) throw new Error('replica unavailable');
          return target.readOwnSnapshot(observer);
        };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const errors: string[] = [];
    const gate = new DataPlaneGate({ config, observer: 'us-east-1', store: counting, clock, telemetry: { ...silentTelemetry, error: (message: string) => { errors.push(message); } } });
    const drainEu = async () => {
      for (const observer of ['us-east-1', 'ap-southeast-2']) await store.putProposal(proposalWanting(config, observer, { 'eu-west-1': 'drained' }, clock.nowMs()));
    };
    return { gate, clock, drainEu, errors: () => errors, reads: () => reads, snapshotReads: () => snapshotReads, fail: (on: boolean) => { failing = on; }, failSnapshot: (on: boolean) => { snapshotFailing = on; } };
  }

  it('reads its observer\'s own snapshot only while it votes a drain (it can only turn a drain into no drain); unreadable, it settles with the last one it read, or by the proposals alone', async () => {
    const w = gateWorld();
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'no-drain', source: 'fresh' });
    expect(w.snapshotReads()).toBe(0);
    await w.drainEu();
    w.failSnapshot(true);
    w.clock.advance(gateCacheMs);
    // Never read yet: the proposals alone.
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain', source: 'fresh' });
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain', source: 'cache' });
    expect(w.snapshotReads()).toBe(1);
    expect(w.errors()).toEqual([expect.stringMatching(/own snapshot read failed/)]);
    // Read once, then unreadable again: the failure is reported, and the answer is settled as with the read one.
    w.failSnapshot(false);
    w.clock.advance(gateCacheMs);
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain', source: 'fresh' });
    w.failSnapshot(true);
    w.clock.advance(gateCacheMs);
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain', source: 'fresh' });
    expect(w.snapshotReads()).toBe(3);
    expect(w.errors()).toHaveLength(2);
  });

  it('gives the snapshot read only what the voting view left of gateReadTimeoutMs: the answer stays inside Route 53\'s 4 s', async () => {
    const w = gateWorld({ viewDelayMs: gateReadTimeoutMs - 100, snapshotDelayMs: 1_000 });
    await w.drainEu();
    const startedMs = Date.now();
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ body: 'drain', source: 'fresh' });
    expect(Date.now() - startedMs).toBeLessThan(gateReadTimeoutMs + 500);
    expect(w.errors()).toEqual([expect.stringMatching(/own snapshot read failed/)]);
  }, 10_000);

  it('answers drain once a quorum of fresh proposals drains the target, and reads the replica at most once per cache window', async () => {
    const w = gateWorld();
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 404, source: 'fresh' });
    await w.drainEu();
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 404, source: 'cache' });
    w.clock.advance(gateCacheMs);
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200, body: 'drain', source: 'fresh' });
    expect(w.reads()).toBe(2);
  });

  it('keeps answering its last decision while the replica fails, for gateStaleMsMax only, then stops voting drain', async () => {
    const w = gateWorld();
    await w.drainEu();
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200 });
    w.fail(true);
    w.clock.advance(gateStaleMsMax);
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 200, source: 'stale' });
    w.clock.advance(1);
    expect(await w.gate.answer('/drain/eu-west-1')).toMatchObject({ status: 404, source: 'none' });
  });
});
