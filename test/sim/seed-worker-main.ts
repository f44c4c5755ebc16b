/** Runs one (scenario, seed) per message for seed-pool.ts and answers with the checker's violations. */
import { parentPort } from 'node:worker_threads';
import { loadScenario } from '../../sim/scenario';
import { runSimulation } from '../../sim/simulation';
import type { SeedJob, SeedOutcome } from './seed-pool';

parentPort!.on('message', (job: SeedJob) => {
  void (async (): Promise<SeedOutcome> => {
    try {
      const result = await runSimulation(loadScenario(job.scenario), job.seed);
      return { id: job.id, violations: result.check.violations, flipsMax: result.arbiter.flipsMax };
    } catch (error) {
      return { id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
  })().then((outcome) => parentPort!.postMessage(outcome));
});
