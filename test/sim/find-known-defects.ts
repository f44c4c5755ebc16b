/**
 * Prints the `knownDefects` list for sim/known-defects.ts: every scenario over the CI seeds, each
 * failing (scenario, invariant) with its seeds. A tool, not a test:
 *   npx tsx test/sim/find-known-defects.ts [scenario ...]
 */
import { scenarioNames, loadScenario } from '../../sim/scenario';
import { runSimulation, violationsOf } from '../../sim/simulation';
import { ciSeedsCount } from './sim-runs';

async function main(): Promise<void> {
  const names = process.argv.length > 2 ? process.argv.slice(2) : scenarioNames();
  const lines: string[] = [];
  for (const name of names) {
    const scenario = loadScenario(name);
    const byInvariant = new Map<string, number[]>();
    for (let seed = 1; seed <= ciSeedsCount; seed += 1) {
      const result = await runSimulation(scenario, seed);
      for (const invariant of new Set(violationsOf(result.check).map((v) => v.invariant))) byInvariant.set(invariant, [...(byInvariant.get(invariant) ?? []), seed]);
    }
    for (const [invariant, seeds] of byInvariant) lines.push(`  { scenario: '${name}', invariant: '${invariant}', seeds: [${seeds.join(', ')}], why: '' },`);
    process.stderr.write(`${name}: ${[...byInvariant].map(([i, s]) => `${i} ${s.length}`).join(', ') || 'valid'}\n`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
