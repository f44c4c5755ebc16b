/**
 * Scenarios that must move traffic: every seed must drain the failed target and pass every
 * invariant (safety at each Route 53 change, convergence after the faults stop).
 */
import { ciSeedsCount, failingSeeds, scenarioTimeoutMs } from './sim-runs';

const scenarios = [
  'failover-hard-outage',
  'failover-gray-failure',
  'failover-observer-region-down',
  'failover-lost-events',
  'failover-replication-lag-spikes',
  'failover-route53-throttling-storm',
  'failover-route53-outage-10min',
];

describe('simulator: failover scenarios', () => {
  it.each(scenarios)(`%s holds every invariant over ${ciSeedsCount} seeds`, async (name) => {
    const failures = await failingSeeds(name, 1, ciSeedsCount);
    expect(failures).toEqual([]);
  }, scenarioTimeoutMs);
});
