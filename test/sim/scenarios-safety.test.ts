/**
 * Scenarios that must not move traffic (or must move it only within the safety rules): a minority's
 * view, lossy paths, lost events, clock skew, no quorum, every target down, concurrent overrides,
 * a flapping target, a dead drill.
 */
import { scenarioNames } from '../../sim/scenario';
import { ciSeedsCount, closeSeedPool, failingSeeds, scenarioTimeoutMs } from './sim-runs';

afterAll(closeSeedPool);

const scenarios = scenarioNames().filter((name) => !name.startsWith('failover-'));

describe('simulator: safety scenarios', () => {
  it('covers every scenario file that is not a failover scenario', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
  });

  it.each(scenarios)(`%s holds every invariant over ${ciSeedsCount} seeds`, async (name) => {
    const failures = await failingSeeds(name, 1, ciSeedsCount);
    expect(failures).toEqual([]);
  }, scenarioTimeoutMs);
});
