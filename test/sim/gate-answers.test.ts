/**
 * The simulated gates (sim/dataplane/health-checks.ts GateAnswers): when a gate-answer entry says a
 * gate began answering a path, which is when the checker judges a data-plane drain or release.
 */
import { GateAnswers, type GateAnswersDeps } from '../../sim/dataplane/health-checks';
import { gateCacheMs } from '../../shared/adapters/aws/dataplane-gate';

type Entry = Parameters<GateAnswersDeps['record']>[0];

function gates(votes: (nowMs: number) => Set<string>, answers: (nowMs: number) => boolean = () => true) {
  const clock = { nowMs: 0 };
  const entries: Entry[] = [];
  const computed: number[] = [];
  const g = new GateAnswers({
    targets: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    nowMs: () => clock.nowMs,
    answers: () => answers(clock.nowMs),
    votes: (_observer, nowMs) => { computed.push(nowMs); return votes(nowMs); },
    record: (e) => entries.push(e),
  });
  /** A checker of `target` asks `observer`'s gate at `atMs`, as scheduleGateCheckers does. */
  const ask = (atMs: number, observer: string, target: string) => {
    clock.nowMs = atMs;
    const drained = g.drains(observer);
    g.answered(observer, target, drained !== null && drained.has(target));
    return drained !== null && drained.has(target);
  };
  /** A request refused (a flood): "no drain" for it, without asking the gate. */
  const refuse = (atMs: number, observer: string, target: string) => {
    clock.nowMs = atMs;
    g.answered(observer, target, false);
  };
  return { ask, refuse, entries, computed };
}

describe('simulated gates', () => {
  it('record a change for every path when the gate computes it, not when that path is next asked', () => {
    // The gate votes eu-west-1 drained from 100 s; only us-east-1's checker asks at 101 s, eu-west-1's at 125 s.
    const { ask, entries } = gates((nowMs) => new Set(nowMs >= 100_000 ? ['eu-west-1'] : []));
    expect(ask(90_000, 'us-east-1', 'us-east-1')).toBe(false);
    expect(ask(101_000, 'us-east-1', 'us-east-1')).toBe(false);
    expect(ask(125_000, 'us-east-1', 'eu-west-1')).toBe(true);
    expect(entries).toEqual([{ atMs: 101_000, kind: 'gate-answer', observer: 'us-east-1', target: 'eu-west-1', drain: true }]);
  });

  it('answer from their cache for gateCacheMs, and record the change when the cache is recomputed', () => {
    const { ask, entries, computed } = gates((nowMs) => new Set(nowMs >= 100_500 ? ['eu-west-1'] : []));
    ask(100_000, 'eu-west-1', 'us-east-1');
    expect(ask(100_000 + gateCacheMs - 1, 'eu-west-1', 'eu-west-1')).toBe(false); // cached: still the 100 s answer
    expect(computed).toEqual([100_000]);
    ask(100_000 + gateCacheMs, 'eu-west-1', 'us-east-1');
    expect(computed).toEqual([100_000, 100_000 + gateCacheMs]);
    expect(entries).toEqual([{ atMs: 100_000 + gateCacheMs, kind: 'gate-answer', observer: 'eu-west-1', target: 'eu-west-1', drain: true }]);
  });

  it('read "no drain" on every path while the gate does not answer, recorded when it stops', () => {
    const { ask, entries } = gates(() => new Set(['ap-southeast-2']), (nowMs) => nowMs < 50_000 || nowMs >= 80_000);
    ask(10_000, 'us-east-1', 'us-east-1');
    expect(ask(60_000, 'us-east-1', 'us-east-1')).toBe(false);
    expect(ask(90_000, 'us-east-1', 'us-east-1')).toBe(false);
    expect(entries.filter((e) => e.target === 'ap-southeast-2').map((e) => [e.atMs, e.drain])).toEqual([[10_000, true], [60_000, false], [90_000, true]]);
  });

  it('record a refused request as "no drain" for that request\'s path only', () => {
    const { ask, refuse, entries } = gates(() => new Set(['eu-west-1', 'ap-southeast-2']));
    ask(10_000, 'us-east-1', 'eu-west-1');
    refuse(12_000, 'us-east-1', 'eu-west-1');
    ask(14_000, 'us-east-1', 'eu-west-1');
    expect(entries.map((e) => [e.atMs, e.target, e.drain])).toEqual([[10_000, 'eu-west-1', true], [10_000, 'ap-southeast-2', true], [12_000, 'eu-west-1', false], [14_000, 'eu-west-1', true]]);
  });
});
