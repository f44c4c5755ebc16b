/**
 * `arbiter simulate --scenario <name|file> --seed N [--runs K] [--json]`: runs the deterministic
 * simulator. One run prints its parameters, timeline and summary; several runs (seeds N…N+K-1)
 * print one line each. Exit 5 (invariant) when any run breaks an invariant, naming its seed.
 * `arbiter simulate --list`: every scenario in sim/scenarios with its title (what it proves).
 */
import { loadScenario, scenarioNames } from '../../sim/scenario';
import { runSimulation, type SimulationResult } from '../../sim/simulation';
import { formatParams, formatSummary, formatTimeline } from '../../sim/timeline';
import { exitCodes, type CommandIo } from '../io';

/** A bound on one command's work: a typo like --runs 1e9 is refused, not run for a week. */
export const simulateRunsMax = 10_000;

export interface SimulateOptions {
  scenario?: string;
  seed?: string;
  runs?: string;
  json?: boolean;
  list?: boolean;
}

/** One line per scenario: its name and its title; a scenario that does not load says why. */
function listScenarios(io: CommandIo): number {
  const names = scenarioNames();
  const width = Math.max(...names.map((n) => n.length));
  let broken = 0;
  for (const name of names) {
    try {
      io.out(`${name.padEnd(width)}  ${loadScenario(name).title}`);
    } catch (error) {
      broken += 1;
      io.err(`${name}: ${(error as Error).message}`);
    }
  }
  return broken === 0 ? exitCodes.ok : exitCodes.usage;
}

function parseCount(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function summaryRow(r: SimulationResult): Record<string, unknown> {
  return { seed: r.seed, check: r.check, arbiter: r.arbiter, baseline: r.baseline, eventsRun: r.eventsRun };
}

/**
 * What one seed measured: detection time when the scenario expects a failover; when it expects
 * nothing to move, the false drains and the most flips of any target (a detect time means nothing there).
 * @example seedMeasures(result, false) // → 'arbiter 0 false drains, at most 0 flips per target; baseline 2 false drains, at most 3 flips per target'
 */
export function seedMeasures(result: Pick<SimulationResult, 'arbiter' | 'baseline'>, expectsFailover: boolean): string {
  if (expectsFailover) return `arbiter detect ${result.arbiter.detectMs ?? 'never'}${result.arbiter.detectMs === null ? '' : ' ms'}, baseline detect ${result.baseline.detectMs ?? 'never'}${result.baseline.detectMs === null ? '' : ' ms'}`;
  // falseDrains: drains of a target that had really been fine (sim/metrics.ts), whatever the scenario lists.
  const moves = (m: SimulationResult['arbiter']) => `${m.falseDrains} false drain${m.falseDrains === 1 ? '' : 's'}, at most ${m.flipsMax} flip${m.flipsMax === 1 ? '' : 's'} per target`;
  return `arbiter ${moves(result.arbiter)}; baseline ${moves(result.baseline)}`;
}

/**
 * @example await runSimulate({ scenario: 'failover-hard-outage', seed: '42' }, processIo) // → 0
 */
export async function runSimulate(options: SimulateOptions, io: CommandIo): Promise<number> {
  if (options.list) return listScenarios(io);
  let seed: number;
  let runs: number;
  let scenario;
  try {
    if (options.scenario === undefined || options.seed === undefined) throw new RangeError('--scenario and --seed are required (or --list)');
    seed = parseCount(options.seed, 'seed', 0, 2 ** 32 - 1);
    runs = parseCount(options.runs ?? '1', 'runs', 1, simulateRunsMax);
    scenario = loadScenario(options.scenario);
  } catch (error) {
    io.err(`arbiter simulate: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  const results: SimulationResult[] = [];
  for (let i = 0; i < runs; i += 1) {
    const result = await runSimulation(scenario, seed + i);
    results.push(result);
    if (options.json || runs === 1) continue;
    const c = result.check;
    io.out(`seed ${result.seed}: ${c.valid ? 'valid' : `INVALID ${c.failedAt.invariant} at ${c.failedAt.atMs} ms: ${c.failedAt.detail}`}; ${seedMeasures(result, scenario.expect.failOver.length > 0)}`);
  }
  const failed = results.filter((r) => !r.check.valid);
  if (options.json) {
    io.out(JSON.stringify(runs === 1 ? results[0] : { scenario: scenario.name, runs, failedSeeds: failed.map((r) => r.seed), results: results.map(summaryRow) }, null, 2));
  } else if (runs === 1) {
    io.out([`# ${scenario.title}`, ...formatParams(results[0]!), '', ...formatTimeline(results[0]!), '', ...formatSummary(results[0]!)].join('\n'));
  } else {
    io.out(`${scenario.name}: ${runs - failed.length} of ${runs} runs valid`);
  }
  if (failed.length === 0) return exitCodes.ok;
  // Replays by what was given: a scenario given as a file path replays by that path.
  for (const r of failed) io.err(`invariant violated with seed ${r.seed}; replay: arbiter simulate --scenario ${options.scenario} --seed ${r.seed}`);
  return exitCodes.invariant;
}
