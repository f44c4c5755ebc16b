/**
 * Failover benchmark: every scenario over many seeds, Arbiter and the Route 53 health-check
 * baseline (fast checks: 10 s interval, failure threshold 3, 15 checkers, healthy above 18%) side by
 * side on the same faults. Prints one table and the targets; writes bench/results/failover.json.
 * Replay any run with `arbiter simulate --scenario <name> --seed <n>` (seeds are 1…runs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, scenarioNames, type Scenario } from '../sim/scenario';
import { runSimulation, type SystemMetrics } from '../sim/simulation';

/** Seeds per scenario: more where a percentile or a zero-count is claimed (4 × 250 = 1,000 runs of the false-failover class). */
export const seedsFalseFailoverClass = 250;
export const seedsHeadline = 200;
export const seedsOther = 100;

export interface FailoverRow {
  scenario: string;
  system: 'arbiter' | 'route53-baseline';
  runs: number;
  detectP50Ms: number | null;
  detectP95Ms: number | null;
  detectMaxMs: number | null;
  rtoP95Ms: number | null;
  falseFailovers: number;
  flipsMax: number;
  invariantViolations: number;
}

/** Nearest-rank percentile; null when nothing was measured. A run that never detected counts as a miss, reported apart. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

function seedsFor(scenario: Scenario): number {
  if (scenario.expect.falseFailoverClass) return seedsFalseFailoverClass;
  return scenario.name === 'failover-hard-outage' || scenario.name === 'failover-gray-failure' ? seedsHeadline : seedsOther;
}

function row(scenario: Scenario, system: FailoverRow['system'], metrics: readonly SystemMetrics[], violations: number): FailoverRow & { missed: number } {
  const detects = metrics.map((m) => m.detectMs).filter((d): d is number => d !== null);
  const rtos = metrics.map((m) => m.rtoMs).filter((d): d is number => d !== null);
  const expectsMove = scenario.expect.failOver.length > 0;
  return {
    scenario: scenario.name, system, runs: metrics.length,
    detectP50Ms: expectsMove ? percentile(detects, 0.5) : null,
    detectP95Ms: expectsMove ? percentile(detects, 0.95) : null,
    detectMaxMs: expectsMove ? percentile(detects, 1) : null,
    rtoP95Ms: expectsMove ? percentile(rtos, 0.95) : null,
    falseFailovers: metrics.reduce((n, m) => n + m.falseFailovers, 0),
    flipsMax: Math.max(0, ...metrics.map((m) => m.flipsMax)),
    invariantViolations: violations,
    missed: expectsMove ? metrics.length - detects.length : 0,
  };
}

const s = (v: number | null) => (v === null ? '—' : (v / 1000).toFixed(1));

function table(rows: ReadonlyArray<FailoverRow & { missed: number }>): string {
  const header = ['scenario', 'system', 'runs', 'detect p50 s', 'p95 s', 'max s', 'missed', 'rto p95 s', 'false f/o', 'flips max', 'violations'];
  const lines = rows.map((r) => [r.scenario, r.system, String(r.runs), s(r.detectP50Ms), s(r.detectP95Ms), s(r.detectMaxMs), String(r.missed), s(r.rtoP95Ms), String(r.falseFailovers), String(r.flipsMax), String(r.invariantViolations)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

function targets(rows: ReadonlyArray<FailoverRow & { missed: number }>): string[] {
  const find = (scenario: string, system: FailoverRow['system']) => rows.find((r) => r.scenario === scenario && r.system === system);
  const hard = find('failover-hard-outage', 'arbiter');
  const hardBase = find('failover-hard-outage', 'route53-baseline');
  const gray = find('failover-gray-failure', 'arbiter');
  const grayBase = find('failover-gray-failure', 'route53-baseline');
  const ff = rows.filter((r) => r.system === 'arbiter' && loadScenario(r.scenario).expect.falseFailoverClass);
  const ffRuns = ff.reduce((n, r) => n + r.runs, 0);
  const ffCount = ff.reduce((n, r) => n + r.falseFailovers, 0);
  const mark = (ok: boolean) => (ok ? 'MET ' : 'MISS');
  const out: string[] = [];
  if (hard && hardBase && hard.detectP95Ms !== null && hardBase.detectP95Ms !== null) {
    out.push(`${mark(hard.detectP95Ms <= 15_000 && hard.detectP95Ms <= 0.5 * hardBase.detectP95Ms)} hard outage detect p95 ${s(hard.detectP95Ms)} s (target ≤ 15 s and ≤ 0.5 × baseline ${s(hardBase.detectP95Ms)} s = ${s(0.5 * hardBase.detectP95Ms)} s)`);
  }
  if (gray && gray.detectP95Ms !== null) out.push(`${mark(gray.detectP95Ms <= 45_000 && gray.missed === 0)} gray failure detect p95 ${s(gray.detectP95Ms)} s, ${gray.missed} missed (target ≤ 45 s); baseline detected ${grayBase ? grayBase.runs - grayBase.missed : 0} of ${grayBase?.runs ?? 0}`);
  out.push(`${mark(ffCount === 0 && ffRuns >= 1000)} false failovers ${ffCount} over ${ffRuns} runs of ${ff.map((r) => r.scenario).join(', ')} (target 0 over ≥ 1,000)`);
  if (hard && hard.rtoP95Ms !== null) out.push(`${mark(hard.rtoP95Ms <= 90_000)} hard outage RTO p95 ${s(hard.rtoP95Ms)} s = detect + INSYNC + TTL 60 s (target ≤ 90 s)`);
  return out;
}

export async function run(): Promise<void> {
  const rows: Array<FailoverRow & { missed: number }> = [];
  for (const name of scenarioNames()) {
    const scenario = loadScenario(name);
    const runs = seedsFor(scenario);
    const arbiter: SystemMetrics[] = [];
    const baseline: SystemMetrics[] = [];
    let violations = 0;
    for (let seed = 1; seed <= runs; seed += 1) {
      const result = await runSimulation(scenario, seed);
      arbiter.push(result.arbiter);
      baseline.push(result.baseline);
      if (!result.check.valid) {
        violations += 1;
        process.stdout.write(`  ${name} seed ${seed}: ${result.check.failedAt.invariant}: ${result.check.failedAt.detail}\n`);
      }
    }
    rows.push(row(scenario, 'arbiter', arbiter, violations), row(scenario, 'route53-baseline', baseline, 0));
    process.stdout.write(`  ${name}: ${runs} seeds done\n`);
  }
  process.stdout.write(`\n${table(rows)}\n\nTargets at the default config (10 s probe interval):\n${targets(rows).map((t) => `  ${t}`).join('\n')}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'failover.json'), `${JSON.stringify(rows.map(({ missed: _missed, ...r }) => r), null, 2)}\n`);
}
