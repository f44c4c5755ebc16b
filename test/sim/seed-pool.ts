/**
 * Runs simulator seeds on worker threads, one per core. Jest runs each test file inside a vm
 * sandbox, where every global lookup (Math, Object, JSON…) is intercepted and the simulator runs at
 * about half speed; the workers load the same sources with tsx outside it. The checks are the same:
 * each job is `runSimulation(loadScenario(name), seed)` and answers with its violations.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Violation } from '../../sim/checker';

export interface SeedJob { id: number; scenario: string; seed: number }
export type SeedOutcome = { id: number; violations: Violation[]; flipsMax: number } | { id: number; error: string };
export interface SeedResult { scenario: string; seed: number; violations: Violation[]; flipsMax: number }

interface Pending { job: SeedJob; resolve: (r: SeedResult) => void; reject: (e: Error) => void }

class SeedPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private workers: Worker[] = [];
  private nextId = 1;

  constructor(private readonly size: number) {}

  run(scenario: string, seed: number): Promise<SeedResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, scenario, seed }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.workers.length < this.size ? this.spawn() : undefined);
      if (worker === undefined) return;
      const pending = this.queue.shift()!;
      this.busy.set(worker, pending);
      worker.postMessage(pending.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(join(__dirname, 'seed-worker.cjs'));
    this.workers.push(worker);
    worker.on('message', (outcome: SeedOutcome) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      if (pending !== undefined) {
        const { scenario, seed } = pending.job;
        if ('error' in outcome) pending.reject(new Error(`${scenario} seed ${seed} threw in the simulator: ${outcome.error}`));
        else pending.resolve({ scenario, seed, violations: outcome.violations, flipsMax: outcome.flipsMax });
      }
      this.pump();
    });
    // A worker that dies fails its job and every queued one, rather than hanging the test until its timeout.
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => { if (this.workers.includes(worker)) this.fail(worker, new Error(`simulator worker exited with code ${code}`)); });
    return worker;
  }

  private fail(worker: Worker, error: Error): void {
    this.workers = this.workers.filter((w) => w !== worker);
    const pending = this.busy.get(worker);
    this.busy.delete(worker);
    pending?.reject(error);
    for (const queued of this.queue.splice(0)) queued.reject(error);
  }
}

let pool: SeedPool | null = null;

/** One simulator run on the pool (created on first use, one worker per core). */
export function runSeed(scenario: string, seed: number): Promise<SeedResult> {
  pool ??= new SeedPool(Math.max(1, availableParallelism()));
  return pool.run(scenario, seed);
}

/** Every seed of `seeds`, in the order given. */
export function runSeeds(scenario: string, seeds: readonly number[]): Promise<SeedResult[]> {
  return Promise.all(seeds.map((seed) => runSeed(scenario, seed)));
}

/** Stops the workers (each sim test file's afterAll). */
export async function closeSeedPool(): Promise<void> {
  const open = pool;
  pool = null;
  await open?.close();
}
