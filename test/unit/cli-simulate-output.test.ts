/** What `arbiter simulate --runs` prints per seed: detection for failover scenarios, false moves for no-move ones. */
import { seedMeasures } from '../../cli/commands/simulate';

const metrics = (detectMs: number | null, falseDrains: number, flipsMax: number) => ({ detectMs, rtoMs: null, falseFailovers: 0, falseDrains, flipsMax, deadServingMsMax: null, route53Calls: 0 });

describe('arbiter simulate: one line per seed', () => {
  it('reports false drains and flips, not a detection time, when the scenario expects nothing to move', () => {
    expect(seedMeasures({ arbiter: metrics(null, 0, 0), baseline: metrics(31_000, 2, 3) }, false)).toBe('arbiter 0 false drains, at most 0 flips per target; baseline 2 false drains, at most 3 flips per target');
    expect(seedMeasures({ arbiter: metrics(null, 1, 1), baseline: metrics(null, 0, 0) }, false)).toBe('arbiter 1 false drain, at most 1 flip per target; baseline 0 false drains, at most 0 flips per target');
  });

  it('reports detection times when the scenario expects a failover, and "never" when one did not detect', () => {
    expect(seedMeasures({ arbiter: metrics(10_679, 0, 1), baseline: metrics(null, 0, 0) }, true)).toBe('arbiter detect 10679 ms, baseline detect never');
  });
});
