/**
 * Generated scenarios (sim/fuzz.ts): scenario seeds 1–60, both modes, run seeds 1–2. The failing
 * runs must be exactly the open defects listed in sim/known-defects.ts (knownFuzzDefects): a fix
 * or a new failure changes that list. Campaigns beyond this range: `npx tsx sim/fuzz.ts --count 500`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { quorumSize } from '../../shared/domain';
import { blipMsMax, fuzz, fuzzScenarios, generateScenario, generatedLivenessMs } from '../../sim/fuzz';
import { insyncDelayMsMax } from '../../sim/sim-route53';
import { simConfig } from '../../sim/sim-config';
import { fuzzRegressions, knownFuzzDefects } from '../../sim/known-defects';
import { parseScenario } from '../../sim/scenario';

const root = join(__dirname, '..', '..');

describe('generated scenarios', () => {
  it('are the same for the same seed, differ across seeds, and load as scenario files do', () => {
    expect(generateScenario(17, 'gate')).toEqual(generateScenario(17, 'gate'));
    expect(generateScenario(17, 'gate').faults).not.toEqual(generateScenario(18, 'gate').faults);
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 60; seed += 1) for (const f of generateScenario(seed, 'control-plane').faults) kinds.add(f.kind);
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['bus', 'lambda', 'override', 'path', 'region-down', 'replication-lag', 'route53-outage', 'route53-throttle', 'store-unavailable', 'target']));
  });

  it('stay inside the fault hypothesis: a minority blind, every other path and target only blips of at most 10 s', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const scenario = generateScenario(seed, seed % 2 === 0 ? 'gate' : 'control-plane');
      const observers = scenario.world.observers ?? ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
      const faults = scenario.faults as unknown as Array<Record<string, unknown>>;
      const span = (f: Record<string, unknown>) => (f['untilMs'] === undefined ? Number.POSITIVE_INFINITY : (f['untilMs'] as number) - (f['atMs'] as number));
      const paths = faults.filter((f) => f['kind'] === 'path');
      const blind = new Set(paths.filter((f) => span(f) > blipMsMax).map((f) => f['observer']));
      expect(blind.size).toBeLessThanOrEqual(observers.length - quorumSize(observers.length));
      const briefTargetDowns = faults.filter((f) => f['kind'] === 'target' && f['behaviour'] === 'down' && span(f) <= blipMsMax);
      for (const f of [...paths.filter((p) => !blind.has(p['observer'])), ...briefTargetDowns]) {
        expect(['partitioned', 'down']).toContain(f['behaviour']);
        expect(span(f)).toBeLessThanOrEqual(blipMsMax);
      }
      if (scenario.mode === 'gate') expect(scenario.faults.some((f) => f.kind === 'route53-throttle')).toBe(false);
    }
  });

  it('last long enough after the faults for a dampened restore (2 × flipCooldownMs after the last restore) to be INSYNC', () => {
    const scenario = generateScenario(5, 'control-plane');
    const { safety } = simConfig(scenario);
    expect(scenario.livenessMs).toBe(generatedLivenessMs);
    expect(scenario.livenessMs).toBeGreaterThanOrEqual(2 * safety.flipCooldownMs + safety.recoveryHoldMs + insyncDelayMsMax);
  });

  // The failing runs of each part below must be exactly the listed defects of that part: together,
  // every listed run, and no other. Split so that each part has its own timeout on a loaded machine.
  const key = (mode: string, seed: number, run: number | string, invariants: readonly string[]) => `${mode} ${seed} run ${run}: ${[...new Set(invariants)].sort().join(', ')}`;
  const found = (failures: ReadonlyArray<{ mode: string; scenarioSeed: number; runSeed: number; violations: string[] }>) => failures.map((f) => key(f.mode, f.scenarioSeed, f.runSeed, f.violations.map((v) => v.split(' ')[0]!))).sort();
  const known = (pick: (d: (typeof knownFuzzDefects)[number]) => boolean) => knownFuzzDefects.filter(pick).flatMap((d) => Object.entries(d.runs).map(([run, invariants]) => key(d.mode, d.scenarioSeed, run, invariants))).sort();

  it.each(['control-plane', 'gate'] as const)('fail exactly in the listed open defects: scenario seeds 1–60 in %s mode, run seeds 1–2', async (mode) => {
    const inRange = await fuzz({ from: 1, count: 60, seeds: 2, modes: [mode] });
    expect(inRange.runs).toBe(120);
    expect(found(inRange.failures)).toEqual(known((d) => d.mode === mode && d.scenarioSeed <= 60));
  }, 240_000);

  it('fail exactly as listed beyond the CI range: fixed seeds hold, open ones break what is listed (run seeds 1–2)', async () => {
    expect(fuzzRegressions.length + knownFuzzDefects.filter((d) => d.scenarioSeed > 60).length).toBeGreaterThan(0);
    const listed = await fuzzScenarios([...fuzzRegressions, ...knownFuzzDefects.filter((d) => d.scenarioSeed > 60)], 2);
    expect(found(listed.failures)).toEqual(known((d) => d.scenarioSeed > 60));
  }, 240_000);

  it('a failing scenario written as a file loads back as the same scenario', async () => {
    const { scenarioYaml } = await import('../../sim/fuzz');
    const scenario = generateScenario(7, 'gate');
    const reloaded = parseScenario(scenarioYaml(scenario, 7), 'fuzz-gate-7.yml');
    expect(reloaded.faults).toEqual(scenario.faults);
    expect(reloaded.config).toEqual(scenario.config);
    expect(reloaded.mode).toBe('gate');
  });

  it('the campaign command refuses bad arguments with a message naming the flag', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'sim', 'fuzz.ts'), '--count', 'many'], { encoding: 'utf8', cwd: root, timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--count must be a positive integer (got "many")');
    const mode = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'sim', 'fuzz.ts'), '--mode', 'metric'], { encoding: 'utf8', cwd: root, timeout: 60_000 });
    expect(mode.status).toBe(2);
    expect(mode.stderr).toContain('--mode must be control-plane, gate or both (got "metric")');
  });
});
