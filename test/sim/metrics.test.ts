import { validateConfig } from '../../shared/domain';
import { configInput } from '../support/fixtures';
import { FaultTimeline, type ActiveFault } from '../../sim/faults';
import { truthMetrics } from '../../sim/metrics';
import { GroundTruth } from '../../sim/truth';

describe('truth metrics (the bench\'s false drains and dead-left-serving)', () => {
  const input = configInput();
  input.alarms = [{ name: 'ap-5xx', target: 'ap-southeast-2', effect: 'indict' }];
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const config = result.config;
  // No fault on ap-southeast-2's application; its indicting alarm is in ALARM from 220 s.
  const faults = [{ index: 0, spec: { kind: 'alarm', alarm: 'ap-5xx', state: 'ALARM', atMs: 220_000 }, atMs: 220_000, untilMs: 220_000 }] as unknown as ActiveFault[];
  const truth = new GroundTruth(config, faults);
  const base = { config, timeline: new FaultTimeline(faults), overrides: [], safetyMs: 300_000 };

  it('judges a drain of a target an indicting alarm fails as the checker does: not a false drain, and the target failing until drained', () => {
    const drained = [{ target: 'ap-southeast-2', atMs: 240_000, serving: false }];
    const judged = truthMetrics({ ...base, transitions: drained, indicted: (target, atMs) => truth.indictedBy(target, atMs) !== null });
    expect(judged.falseDrains).toBe(0);
    expect(judged.deadServingMsMax).toBe(20_000);
    // Without the alarm as evidence the same drain is false: a target fine for 240 s.
    expect(truthMetrics({ ...base, transitions: drained }).falseDrains).toBe(1);
  });

  it('still counts a drain before the alarm as false', () => {
    const early = [{ target: 'ap-southeast-2', atMs: 100_000, serving: false }];
    expect(truthMetrics({ ...base, transitions: early, indicted: (target, atMs) => truth.indictedBy(target, atMs) !== null }).falseDrains).toBe(1);
  });
});
