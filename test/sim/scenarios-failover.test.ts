/**
 * Scenarios that must move traffic (every `failover-*` file in sim/scenarios): every seed must
 * drain the failed target and pass every invariant (safety at each served state, convergence
 * after the faults stop), known defects (sim-runs.ts) aside.
 */
import { scenarioNames } from '../../sim/scenario';
import { ciSeedsCount, closeSeedPool, failingSeeds, scenarioTimeoutMs } from './sim-runs';

afterAll(closeSeedPool);

/** Every failover scenario; this file runs the first half (by name), scenarios-failover-more.test.ts the rest, so two workers share them. */
const failoverScenarios = scenarioNames().filter((name) => name.startsWith('failover-'));
const scenarios = failoverScenarios.slice(0, Math.ceil(failoverScenarios.length / 2));

describe('simulator: failover scenarios', () => {
  it('covers every failover scenario file', () => {
    expect(failoverScenarios.length).toBeGreaterThanOrEqual(7);
  });

  it.each(scenarios)(`%s holds every invariant over ${ciSeedsCount} seeds`, async (name) => {
    const failures = await failingSeeds(name, 1, ciSeedsCount);
    expect(failures).toEqual([]);
  }, scenarioTimeoutMs);
});
