/**
 * Data-plane mode in the simulator: with the Route 53 control plane down for 10 minutes during a
 * hard outage, the CALCULATED health checks drain the target within the config's RTO bound
 * (gate) — the control-plane mode can only drain once the control plane returns.
 */
import { loadScenario } from '../scenario';
import { simConfig } from '../sim-config';
import { runDataPlaneSimulation, type DataPlaneResult } from './dataplane-sim';

/** Seeds per mode: a gate run takes ~2.5 s and a metric run ~1 s on one core. */
const seedsCount = 6;
const testTimeoutMs = 240_000;
/** Metric mode waits for a once-a-minute alarm twice removed (datapoint → alarm → Route 53). */
const metricDetectMsMax = 180_000;

/** The issue-14 scenarios in sim/scenarios, one file per vote mode: `prefix-<vote>-story`. */
const dataPlaneScenario = (prefix: string, vote: 'gate' | 'metric', story: string) => `${prefix}-${vote}-${story}`;

async function runSeeds(name: string, vote: 'gate' | 'metric'): Promise<DataPlaneResult[]> {
  const results: DataPlaneResult[] = [];
  for (let seed = 1; seed <= seedsCount; seed += 1) results.push(await runDataPlaneSimulation(loadScenario(name), seed, vote));
  return results;
}

function failures(results: readonly DataPlaneResult[]): string[] {
  return results.filter((r) => r.problems.length > 0).map((r) => `seed ${r.seed} (${r.vote}): ${r.problems.join('; ')}`);
}

describe('simulator: data-plane mode', () => {
  const scenario = loadScenario('failover-route53-outage-10min');
  const rtoMsMax = simConfig(scenario).rtoSecondsMax * 1000;

  it(`gate: Route 53 control plane down 10 min during a hard outage drains within rtoSecondsMax, no control-plane call (${seedsCount} seeds)`, async () => {
    const results = await runSeeds('failover-route53-outage-10min', 'gate');
    expect(failures(results)).toEqual([]);
    for (const r of results) {
      expect(r.controlPlaneCalls).toBe(0);
      expect(r.metrics.rtoMs).not.toBeNull();
      expect(r.metrics.rtoMs!).toBeLessThanOrEqual(rtoMsMax);
    }
  }, testTimeoutMs);

  it(`metric: the same scenario drains within ${metricDetectMsMax / 1000} s of the onset, no control-plane call (${seedsCount} seeds)`, async () => {
    const results = await runSeeds('failover-route53-outage-10min', 'metric');
    expect(failures(results)).toEqual([]);
    for (const r of results) {
      expect(r.controlPlaneCalls).toBe(0);
      expect(r.metrics.detectMs!).toBeLessThanOrEqual(metricDetectMsMax);
    }
  }, testTimeoutMs);

  it.each(['gate', 'metric'] as const)('%s: two of three observer regions down moves nothing (fail static)', async (vote) => {
    const results = await runSeeds('fail-static-two-observers-down', vote);
    expect(failures(results)).toEqual([]);
  }, testTimeoutMs);

  it.each(['gate', 'metric'] as const)('%s: one observer cut off from a healthy target moves nothing', async (vote) => {
    const results = await runSeeds('no-move-observer-partition', vote);
    expect(failures(results)).toEqual([]);
    for (const r of results) expect(r.transitions).toEqual([]);
  }, testTimeoutMs);

  it.each(['gate', 'metric'] as const)('%s: two regions dying in turn never restore the first (fail static, not open)', async (vote) => {
    const name = dataPlaneScenario('failover', vote, 'two-regions-die-in-turn');
    const results = await runSeeds(name, vote);
    expect(failures(results)).toEqual([]);
    for (const r of results) {
      const first = r.transitions.filter((t) => t.target === 'us-east-1');
      expect(first[0]).toMatchObject({ healthy: false });
      expect(first.filter((t) => t.healthy).every((t) => t.atMs >= loadScenario(name).safetyMs)).toBe(true);
    }
  }, testTimeoutMs);

  // Only the safety rules here: the sim suites judge every invariant of these scenarios over 100
  // seeds, and sim/known-defects.ts lists what this story still breaks (the release's cooldown;
  // metric votes' slowness).
  it.each(['gate', 'metric'] as const)('%s: a held drain released for a new failure never shows two drained (maxDrained 1)', async (vote) => {
    const results = await runSeeds(dataPlaneScenario('failover', vote, 'release-held-drain'), vote);
    const safety = results.flatMap((r) => r.problems.filter((p) => p.startsWith('max-drained') || p.startsWith('min-serving')).map((p) => `seed ${r.seed}: ${p}`));
    expect(safety).toEqual([]);
  }, testTimeoutMs);

  it.each(['gate', 'metric'] as const)('%s: two targets failing at once drain exactly one (maxDrained 1)', async (vote) => {
    const results = await runSeeds(dataPlaneScenario('max-drained', vote, 'two-targets-at-once'), vote);
    expect(failures(results)).toEqual([]);
    for (const r of results) expect(new Set(r.transitions.filter((t) => !t.healthy).map((t) => t.target)).size).toBe(1);
  }, testTimeoutMs);

  it('gate: a flood refusing every checker request on two of three gates, or half of them on all three, still drains within rtoSecondsMax', async () => {
    const scenario = loadScenario('failover-hard-outage');
    const rtoMsMaxHard = simConfig(scenario).rtoSecondsMax * 1000;
    const floods = [{ observers: ['us-east-1', 'ap-southeast-2'], refusedRate: 1, fromMs: 0 }, { observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], refusedRate: 0.5, fromMs: 0 }];
    for (const flood of floods) {
      for (let seed = 1; seed <= seedsCount; seed += 1) {
        const r = await runDataPlaneSimulation(scenario, seed, 'gate', { flood });
        expect(r.problems).toEqual([]);
        expect(r.metrics.rtoMs!).toBeLessThanOrEqual(rtoMsMaxHard);
      }
    }
  }, testTimeoutMs);

  it('gate: a flood refusing every checker request on every gate suppresses the drain (the residual risk docs/dataplane.md states)', async () => {
    const flood = { observers: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], refusedRate: 1, fromMs: 0 };
    const r = await runDataPlaneSimulation(loadScenario('failover-hard-outage'), 1, 'gate', { flood });
    expect(r.metrics.detectMs).toBeNull();
    expect(r.problems.some((p) => p.startsWith('must-fail-over'))).toBe(true);
  }, testTimeoutMs);
});
