import { overrideOf } from '../../../test/unit/support/core-builders';
import { activeOverride, activeOverrides, indexEnds, isOverrideActive } from './overrides';

const noEnds = new Map();

describe('overrides', () => {
  const drain = overrideOf('eu-west-1', 'drain', 1000, 5000);

  it('is active from creation until just before expiry', () => {
    expect(isOverrideActive(drain, noEnds, 999)).toBe(false);
    expect(isOverrideActive(drain, noEnds, 1000)).toBe(true);
    expect(isOverrideActive(drain, noEnds, 4999)).toBe(true);
    expect(isOverrideActive(drain, noEnds, 5000)).toBe(false);
  });

  it('ends early from the end\'s time on, and the earliest end counts', () => {
    const ends = indexEnds([
      { overrideId: drain.id, endedMs: 3000, actor: 'ops', reason: 'done' },
      { overrideId: drain.id, endedMs: 2000, actor: 'ops', reason: 'done sooner' },
    ]);
    expect(ends.get(drain.id)!.endedMs).toBe(2000);
    expect(isOverrideActive(drain, ends, 1999)).toBe(true);
    expect(isOverrideActive(drain, ends, 2000)).toBe(false);
  });

  it('picks the newest active override of a target, ties by id, and ignores other targets', () => {
    const older = overrideOf('eu-west-1', 'drain', 1000, 9000);
    const newer = overrideOf('eu-west-1', 'serve', 2000, 9000);
    const tieA = { ...overrideOf('eu-west-1', 'drain', 2000, 9000), id: 'a' };
    const other = overrideOf('us-east-1', 'drain', 3000, 9000);
    expect(activeOverride('eu-west-1', [older, newer, other], noEnds, 4000)).toBe(newer);
    expect(activeOverride('eu-west-1', [tieA, newer], noEnds, 4000)!.id).toBe(newer.id > 'a' ? newer.id : 'a');
    expect(activeOverride('eu-west-1', [older], noEnds, 9000)).toBeNull();
  });

  it('lists active overrides newest first, leaving out expired and ended ones', () => {
    const a = overrideOf('eu-west-1', 'drain', 1000, 9000);
    const b = overrideOf('us-east-1', 'drain', 2000, 9000);
    const expired = overrideOf('ap-southeast-2', 'drain', 500, 1500);
    const ended = overrideOf('ap-southeast-2', 'serve', 2500, 9000);
    const list = activeOverrides([a, b, expired, ended], [{ overrideId: ended.id, endedMs: 2600, actor: 'ops', reason: 'x' }], 3000);
    expect(list.map((o) => o.id)).toEqual([b.id, a.id]);
  });
});
