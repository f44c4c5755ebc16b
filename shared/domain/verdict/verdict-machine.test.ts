import { makeConfig } from '../../../test/support/fixtures';
import type { ProbeEvaluation, TargetVerdict } from '../types';
import { initialVerdict, latencySamplesMin, markSuspectBySignal, stepVerdict, withPassesOf } from './verdict-machine';

const config = makeConfig();
const endpoints = config.targets[0]!.endpoints; // latencyMsMax 500, timeoutMs 2000
// failureThreshold 3, recoveryThreshold 3, window 10, p90; the minimum failure duration has tests of its own below.
const probe = { ...config.probe, failureMinDurationMs: 0 };

const pass = (latencyMs = 80): ProbeEvaluation => ({ endpointIndex: 0, pass: true, answered: true, latencyMs, reason: `status 200 in ${latencyMs} ms` });
const fail = (reason = 'timeout: no answer'): ProbeEvaluation => ({ endpointIndex: 0, pass: false, answered: false, latencyMs: 2000, reason });

/** Steps a verdict through rounds, one second apart; returns every step. */
function run(rounds: ProbeEvaluation[][], start: TargetVerdict = initialVerdict('us-east-1', 1, 0)) {
  const steps = [];
  let verdict = start;
  for (const [i, evaluations] of rounds.entries()) {
    const step = stepVerdict(verdict, evaluations, endpoints, probe, (i + 1) * 1000);
    steps.push(step);
    verdict = step.verdict;
  }
  return steps;
}

describe('verdict machine', () => {
  it('starts healthy: traffic moves only on evidence', () => {
    expect(initialVerdict('eu-west-1', 2, 5)).toMatchObject({ status: 'healthy', consecutiveFailures: 0, changedMs: 5, latencySamplesMs: [[], []], latencyQuantileMs: [null, null] });
  });

  it('turns suspect on a first failure and asks to confirm now', () => {
    const [step] = run([[fail()]]);
    expect(step).toMatchObject({ changed: true, confirmNow: true, failed: true });
    expect(step!.verdict).toMatchObject({ status: 'suspect', consecutiveFailures: 1, changedMs: 1000, reason: 'timeout: no answer' });
  });

  it('reaches unhealthy after failureThreshold failures in a row, fast confirmations counted', () => {
    const steps = run([[fail()], [fail()], [fail()]]);
    expect(steps.map((s) => s.verdict.status)).toEqual(['suspect', 'suspect', 'unhealthy']);
    expect(steps[2]!.confirmNow).toBe(false);
    expect(steps[2]!.verdict.changedMs).toBe(3000);
  });

  it('goes back from suspect to healthy on one pass (a blip)', () => {
    const steps = run([[fail()], [pass()]]);
    expect(steps.map((s) => s.verdict.status)).toEqual(['suspect', 'healthy']);
    expect(steps[1]!.verdict.consecutiveFailures).toBe(0);
  });

  it('restores an unhealthy target only after recoveryThreshold passes in a row', () => {
    const steps = run([[fail()], [fail()], [fail()], [pass()], [pass()], [fail()], [pass()], [pass()], [pass()]]);
    expect(steps.map((s) => s.verdict.status)).toEqual(['suspect', 'suspect', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']);
  });

  it('fails a round when any endpoint fails, with that endpoint\'s reason', () => {
    const twoEndpoints = [endpoints[0]!, { ...endpoints[0]!, url: 'https://x.example.com/deep' }];
    const step = stepVerdict(initialVerdict('us-east-1', 2, 0), [pass(), { ...fail('status 503 outside 200-299'), endpointIndex: 1, answered: true, latencyMs: 40 }], twoEndpoints, probe, 1000);
    expect(step.verdict).toMatchObject({ status: 'suspect', reason: 'status 503 outside 200-299' });
    expect(step.verdict.latencySamplesMs).toEqual([[80], [40]]);
  });

  describe('gray failure through the latency window', () => {
    it('fails rounds once the window quantile exceeds latencyMsMax, although every answer was 200', () => {
      const slow = Array.from({ length: 6 }, () => [pass(900)]);
      const steps = run(slow);
      // Fewer than latencySamplesMin samples: the quantile is not trusted yet.
      expect(steps.slice(0, latencySamplesMin - 1).every((s) => !s.failed)).toBe(true);
      expect(steps[latencySamplesMin - 1]!.failed).toBe(true);
      expect(steps[latencySamplesMin - 1]!.verdict.reason).toBe('p90 latency 900 ms > latencyMsMax 500 ms (endpoint 0)');
      expect(steps.map((s) => s.verdict.status)).toEqual(['healthy', 'healthy', 'suspect', 'suspect', 'unhealthy', 'unhealthy']);
    });

    it('tolerates a few slow answers while the quantile stays under the limit', () => {
      const rounds = [...Array.from({ length: 9 }, () => [pass(100)]), [pass(1500)]];
      const steps = run(rounds);
      expect(steps.every((s) => s.verdict.status === 'healthy')).toBe(true);
      expect(steps[9]!.verdict.latencyQuantileMs).toEqual([100]);
    });

    it('keeps at most latencyWindowSize samples; fast answers pass at once and the target recovers', () => {
      const rounds = [...Array.from({ length: 10 }, () => [pass(900)]), ...Array.from({ length: 11 }, () => [pass(100)])];
      const steps = run(rounds);
      expect(steps[9]!.verdict.status).toBe('unhealthy');
      expect(steps.at(-1)!.verdict.latencySamplesMs[0]).toHaveLength(probe.latencyWindowSize);
      expect(steps.at(-1)!.verdict.status).toBe('healthy');
      // The window's p90 stays above 500 ms until 9 fast samples are in, but a round fails as gray
      // only while its own answer is slow too: the first fast answer passes (round 11), and
      // recoveryThreshold (3) passes make the target healthy (round 13).
      const firstPass = steps.findIndex((s, i) => i >= 10 && !s.failed);
      expect(firstPass).toBe(10);
      expect(steps[10]!.verdict.latencyQuantileMs[0]).toBe(900);
      expect(steps[11]!.verdict.status).toBe('unhealthy');
      expect(steps[12]!.verdict.status).toBe('healthy');
    });

    it('does not count unanswered probes as latency samples', () => {
      const step = run([[fail()]])[0]!;
      expect(step.verdict.latencySamplesMs).toEqual([[]]);
      expect(step.verdict.lastLatencyMs).toBeNull();
    });
  });

  it('refuses a round with no evaluations', () => {
    expect(() => stepVerdict(initialVerdict('us-east-1', 1, 0), [], endpoints, probe, 1)).toThrow(/at least one evaluation/);
  });

  describe('markSuspectBySignal (confirm alarm)', () => {
    it('makes a healthy target suspect and asks to confirm, counting one failure', () => {
      const step = markSuspectBySignal(initialVerdict('us-east-1', 1, 0), 'alarm x in ALARM', 50);
      expect(step).toMatchObject({ changed: true, confirmNow: true });
      expect(step.verdict).toMatchObject({ status: 'suspect', consecutiveFailures: 1, changedMs: 50, reason: 'alarm x in ALARM' });
    });

    it('never makes a target unhealthy by itself', () => {
      const unhealthy = run([[fail()], [fail()], [fail()]]).at(-1)!.verdict;
      const step = markSuspectBySignal(unhealthy, 'alarm', 10_000);
      expect(step.changed).toBe(false);
      expect(step.verdict).toBe(unhealthy);
      const suspect = run([[fail()]])[0]!.verdict;
      expect(markSuspectBySignal(suspect, 'alarm', 10_000).verdict.status).toBe('suspect');
    });
  });

  describe('minimum failure duration (an ordinary blip never makes unhealthy)', () => {
    const lasting = { ...config.probe, failureMinDurationMs: 10_000 };
    const failAt = (startedMs: number): ProbeEvaluation => ({ ...fail(), startedMs });
    const passAt = (startedMs: number): ProbeEvaluation => ({ ...pass(), startedMs });
    const steps = (evaluations: ProbeEvaluation[]) => {
      let verdict = initialVerdict('us-east-1', 1, 0);
      return evaluations.map((e) => (verdict = stepVerdict(verdict, [e], endpoints, lasting, (e.startedMs ?? 0) + 2000).verdict));
    };

    it('keeps a target suspect through a 10 s blip probed every 0.5 s, however many probes fail', () => {
      const blip = Array.from({ length: 20 }, (_, i) => failAt(50_000 + i * 500)); // sent 50.0 … 59.5 s
      const verdicts = steps([...blip, passAt(60_000)]);
      expect(verdicts.slice(0, 20).every((v) => v.status === 'suspect')).toBe(true);
      expect(verdicts[19]!.reason).toContain('failing for 9500 ms of the 10000 ms needed');
      expect(verdicts[20]!.status).toBe('healthy');
    });

    it('judges unhealthy at the first failing probe sent 10 s after the first one', () => {
      const verdicts = steps(Array.from({ length: 12 }, (_, i) => failAt(50_000 + i * 1000)));
      expect(verdicts.map((v) => v.status).indexOf('unhealthy')).toBe(10);
      expect(verdicts[10]!.failingSinceMs).toBe(50_000);
    });

    it('starts the duration again after a pass', () => {
      const verdicts = steps([failAt(0), failAt(6_000), passAt(8_000), failAt(9_000), failAt(14_000), failAt(19_000)]);
      expect(verdicts.map((v) => v.status)).toEqual(['suspect', 'suspect', 'healthy', 'suspect', 'suspect', 'unhealthy']);
    });

    it('orders evidence by when it was sent: a failure sent before a pass that came back first is stale', () => {
      // A blip 96-102.7 s: a confirmation sent at 102.0 s times out at 104.0 s, after a probe sent at
      // 103.8 s passed. Then a second blip from 112.3 s. Counted as it came back, the run of
      // failures started at 102.0 s and the second blip completed it (14.8 s > 10 s: unhealthy).
      let verdict = initialVerdict('us-east-1', 1, 0);
      const at = (e: ProbeEvaluation, backMs: number) => (verdict = stepVerdict(verdict, [e], endpoints, lasting, backMs).verdict);
      at(failAt(96_300), 98_300);
      at(passAt(103_800), 103_900);
      expect(verdict).toMatchObject({ status: 'healthy', passedMs: 103_800, failingSinceMs: null });
      const late = stepVerdict(verdict, [failAt(102_000)], endpoints, lasting, 104_000);
      expect(late).toMatchObject({ changed: false, failed: false });
      expect(late.verdict).toBe(verdict);
      for (const sent of [112_300, 114_800, 117_300, 119_800]) at(failAt(sent), sent + 2000);
      expect(verdict.status).toBe('suspect'); // 112.3-119.8 s: 7.5 s of failures, a blip
      expect(verdict.failingSinceMs).toBe(112_300);
      // The same late failure when nothing passed after it is evidence like any other.
      const fresh = steps([failAt(96_300), failAt(102_000), failAt(106_400)]);
      expect(fresh[2]!.status).toBe('unhealthy');
    });

    it('re-reads a concurrent writer\'s snapshot with its own unwritten passes: a run that began before them is broken', () => {
      // The loop passed at 10 s (healthy, not rewritten); a probe-now invocation stored a failure sent at 5 s.
      const loop = { observer: 'eu-west-1', seq: 4, writtenMs: 1_000, verdicts: { 'us-east-1': { ...initialVerdict('us-east-1', 1, 0), passedMs: 10_000 } } };
      const other = stepVerdict({ ...initialVerdict('us-east-1', 1, 0), passedMs: 1_000 }, [failAt(5_000)], endpoints, lasting, 11_000).verdict;
      const stored = { observer: 'eu-west-1', seq: 5, writtenMs: 11_000, verdicts: { 'us-east-1': other } };
      expect(other).toMatchObject({ status: 'suspect', failingSinceMs: 5_000 });
      const merged = withPassesOf(stored, loop);
      expect(merged.seq).toBe(5);
      expect(merged.verdicts['us-east-1']).toMatchObject({ status: 'suspect', failingSinceMs: 5_000, passedMs: 10_000 });
      expect(withPassesOf(stored, null)).toBe(stored);
      expect(withPassesOf(merged, { ...loop, verdicts: { 'us-east-1': { ...loop.verdicts['us-east-1'], passedMs: 2_000 } } }).verdicts['us-east-1']!.passedMs).toBe(10_000);
      // The loop's next blip, 12-21 s: its run starts at 12 s, not at the other writer's 5 s.
      let verdict = merged.verdicts['us-east-1']!;
      for (const sent of [12_000, 15_000, 18_000]) verdict = stepVerdict(verdict, [failAt(sent)], endpoints, lasting, sent + 2000).verdict;
      expect(verdict).toMatchObject({ status: 'suspect', failingSinceMs: 12_000, consecutiveFailures: 3 });
      verdict = stepVerdict(verdict, [failAt(22_000)], endpoints, lasting, 24_000).verdict;
      expect(verdict.status).toBe('unhealthy'); // 10 s after 12 s: evidence like any other
    });

    it('does not let a pass sent before the current run of failures began break it', () => {
      let verdict = initialVerdict('us-east-1', 1, 0);
      const at = (e: ProbeEvaluation, backMs: number) => (verdict = stepVerdict(verdict, [e], endpoints, lasting, backMs).verdict);
      at(failAt(50_000), 52_000);
      at(failAt(55_000), 57_000);
      at(passAt(49_900), 57_100); // sent before the first failure, answered late
      expect(verdict).toMatchObject({ status: 'suspect', failingSinceMs: 50_000, consecutiveFailures: 2 });
      at(failAt(60_000), 62_000);
      expect(verdict.status).toBe('unhealthy');
      at(passAt(60_500), 61_000); // sent after it: a pass like any other
      expect(verdict.consecutivePasses).toBe(1);
    });

    it('does not fail a round on a slow window once the current answer is fast again', () => {
      let verdict = initialVerdict('us-east-1', 1, 0);
      for (let i = 0; i < 5; i += 1) verdict = stepVerdict(verdict, [pass(900)], endpoints, probe, i * 1000).verdict;
      expect(verdict.latencyQuantileMs[0]).toBe(900);
      const after = stepVerdict(verdict, [pass(80)], endpoints, probe, 6000);
      expect(after.failed).toBe(false);
      expect(after.verdict.latencyQuantileMs[0]).toBe(900);
    });
  });
});

