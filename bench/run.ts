/**
 * `npm run bench`: runs every `bench/*.bench.ts` module in name order (each exports `run()`),
 * prints their tables and writes their JSON under bench/results/. A benchmark, not a test:
 * it measures and reports; targets are compared in the printed tables.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const modules = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort();
  for (const file of modules) {
    const name = file.replace(/\.bench\.ts$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    const started = Date.now();
    process.stdout.write(`\n== bench ${name} ==\n`);
    const mod = (await import(join(__dirname, file))) as { run: () => Promise<void> };
    await mod.run();
    process.stdout.write(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
