/** The local dashboard's timeline: bounded, and a line only when an event says something new. */
import type { ArbiterEvent, TargetVerdict } from '../../shared/domain';
import { eventDescriber, Timeline, timelineEntriesMax } from '../../cli/local/timeline';
import { isRoutineLogLine, withContext } from '../../cli/local/local-world';

const verdict = (target: string, status: TargetVerdict['status'], reason = 'status 200'): TargetVerdict => ({
  target, status, reason, consecutiveFailures: 0, consecutivePasses: 0, latencySamplesMs: [], latencyQuantileMs: [], lastLatencyMs: null, changedMs: 0, probedMs: 0,
});
const verdicts = (observer: string, seq: number, entries: TargetVerdict[]): ArbiterEvent => ({ type: 'verdicts', observer, snapshot: { observer, seq, writtenMs: seq, verdicts: Object.fromEntries(entries.map((v) => [v.target, v])) } });

describe('local timeline', () => {
  it('keeps at most timelineEntriesMax entries, newest last, and returns those after a seq', () => {
    const timeline = new Timeline(() => 5);
    for (let i = 0; i < timelineEntriesMax + 10; i += 1) timeline.add({ observer: null, kind: 'info', text: `e${i}` });
    const all = timeline.since(0);
    expect(all).toHaveLength(timelineEntriesMax);
    expect(all.at(-1)!.text).toBe(`e${timelineEntriesMax + 9}`);
    expect(timeline.since(all.at(-2)!.seq).map((e) => e.text)).toEqual([`e${timelineEntriesMax + 9}`]);
  });

  it('describes a verdict change once per observer and stays quiet while nothing changes', () => {
    const describe = eventDescriber();
    expect(describe(verdicts('us-east-1', 1, [verdict('eu-west-1', 'healthy')]))).toBeNull();
    expect(describe(verdicts('us-east-1', 2, [verdict('eu-west-1', 'unhealthy', 'status 503')]))).toEqual({ kind: 'verdict', text: 'sees eu-west-1 unhealthy (status 503)' });
    expect(describe(verdicts('us-east-1', 3, [verdict('eu-west-1', 'unhealthy', 'status 503')]))).toBeNull();
    expect(describe(verdicts('eu-west-1', 1, [verdict('eu-west-1', 'unhealthy', 'status 503')]))).not.toBeNull();
  });

  it('names the Route 53 change of an applied decision', () => {
    const line = eventDescriber()({ type: 'applied', observer: 'us-east-1', applied: { observer: 'us-east-1', decisionId: 'd-1', decidedMs: 1, appliedMs: 2, routing: { 'eu-west-1': 'drained' }, changeId: 'C9', lastFlipMs: {} } });
    expect(line).toEqual({ kind: 'decision', text: 'applied decision d-1: eu-west-1 drained (Route 53 change C9)' });
  });

  it('says a refused drill was refused, with why, and a shadow drill\'s RTO is predicted', () => {
    const describe = eventDescriber();
    const refused = describe({ type: 'drill-report', observer: 'us-east-1', report: { id: 'drill-1', target: 'eu-west-1', passed: false, status: 'refused', mode: 'evacuate', problems: ['otherDrained: another target is already drained: us-east-1'], rtoMs: null } });
    expect(refused).toEqual({ kind: 'drill', text: 'evacuate drill drill-1 on eu-west-1 refused (otherDrained: another target is already drained: us-east-1)' });
    const failed = describe({ type: 'drill-report', observer: 'us-east-1', report: { id: 'drill-2', target: 'eu-west-1', passed: false, status: 'failed', mode: 'evacuate', problems: [], rtoMs: 200_000 } });
    expect(failed?.text).toBe('evacuate drill drill-2 on eu-west-1 failed (RTO 200.0 s)');
    const shadow = describe({ type: 'drill-report', observer: 'us-east-1', report: { id: 'drill-3', target: 'eu-west-1', passed: true, status: 'passed', mode: 'shadow', problems: [], rtoMs: 72_000 } });
    expect(shadow?.text).toBe('shadow drill drill-3 on eu-west-1 passed (predicted RTO 72.0 s)');
  });

  it('writes log lines in words: plain context values, no JSON', () => {
    expect(withContext('safety rule refused an automatic action', { rule: 'maxDrained', message: 'maxDrained 1', targets: ['a', 'b'], nested: { x: 1 } })).toBe('safety rule refused an automatic action: rule maxDrained; message maxDrained 1; targets a, b');
    expect(withContext('probe round failed')).toBe('probe round failed');
  });

  it('leaves routine retries out: a lost compare-and-swap on Route 53, a concurrent pass, but not a real Route 53 failure', () => {
    expect(isRoutineLogLine('Route 53 change failed', { code: 'conflict', attempt: 1 })).toBe(true);
    expect(isRoutineLogLine('a concurrent decide pass wrote first; deciding again from the store', { attempt: 1 })).toBe(true);
    expect(isRoutineLogLine('Route 53 change failed', { code: 'throttled', attempt: 1 })).toBe(false);
    expect(isRoutineLogLine('safety rule refused an automatic action', { rule: 'maxDrained' })).toBe(false);
  });
});

