import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ManualClock, MemoryDns, MemoryStore, RecordingBus, ScriptedProber, type PathBehaviour } from '../adapters/memory';
import type { ArbiterEvent, ValidConfig } from '../domain';
import { DnsError, silentTelemetry } from '../ports';
import { makeConfig, regions } from '../../test/support/fixtures';
import { recordAlarmChange } from './alarm-runtime';
import { applyRetryDelaysMs, DecideRuntime, lateEvidenceWaitMs, route53AnswerFreshMs } from './decide-runtime';
import { ProbeRuntime } from './probe-runtime';
import type { ObserverDeps } from './deps';

/**
 * Instant confirmation (no minimum failure duration) for the tests of the mechanics; the duration
 * itself has a test of its own below.
 */
const instant = { failureMinDurationMs: 0 };

/**
 * A manual clock under which the observers' probe loops go on while a decide pass sleeps (as they
 * do in Lambda): a sleep that crosses a probe interval runs one round of every observer.
 */
class ProbingClock extends ManualClock {
  rounds: (() => Promise<void>) | null = null;
  private lastRoundMs = Number.NEGATIVE_INFINITY;

  constructor(startMs: number, private readonly intervalMs: number) {
    super(startMs);
  }

  override async sleepMs(ms: number): Promise<void> {
    await super.sleepMs(ms);
    const rounds = this.rounds;
    if (rounds === null || this.nowMs() - this.lastRoundMs < this.intervalMs) return;
    this.lastRoundMs = this.nowMs();
    this.rounds = null; // a round's own sleeps (confirmation spacing) do not start more rounds
    try {
      await rounds();
    } finally {
      this.rounds = rounds;
    }
  }
}

/** Three observers sharing one store (no replication lag) and one Route 53. */
function world(config: ValidConfig = makeConfig({ probe: instant })) {
  const clock = new ProbingClock(1_000_000, config.probe.intervalMs);
  const store = new MemoryStore();
  const bus = new RecordingBus();
  const dns = MemoryDns.fromBindings(config.targets.map((t) => t.route53));
  const observers = regions.map((observer) => {
    const prober = new ScriptedProber(clock);
    const deps: ObserverDeps = { config, observer, clock, store, bus, dns, prober, telemetry: silentTelemetry };
    return { observer, deps, prober, probe: new ProbeRuntime(deps), decide: new DecideRuntime(deps) };
  });
  /** From now on, these observers' probe loops go on while a decide pass sleeps (off by default: most tests drive rounds themselves). */
  const keepProbing = (only: readonly string[] = regions) => {
    clock.rounds = async () => {
      for (const o of observers.filter((x) => only.includes(x.observer))) await o.probe.round();
    };
  };
  return { config, clock, store, bus, dns, observers, keepProbing };
}

type World = ReturnType<typeof world>;

/** One probe interval: every observer probes, then every observer decides. */
async function cycle(w: World, only: readonly string[] = regions): Promise<void> {
  w.clock.advance(w.config.probe.intervalMs);
  const active = w.observers.filter((o) => only.includes(o.observer));
  for (const o of active) await o.probe.round();
  for (const o of active) await o.decide.run();
}

function refusalAudits(w: World) {
  return [...w.store.audit.values()].filter((e) => e.kind === 'refusal');
}

describe('observer runtime (probe + decide over memory adapters)', () => {
  it('drains a target once a quorum of observers sees it down, and only then', async () => {
    const w = world();
    const [a, b, c] = w.observers;
    a!.prober.set('eu-west-1', { kind: 'down' });
    await a!.probe.round();
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.weightOf('eu-west-1')).toBe(100);

    b!.prober.set('eu-west-1', { kind: 'down' });
    await b!.probe.round();
    await c!.probe.round();
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
    expect(w.dns.weightOf('us-east-1')).toBe(100);
    expect(w.dns.changes).toHaveLength(1);
  });

  it('asks peers to probe on a first failure and confirms within the same round', async () => {
    const w = world();
    const [a] = w.observers;
    a!.prober.set('us-east-1', { kind: 'down' });
    const outcome = await a!.probe.round();
    expect(outcome.confirmRequested).toEqual(['us-east-1']);
    expect(outcome.snapshot.verdicts['us-east-1']!.status).toBe('unhealthy');
    expect(w.bus.published.some((e) => e.type === 'probe-now' && e.target === 'us-east-1')).toBe(true);
  });

  it('never drains on one observer\'s bad network, however long it lasts', async () => {
    const w = world();
    const [a] = w.observers;
    for (const target of regions) a!.prober.set(target, { kind: 'down' });
    for (let i = 0; i < 30; i += 1) await cycle(w);
    expect(regions.map((r) => w.dns.weightOf(r))).toEqual([100, 100, 100]);
    expect(w.dns.changes).toHaveLength(0);
    // It did judge every target unhealthy: the quorum, not a lack of evidence, kept traffic where it was.
    expect(Object.values(a!.probe.current()!.verdicts).map((v) => v.status)).toEqual(['unhealthy', 'unhealthy', 'unhealthy']);
  });

  it('fails static when 2 of 3 observers fall silent: their verdicts go stale and the last state holds', async () => {
    const w = world();
    const [a, b] = w.observers;
    a!.prober.set('eu-west-1', { kind: 'down' });
    b!.prober.set('eu-west-1', { kind: 'down' });
    await cycle(w);
    expect(w.dns.weightOf('eu-west-1')).toBe(0);

    // eu-west-1 recovers, but only us-east-1 is left to see it; it also sees us-east-1 itself go down.
    a!.prober.set('eu-west-1', { kind: 'up' });
    a!.prober.set('us-east-1', { kind: 'down' });
    const cyclesPastFreshness = Math.ceil((w.config.probe.verdictFreshnessMs + w.config.safety.recoveryHoldMs) / w.config.probe.intervalMs) + 2;
    for (let i = 0; i < cyclesPastFreshness; i += 1) await cycle(w, ['us-east-1']);
    const outcome = await a!.decide.run();
    expect(outcome.proposal.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'no-quorum' });
    expect(outcome.proposal.targets['eu-west-1']!.tally).toMatchObject({ healthy: 1, unknown: 2 });
    expect(outcome.decision.changed).toEqual([]);
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
    expect(w.dns.weightOf('us-east-1')).toBe(100);
    expect(w.dns.changes).toHaveLength(1);
  });

  it('reports a Route 53 failure in the outcome and applies on the next run', async () => {
    const w = world();
    const [a, b, c] = w.observers;
    w.keepProbing();
    a!.prober.set('eu-west-1', { kind: 'down' });
    b!.prober.set('eu-west-1', { kind: 'down' });
    for (const o of [a, b, c]) await o!.probe.round();
    w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
    await a!.decide.run();
    const failed = await b!.decide.run();
    expect(failed.decision.routing['eu-west-1']).toBe('drained');
    expect(failed.error).toBe('unavailable: Route 53 control plane unavailable');
    expect(failed.applied).toBeNull();
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
    // A scheduled pass may record the state it found in Route 53; none records a drain that did not land.
    expect([...w.store.applied.values()].every((r) => r.routing['eu-west-1'] === 'serving')).toBe(true);

    w.dns.failWith = null;
    w.clock.advance(1000);
    // The failed pass retried within its invocation (3 s, then 6 s later); meanwhile the probes went on.
    for (const o of [a, b, c]) await o!.probe.round();
    const retried = await b!.decide.run();
    expect(retried.error).toBeNull();
    expect(retried.changeIds).toHaveLength(1);
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
  });

  it('writes a failing target\'s first passing round as soon as it answers, not when the round\'s slowest probe times out', async () => {
    const w = world();
    const us = w.observers[0]!;
    us.prober.set('eu-west-1', { kind: 'down' });
    await us.probe.round();
    expect(w.store.snapshots.get('us-east-1')!.verdicts['eu-west-1']).toMatchObject({ status: 'unhealthy', consecutivePasses: 0 });
    // eu-west-1 is back; the probe of ap-southeast-2 hangs until its timeout (released by hand).
    us.prober.set('eu-west-1', { kind: 'up' });
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => { release = resolve; });
    const probe = us.prober.probe.bind(us.prober);
    us.prober.probe = async (target, index, endpoint) => {
      if (target === 'ap-southeast-2') await hanging;
      return probe(target, index, endpoint);
    };
    // Sooner than the snapshot's refresh (a round right after a write, as after a slow one): only the pass makes it due.
    w.clock.advance(w.config.probe.intervalMs / 4);
    const round = us.probe.round();
    for (let i = 0; i < 50; i += 1) await Promise.resolve();
    const written = w.store.snapshots.get('us-east-1')!;
    expect(written.verdicts['eu-west-1']).toMatchObject({ status: 'unhealthy', consecutivePasses: 1 });
    release();
    const outcome = await round;
    expect(outcome.snapshot.seq).toBeGreaterThanOrEqual(written.seq);
    expect(outcome.snapshot.verdicts['eu-west-1']).toMatchObject({ consecutivePasses: 1 });
    expect(outcome.snapshot.verdicts['ap-southeast-2']).toMatchObject({ status: 'healthy' });
  });

  it('a confirmation whose snapshot write fails while the next is spaced out is reported by the round, never left unhandled', () => {
    // Its own process: jest does not surface unhandled rejections, Node (and Lambda) end the process on one.
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'test', 'support', 'confirmation-store-failure.ts')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/unhandled|TransientError/i);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as { outcome: string; writes: number };
    expect(report.writes).toBeGreaterThanOrEqual(2);
    expect(report.outcome).toBe('rejected: store replica unavailable (putSnapshot)');
  });

  describe('a drain that waited (late) is sent only on a probe taken after Route 53 answered', () => {
    /** eu-west-1 judged down by a and b, then Route 53 unavailable for several rounds while the probes go on. */
    async function waitedOutOutage(warm = false, failing: PathBehaviour = { kind: 'down' }) {
      const w = world();
      const [a, b, c] = w.observers;
      // warm: a's runtime (one per Lambda container, kept across invocations) saw Route 53 answer before the outage.
      if (warm) expect((await a!.decide.run()).error).toBeNull();
      a!.prober.set('eu-west-1', failing);
      b!.prober.set('eu-west-1', failing);
      w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
      for (let i = 0; i < 4; i += 1) await cycle(w);
      // Fresh verdicts (each failed decide waited out its retries), still failing, then b's vote on them.
      for (const o of [a, b, c]) await o!.probe.round();
      await b!.decide.run();
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
      expect(a!.probe.current()!.verdicts['eu-west-1']!.status).toBe('unhealthy');
      w.keepProbing([b!.observer, c!.observer]); // a decides: its prober counts only its own probes
      return { w, a: a!, b: b!, c: c! };
    }

    it('holds it when the target answers that probe (its fault ended with the outage)', async () => {
      const { w, a } = await waitedOutOutage();
      // The region returns with Route 53: a's latest probe round (before it) still failed.
      a.prober.set('eu-west-1', { kind: 'up' });
      w.dns.failWith = null;
      const callsBefore = a.prober.calls;
      const outcome = await a.decide.run();
      expect(outcome.decision.routing['eu-west-1']).toBe('drained');
      expect(a.prober.calls).toBe(callsBefore + 1);
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
    });

    it.each<[string, PathBehaviour]>([
      ['the target still fails that probe', { kind: 'down' }],
      // 1200 ms answers: inside timeoutMs (2000), above latencyMsMax (500).
      ['a gray target answers that probe slowly: the probe is judged as a round is, latency window included', { kind: 'slow', latencyMs: 1_200 }],
    ])('sends it when %s', async (_, failing) => {
      const { w, a } = await waitedOutOutage(false, failing);
      w.dns.failWith = null;
      const callsBefore = a.prober.calls;
      const outcome = await a.decide.run();
      expect(a.prober.calls).toBe(callsBefore + 1);
      expect(outcome.changeIds).toHaveLength(1);
      expect(w.dns.weightOf('eu-west-1')).toBe(0);
    });

    it('holds it when this observer\'s probe fails but peers\' rounds since then pass (the deciding observer is the impaired one)', async () => {
      const { w, a, b } = await waitedOutOutage();
      // The fault ended for everyone but a, whose path to eu-west-1 stays broken.
      b.prober.set('eu-west-1', { kind: 'up' });
      w.dns.failWith = null;
      // b's verdict is unhealthy, and stays so until recoveryThreshold passes accrue: it alone would confirm the drain.
      expect(b.probe.current()!.verdicts['eu-west-1']!.status).toBe('unhealthy');
      const callsBefore = a.prober.calls;
      const startedMs = w.clock.nowMs();
      const outcome = await a.decide.run();
      expect(a.prober.calls).toBe(callsBefore + 1);
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
      expect(w.clock.nowMs() - startedMs).toBeLessThanOrEqual(lateEvidenceWaitMs(w.config.probe.intervalMs, 2_000));
    });

    it('holds it, after waiting lateEvidenceWaitMs, when no peer\'s round since this observer\'s probe comes (peers dead, or not yet replicated)', async () => {
      const { w, a } = await waitedOutOutage();
      w.keepProbing([]);
      w.dns.failWith = null;
      const startedMs = w.clock.nowMs();
      const outcome = await a.decide.run();
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
      expect(w.clock.nowMs() - startedMs).toBe(lateEvidenceWaitMs(w.config.probe.intervalMs, 2_000));
    });

    /** `a`'s deps over a replica whose peers' snapshots stay as they are now (lag), its own writes landing at once. */
    async function frozenPeers(w: World, a: World['observers'][number]) {
      const frozen = new Map((await w.store.readView(w.clock.nowMs())).snapshots.filter((s) => s.observer !== a.observer).map((s) => [s.observer, s]));
      const store = new Proxy(w.store, {
        get(target, key) {
          if (key === 'readView') {
            return async (nowMs: number) => {
              const view = await target.readView(nowMs);
              return { ...view, snapshots: view.snapshots.map((s) => frozen.get(s.observer) ?? s) };
            };
          }
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const deps: ObserverDeps = { ...a.deps, store };
      return { frozen, deps };
    }

    /**
     * a's replica lags: the peers' snapshots it reads stay as they were when the outage ended, while
     * its own writes land at once. The peers' rounds during a's wait reach a only as their events,
     * each waking another container of a, or not at all (`delivered: false`).
     */
    async function laggingReplica(delivered: boolean) {
      const { w, a, b, c } = await waitedOutOutage();
      w.dns.failWith = null;
      const { deps } = await frozenPeers(w, a);
      let woken = 0;
      w.clock.rounds = async () => {
        for (const peer of [b, c]) {
          const before = w.bus.published.length;
          await peer.probe.round();
          if (!delivered) continue;
          for (const event of w.bus.published.slice(before).filter((e) => e.type === 'verdicts')) {
            woken += 1;
            await new DecideRuntime(deps).run(event);
          }
        }
      };
      const outcome = await new DecideRuntime(deps).run();
      return { w, outcome, woken };
    }

    it('sends it when peers\' rounds since that probe reach this region only as events (its replica lags): another pass of this observer remembers them in its proposal, and the waiting pass reads them there', async () => {
      const { w, outcome, woken } = await laggingReplica(true);
      expect(woken).toBeGreaterThan(0);
      expect(outcome.changeIds).toHaveLength(1);
      expect(w.dns.weightOf('eu-west-1')).toBe(0);
    });

    it('holds it under the same lag when no peer\'s round reaches this region at all', async () => {
      const { w, outcome, woken } = await laggingReplica(false);
      expect(woken).toBe(0);
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
    });

    it.each([
      ['sends it when a quorum of peers judging the target unhealthy failed it since', true],
      ['holds it when one peer alone judging it unhealthy failed it since: this observer\'s failed probe is a round, not a verdict', false],
    ])('a decider whose own verdict is only suspect (one failed round): %s', async (_, bothPeers) => {
      // No confirmations: one failed round makes a verdict suspect, failureThreshold (3) of them unhealthy.
      const w = world(makeConfig({ probe: { ...instant, confirmCount: 0 } }));
      const [a, b, c] = w.observers as [World['observers'][number], World['observers'][number], World['observers'][number]];
      b.prober.set('eu-west-1', { kind: 'down' });
      c.prober.set('eu-west-1', { kind: 'down' });
      w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
      for (let i = 0; i < 4; i += 1) await cycle(w);
      // a's path to eu-west-1 fails from now on: one round, suspect.
      a.prober.set('eu-west-1', { kind: 'down' });
      for (const o of [a, b, c]) await o.probe.round();
      expect(a.probe.current()!.verdicts['eu-west-1']!.status).toBe('suspect');
      expect(c.probe.current()!.verdicts['eu-west-1']!.status).toBe('unhealthy');
      // Route 53 is back. c's probes stop (its region died) unless both peers go on.
      w.dns.failWith = null;
      w.keepProbing(bothPeers ? [b.observer, c.observer] : [b.observer]);
      const outcome = await a.decide.run();
      expect(outcome.decision.routing['eu-west-1']).toBe('drained');
      expect(outcome.changeIds).toHaveLength(bothPeers ? 1 : 0);
      expect(w.dns.weightOf('eu-west-1')).toBe(bothPeers ? 0 : 100);
    });

    it('holds it when the only failed rounds its proposal remembers were sent before that probe (no round since reaches it)', async () => {
      const { w, a, b } = await waitedOutOutage();
      // a's replica is frozen here; b then fails one more round, which a hears only as an event.
      const { frozen, deps } = await frozenPeers(w, a);
      w.clock.rounds = null;
      let heard = 0;
      for (let i = 0; i < 2; i += 1) {
        const before = w.bus.published.length;
        w.clock.advance(w.config.probe.intervalMs);
        await b.probe.round();
        for (const event of w.bus.published.slice(before).filter((e) => e.type === 'verdicts')) { heard += 1; await new DecideRuntime(deps).run(event); }
      }
      expect(heard).toBeGreaterThan(0);
      const own = (await w.store.readView(w.clock.nowMs())).proposals.filter((p) => p.observer === a.observer).sort((x, y) => y.seq - x.seq)[0]!;
      expect(own.evidence![b.observer]!.seq).toBeGreaterThan(frozen.get(b.observer)!.seq);
      expect(own.evidence![b.observer]!.failedMs?.['eu-west-1']).toBeDefined();
      await b.decide.run(); // b's vote stays fresh (Route 53 still down for it)
      // Peers keep probing but nothing of it reaches a (lost events, lagging replica).
      w.clock.rounds = async () => { await b.probe.round(); };
      w.dns.failWith = null;
      const outcome = await new DecideRuntime(deps).run();
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
    });

    it('holds it when the gray target answers that probe fast again', async () => {
      const { w, a } = await waitedOutOutage(false, { kind: 'slow', latencyMs: 1_200 });
      expect(a.probe.current()!.verdicts['eu-west-1']!.reason).toMatch(/latency/);
      a.prober.set('eu-west-1', { kind: 'up', latencyMs: 40 });
      w.dns.failWith = null;
      const outcome = await a.decide.run();
      expect(outcome.decision.routing['eu-west-1']).toBe('drained');
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
    });

    it('does not count an answer from an earlier invocation of the same warm runtime', async () => {
      const { w, a } = await waitedOutOutage(true);
      // The whole control plane is down now: reads fail as well as changes.
      w.dns.readFailWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
      const callsBefore = a.prober.calls;
      const outcome = await a.decide.run();
      // Route 53 has not answered in this invocation: the late drain is neither probed for nor sent.
      expect(a.prober.calls).toBe(callsBefore);
      expect(outcome.changeIds).toEqual([]);
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
    });

    /** The same drain, late because Route 53 throttled every change for several rounds (it was up throughout). */
    async function waitedOutThrottling(everyLoop = false) {
      const w = world();
      const [a, b, c] = w.observers;
      // Every observer decides in the cycles below, and waits for its peers' rounds: their loops go on.
      // a's only when asked, so that a's prober counts only a's own decide probes otherwise.
      w.keepProbing(everyLoop ? regions : [b!.observer, c!.observer]);
      a!.prober.set('eu-west-1', { kind: 'down' });
      b!.prober.set('eu-west-1', { kind: 'down' });
      w.dns.failWith = new DnsError('Rate exceeded', 'throttled');
      for (let i = 0; i < 4; i += 1) await cycle(w);
      for (const o of [a, b, c]) await o!.probe.round();
      expect(w.dns.weightOf('eu-west-1')).toBe(100);
      return { w, a: a! };
    }

    it('counts a throttled read as Route 53 answering: a new container probes, then sends the drain from the remembered state', async () => {
      const { w, a } = await waitedOutThrottling();
      // The account's one token goes to the change, not to the read.
      w.dns.readFailWith = new DnsError('Rate exceeded', 'throttled');
      w.dns.failWith = null;
      const callsBefore = a.prober.calls;
      const startedMs = w.clock.nowMs();
      const outcome = await new DecideRuntime(a.deps).run();
      expect(a.prober.calls).toBe(callsBefore + 1);
      expect(outcome.changeIds).toHaveLength(1);
      expect(w.dns.weightOf('eu-west-1')).toBe(0);
      // In the same pass: no wait for the invocation's retry (whose read would take the next token),
      // only for peers' rounds sent after a's confirming probe.
      expect(w.clock.nowMs() - startedMs).toBeLessThan(applyRetryDelaysMs[0]);
    });

    it('lets a warm container that heard Route 53 answer moments ago skip the read, and not one whose last word from it was unavailable', async () => {
      const { w, a } = await waitedOutThrottling(true);
      // Throttled once more: a's container heard Route 53 answer at the end of this invocation.
      await a.decide.run();
      w.dns.failWith = null;
      const readsBefore = w.dns.reads;
      const sent = await a.decide.run();
      expect(w.dns.reads).toBe(readsBefore);
      expect(sent.changeIds).toHaveLength(1);

      const other = await waitedOutThrottling(true);
      other.w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
      await other.a.decide.run();
      other.w.dns.failWith = null;
      const otherReads = other.w.dns.reads;
      expect((await other.a.decide.run()).changeIds).toHaveLength(1);
      expect(other.w.dns.reads).toBe(otherReads + 1);
    });

    it('does not count an answer older than route53AnswerFreshMs', async () => {
      const { w, a } = await waitedOutThrottling();
      w.dns.failWith = null;
      w.clock.advance(route53AnswerFreshMs + 1);
      await a.probe.round();
      const readsBefore = w.dns.reads;
      expect((await a.decide.run()).changeIds).toHaveLength(1);
      expect(w.dns.reads).toBe(readsBefore + 1);
    });

    it('probes several late drains at once: the pass waits for the slowest probe, not their sum', async () => {
      const w = world(makeConfig({ probe: instant, safety: { minServing: 1, maxDrained: 2 } }));
      const [a, b, c] = w.observers;
      for (const o of [a!, b!]) for (const target of ['eu-west-1', 'ap-southeast-2']) o.prober.set(target, { kind: 'down' });
      w.dns.failWith = new DnsError('Route 53 control plane unavailable', 'unavailable');
      for (let i = 0; i < 4; i += 1) await cycle(w);
      for (const o of [a, b, c]) await o!.probe.round();
      await b!.decide.run();
      w.keepProbing([b!.observer, c!.observer]);
      w.dns.failWith = null;
      // Counts a's probes in flight together (each yields once, as a network call does).
      const probe = a!.prober.probe.bind(a!.prober);
      const probed: string[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      a!.prober.probe = async (...args) => {
        probed.push(args[0]);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        try { return await probe(...args); } finally { inFlight -= 1; }
      };
      const outcome = await a!.decide.run();
      expect(probed.sort()).toEqual(['ap-southeast-2', 'eu-west-1']);
      expect(mostInFlight).toBe(2);
      expect(outcome.changeIds).toHaveLength(1);
      expect([w.dns.weightOf('eu-west-1'), w.dns.weightOf('ap-southeast-2')]).toEqual([0, 0]);
    });

    it('does not probe again for a drain judged in this round', async () => {
      const w = world();
      const [a, b, c] = w.observers;
      a!.prober.set('eu-west-1', { kind: 'down' });
      b!.prober.set('eu-west-1', { kind: 'down' });
      for (const o of [a, b, c]) await o!.probe.round();
      await b!.decide.run(); // b's vote, short of a quorum alone
      const callsBefore = a!.prober.calls;
      const outcome = await a!.decide.run();
      expect(outcome.changeIds).toHaveLength(1);
      expect(a!.prober.calls).toBe(callsBefore);
    });
  });

  it('keeps an override end learnt from an event in the stored proposal, so the next pass does not apply the ended override', async () => {
    const w = world();
    for (let i = 0; i < 3; i += 1) await cycle(w);
    const x = w.observers[0]!;
    const nowMs = w.clock.nowMs();
    const override = { id: 'ov-1', target: 'eu-west-1', action: 'drain' as const, createdMs: nowMs - 3000, expiresMs: nowMs + 3_600_000, reason: 'm', actor: 'ops', force: false, source: 'api' as const };
    const end = { overrideId: 'ov-1', endedMs: nowMs - 1000, actor: 'ops', reason: 'back' };
    // The end arrives by event before either item replicates here; it changes no vote, yet it is stored.
    w.clock.advance(500);
    const first = await x.decide.run({ type: 'override-end', observer: 'eu-west-1', end });
    expect(first.proposalWritten).toBe(true);
    expect(first.proposal.overrideEnds).toEqual([end]);
    // The override item replicates here; its end has not yet.
    await w.store.appendOverride(override);
    w.clock.advance(500);
    const next = await x.decide.run({ type: 'override', observer: 'eu-west-1', override });
    expect(next.proposal.targets['eu-west-1']).toMatchObject({ state: 'serving', cause: 'healthy' });
  });

  it('changes Route 53 once when decide runs twice (and in every region)', async () => {
    const w = world();
    const [a, b] = w.observers;
    a!.prober.set('ap-southeast-2', { kind: 'down' });
    b!.prober.set('ap-southeast-2', { kind: 'down' });
    await cycle(w);
    for (const o of w.observers) {
      const again = await o.decide.run();
      expect(again.changeIds).toEqual([]);
      expect(again.plan!.changes).toEqual([]);
    }
    expect(w.dns.changes).toHaveLength(1);
    // One batch for the zone: the change, plus every other bound record at its decided weight (whole-zone write).
    expect(w.dns.changes[0]!.changes.filter((c) => c.fromWeight !== c.toWeight).map((c) => [c.target, c.fromWeight, c.toWeight])).toEqual([['ap-southeast-2', 100, 0]]);
    expect(w.dns.changes[0]!.changes.map((c) => c.target).sort()).toEqual([...regions].sort());
  });

  it('audits a safety refusal once, not on every run', async () => {
    const w = world(); // maxDrained 1, minServing 1
    for (const o of w.observers) for (const target of regions) o.prober.set(target, { kind: 'down' });
    for (let i = 0; i < 6; i += 1) await cycle(w); // 60 s: proposals are rewritten (refresh) more than once
    expect(w.dns.changes).toHaveLength(1);
    expect(regions.filter((r) => w.dns.weightOf(r) === 0)).toHaveLength(1);
    const audits = refusalAudits(w);
    // Two targets refused, by each of the three observers: six entries, each once.
    expect(audits).toHaveLength(6);
    expect(new Set(audits.map((e) => `${e.observer}|${String(e.details.target)}|${String(e.details.rule)}`)).size).toBe(6);
    expect(audits.some((e) => /^minServing 1: draining \S+ would leave 0 serving$/.test(e.summary))).toBe(true);
  });

  it('a confirm alarm marks the target suspect (one failure) and every observer re-probes at once', async () => {
    const w = world(makeConfig({ probe: instant, alarms: [{ name: 'us-5xx', target: 'us-east-1', effect: 'confirm' }] }));
    for (const o of w.observers) await o.probe.round();
    for (const o of w.observers) o.prober.set('us-east-1', { kind: 'down' });
    const callsBefore = w.observers.map((o) => o.prober.calls);
    const recorded = await recordAlarmChange(w.observers[0]!.deps, { alarmName: 'us-5xx', state: 'ALARM', changedMs: w.clock.nowMs() });
    expect(recorded).toMatchObject({ recorded: true, duplicate: false });
    const probeNow = w.bus.published.find((e): e is Extract<ArbiterEvent, { type: 'probe-now' }> => e.type === 'probe-now' && e.alarmName === 'us-5xx');
    expect(probeNow).toBeDefined();
    for (const o of w.observers) {
      const outcome = await o.probe.answerProbeNow(probeNow!);
      // The alarm counted as the first failure: with the round's probe and both pipelined
      // confirmations (sent 1 s apart, before earlier answers are in) that is 4 failures in a row.
      expect(outcome!.snapshot.verdicts['us-east-1']!.status).toBe('unhealthy');
      expect(outcome!.snapshot.verdicts['us-east-1']!.consecutiveFailures).toBe(4);
    }
    // One round probe plus at most confirmCount (2) confirmations: the bound holds with pipelining.
    expect(w.observers.map((o, i) => o.prober.calls - callsBefore[i]!)).toEqual([3, 3, 3]);
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.weightOf('us-east-1')).toBe(0);
  });

  it('a confirm alarm on a healthy target re-probes and changes nothing', async () => {
    const w = world(makeConfig({ probe: instant, alarms: [{ name: 'us-5xx', target: 'us-east-1', effect: 'confirm' }] }));
    for (const o of w.observers) await o.probe.round();
    const [a] = w.observers;
    const before = a!.prober.calls;
    const outcome = await a!.probe.answerProbeNow({ observer: 'eu-west-1', target: 'us-east-1', alarmName: 'us-5xx' });
    expect(a!.prober.calls - before).toBe(1);
    expect(outcome!.snapshot.verdicts['us-east-1']).toMatchObject({ status: 'healthy', consecutiveFailures: 0 });
    for (const o of w.observers) await o.decide.run();
    expect(w.dns.changes).toHaveLength(0);
  });

  it('an indict alarm drains its target through a quorum of proposals, with healthy verdicts', async () => {
    const w = world(makeConfig({ probe: instant, alarms: [{ name: 'eu-5xx', target: 'eu-west-1', effect: 'indict' }] }));
    const [a, b] = w.observers;
    for (const o of w.observers) await o.probe.round();
    await recordAlarmChange(a!.deps, { alarmName: 'eu-5xx', state: 'ALARM', changedMs: w.clock.nowMs() });
    const first = await a!.decide.run();
    expect(first.proposal.targets['eu-west-1']).toMatchObject({ state: 'drained', cause: 'alarm' });
    expect(first.decision.routing['eu-west-1']).toBe('serving');
    expect(w.dns.weightOf('eu-west-1')).toBe(100);
    const second = await b!.decide.run();
    expect(second.decision.supporters['eu-west-1']).toEqual(['eu-west-1', 'us-east-1']);
    expect(w.dns.weightOf('eu-west-1')).toBe(0);
  });
});
