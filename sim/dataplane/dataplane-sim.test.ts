/**
 * Data-plane mode in the simulator: with the Route 53 control plane down for 10 minutes during a
 * hard outage, the CALCULATED health checks drain the target within the config's RTO bound
 * (gate) — the control-plane mode can only drain once the control plane returns.
 */
import { loadScenario } from '../scenario';
import { simConfig } from '../sim-config';
import { runDataPlaneSimulation, type DataPlaneResult } from './dataplane-sim';

/** Seeds per test: a gate run takes ~2.5 s on one core. */
const seedsCount = 6;
const testTimeoutMs = 240_000;

async function runSeeds(name: string): Promise<DataPlaneResult[]> {
  const results: DataPlaneResult[] = [];
  for (let seed = 1; seed <= seedsCount; seed += 1) results.push(await runDataPlaneSimulation(loadScenario(name), seed));
  return results;
}

function failures(results: readonly DataPlaneResult[]): string[] {
  return results.filter((r) => r.problems.length > 0).map((r) => `seed ${r.seed}: ${r.problems.join('; ')}`);
}

describe('simulator: data-plane mode', () => {
  const scenario = loadScenario('failover-route53-outage-10min');
  const rtoMsMax = simConfig(scenario).rtoSecondsMax * 1000;

  it(`gate: Route 53 control plane down 10 min during a hard outage drains within rtoSecondsMax, no control-plane call (${seedsCount} seeds)`, async () => {
    const results = await runSeeds('failover-route53-outage-10min');
    expect(failures(results)).toEqual([]);
    for (const r of results) {
      expect(r.controlPlaneCalls).toBe(0);
      expect(r.metrics.rtoMs).not.toBeNull();
      expect(r.metrics.rtoMs!).toBeLessThanOrEqual(rtoMsMax);
    }
  }, testTimeoutMs);

  it('two of three observer regions down moves nothing (fail static)', async () => {
    const results = await runSeeds('fail-static-two-observers-down');
    expect(failures(results)).toEqual([]);
  }, testTimeoutMs);

  it('one observer cut off from a healthy target moves nothing', async () => {
    const results = await runSeeds('no-move-observer-partition');
    expect(failures(results)).toEqual([]);
    for (const r of results) expect(r.transitions).toEqual([]);
  }, testTimeoutMs);

  it('two regions dying in turn never restore the first (fail static, not open)', async () => {
    const name = 'failover-gate-two-regions-die-in-turn';
    const results = await runSeeds(name);
    expect(failures(results)).toEqual([]);
    for (const r of results) {
      const first = r.transitions.filter((t) => t.target === 'us-east-1');
      expect(first[0]).toMatchObject({ healthy: false });
      expect(first.filter((t) => t.healthy).every((t) => t.atMs >= loadScenario(name).safetyMs)).toBe(true);
    }
  }, testTimeoutMs);

  it('a held drain released for a new failure never shows two drained (maxDrained 1) and breaks nothing', async () => {
    const results = await runSeeds('failover-gate-release-held-drain');
    expect(failures(results)).toEqual([]);
  }, testTimeoutMs);

  it('two targets failing at once drain exactly one (maxDrained 1)', async () => {
    const results = await runSeeds('max-drained-gate-two-targets-at-once');
    expect(failures(results)).toEqual([]);
    for (const r of results) expect(new Set(r.transitions.filter((t) => !t.healthy).map((t) => t.target)).size).toBe(1);
  }, testTimeoutMs);

  it('gate: a flood refusing every checker request on two of three gates, or half of them on all three, still drains within rtoSecondsMax', async () => {
    const scenario = loadScenario('failover-hard-outage');
    const rtoMsMaxHard = simConfig(scenario).rtoSecondsMax * 1000;
    const floods = [{ observers: ['us-east-1', 'ap-southeast-2'], refusedRate: 1, fromMs: 0 }, { observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], refusedRate: 0.5, fromMs: 0 }];
    for (const flood of floods) {
      for (let seed = 1; seed <= seedsCount; seed += 1) {
        const r = await runDataPlaneSimulation(scenario, seed, { flood });
        expect(r.problems).toEqual([]);
        expect(r.metrics.rtoMs!).toBeLessThanOrEqual(rtoMsMaxHard);
      }
    }
  }, testTimeoutMs);

  it('gate: a flood refusing every checker request on every gate suppresses the drain (the residual risk docs/dataplane.md states)', async () => {
    const flood = { observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], refusedRate: 1, fromMs: 0 };
    const r = await runDataPlaneSimulation(loadScenario('failover-hard-outage'), 1, { flood });
    expect(r.metrics.detectMs).toBeNull();
    expect(r.problems.some((p) => p.startsWith('must-fail-over'))).toBe(true);
  }, testTimeoutMs);
});
