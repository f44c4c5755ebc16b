/** The second half (by name) of the failover scenarios (see scenarios-failover.test.ts). */
import { scenarioNames } from '../../sim/scenario';
import { ciSeedsCount, closeSeedPool, failingSeeds, scenarioTimeoutMs } from './sim-runs';

afterAll(closeSeedPool);

const failover = scenarioNames().filter((name) => name.startsWith('failover-'));
const scenarios = failover.slice(Math.ceil(failover.length / 2));

describe('simulator: failover scenarios (second half)', () => {
  it.each(scenarios)(`%s holds every invariant over ${ciSeedsCount} seeds`, async (name) => {
    const failures = await failingSeeds(name, 1, ciSeedsCount);
    expect(failures).toEqual([]);
  }, scenarioTimeoutMs);
});
