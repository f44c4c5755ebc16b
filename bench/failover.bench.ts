/**
 * Failover benchmark: every scenario over many seeds, Arbiter and the Route 53 health-check
 * baseline (fast checks: 10 s interval, failure threshold 3, 15 checkers, healthy above 18%) side by
 * side on the same faults. Per row: false drains (judged against the fault timeline), dead left
 * serving p95/max, detect p50/p95/max, RTO p95, flips, Route 53 API calls per run, violations by
 * invariant (Arbiter: the checker's), seeds per second; then the headline targets and the
 * known-defect list. Writes bench/results/failover.json.
 * Replay any run with `arbiter simulate --scenario <name> --seed <n>` (seeds are 1…runs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownDefects, knownFuzzDefects } from '../sim/known-defects';
import { loadScenario, scenarioNames, type Scenario } from '../sim/scenario';
import { simConfig } from '../sim/sim-config';
import { runSimulation, violationsOf, type SystemMetrics } from '../sim/simulation';

/** Seeds per scenario: more where a percentile or a zero-count is claimed. */
export const seedsFalseFailoverClass = 250;
export const seedsHeadline = 200;
export const seedsOther = 100;

export interface FailoverRow {
  scenario: string;
  mode: Scenario['mode'];
  system: 'arbiter' | 'route53-baseline';
  runs: number;
  detectP50Ms: number | null;
  detectP95Ms: number | null;
  detectMaxMs: number | null;
  /** Runs that should have drained the failed target and never did. */
  missed: number;
  rtoP95Ms: number | null;
  /** Drains of guarded targets (expect.mustNotDrain). */
  falseFailovers: number;
  /** Drains of targets really fine for ≥ 30 s, not asked for by an operator (every target). */
  falseDrains: number;
  deadServingP95Ms: number | null;
  deadServingMaxMs: number | null;
  flipsMax: number;
  route53CallsPerRun: number;
  /** Runs that broke each invariant (Arbiter only; the baseline has no checker). */
  violations: Record<string, number>;
  seedsPerSecond: number;
}

/** Nearest-rank percentile; null when nothing was measured. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

function seedsFor(scenario: Scenario): number {
  if (scenario.expect.falseFailoverClass) return seedsFalseFailoverClass;
  return scenario.name === 'failover-hard-outage' || scenario.name === 'failover-gray-failure' ? seedsHeadline : seedsOther;
}

function row(scenario: Scenario, system: FailoverRow['system'], metrics: readonly SystemMetrics[], violations: Record<string, number>, seedsPerSecond: number): FailoverRow {
  const present = (xs: ReadonlyArray<number | null>) => xs.filter((d): d is number => d !== null);
  const detects = present(metrics.map((m) => m.detectMs));
  const dead = present(metrics.map((m) => m.deadServingMsMax));
  const expectsMove = scenario.expect.failOver.length > 0;
  return {
    scenario: scenario.name, mode: scenario.mode, system, runs: metrics.length,
    detectP50Ms: expectsMove ? percentile(detects, 0.5) : null,
    detectP95Ms: expectsMove ? percentile(detects, 0.95) : null,
    detectMaxMs: expectsMove ? percentile(detects, 1) : null,
    missed: expectsMove ? metrics.length - detects.length : 0,
    rtoP95Ms: expectsMove ? percentile(present(metrics.map((m) => m.rtoMs)), 0.95) : null,
    falseFailovers: metrics.reduce((n, m) => n + m.falseFailovers, 0),
    falseDrains: metrics.reduce((n, m) => n + m.falseDrains, 0),
    deadServingP95Ms: percentile(dead, 0.95),
    deadServingMaxMs: percentile(dead, 1),
    flipsMax: Math.max(0, ...metrics.map((m) => m.flipsMax)),
    route53CallsPerRun: metrics.reduce((n, m) => n + m.route53Calls, 0) / Math.max(1, metrics.length),
    violations,
    seedsPerSecond,
  };
}

const s = (v: number | null) => (v === null ? '—' : (v / 1000).toFixed(1));

function table(rows: readonly FailoverRow[]): string {
  const header = ['scenario', 'system', 'runs', 'detect p50 s', 'p95 s', 'max s', 'missed', 'rto p95 s', 'false drains', 'false f/o', 'dead serving p95 s', 'max s', 'flips max', 'r53 calls/run', 'violations', 'seeds/s'];
  const lines = rows.map((r) => [
    r.scenario + (r.mode === 'control-plane' ? '' : ` (${r.mode})`), r.system, String(r.runs), s(r.detectP50Ms), s(r.detectP95Ms), s(r.detectMaxMs), String(r.missed), s(r.rtoP95Ms),
    String(r.falseDrains), String(r.falseFailovers), s(r.deadServingP95Ms), s(r.deadServingMaxMs), String(r.flipsMax), r.route53CallsPerRun.toFixed(0),
    r.system === 'route53-baseline' ? '—' : Object.entries(r.violations).map(([k, v]) => `${k} ${v}`).join(', ') || '0', r.seedsPerSecond.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

function targets(rows: readonly FailoverRow[]): string[] {
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
  out.push(`${mark(ffCount === 0 && ffRuns >= 1000)} false failovers ${ffCount} over ${ffRuns} runs of the ${ff.length} false-failover-class scenarios (target 0 over ≥ 1,000)`);
  if (hard && hard.rtoP95Ms !== null) out.push(`${mark(hard.rtoP95Ms <= 90_000)} hard outage RTO p95 ${s(hard.rtoP95Ms)} s = detect + INSYNC + TTL 60 s (target ≤ 90 s)`);
  // Issue 13's bar: ahead wherever the Route 53 control plane is up (a scenario that takes it down is not counted).
  const controlPlaneDown = (name: string) => loadScenario(name).faults.some((f) => f.kind === 'route53-outage' || (f.kind === 'region-down' && f.route53ControlPlane === true));
  const slower = rows.filter((r) => r.system === 'arbiter' && r.detectP95Ms !== null && !controlPlaneDown(r.scenario)).filter((r) => {
    const b = find(r.scenario, 'route53-baseline');
    return b !== undefined && b.detectP95Ms !== null && r.detectP95Ms! > b.detectP95Ms;
  });
  out.push(`${mark(slower.length === 0)} ahead of the baseline (detect p95) in every failover scenario with the Route 53 control plane up: ${slower.length === 0 ? 'yes' : `behind in ${slower.map((r) => r.scenario).join(', ')}`}`);
  return out;
}

function defectLines(): string[] {
  const scenarios = knownDefects.map((d) => `  ${d.scenario}: ${d.invariant}, ${d.seeds.length} of the CI seeds (${d.seeds.slice(0, 12).join(', ')}${d.seeds.length > 12 ? ', …' : ''})${d.why ? ` — ${d.why}` : ''}`);
  const generated = knownFuzzDefects.map((d) => `  generated ${d.mode} scenario ${d.scenarioSeed} (sim/fuzz.ts), run seeds ${Object.keys(d.runs).join(', ')}: ${[...new Set(Object.values(d.runs).flat())].join(', ')} — ${d.why}`);
  return scenarios.length + generated.length === 0 ? ['  (none)'] : [...scenarios, ...generated];
}

export async function run(): Promise<void> {
  const rows: FailoverRow[] = [];
  const only = process.env.ARBITER_BENCH_SCENARIOS?.split(',').filter(Boolean);
  for (const name of scenarioNames().filter((n) => only === undefined || only.includes(n))) {
    const scenario = loadScenario(name);
    const runs = seedsFor(scenario);
    const arbiter: SystemMetrics[] = [];
    const baseline: SystemMetrics[] = [];
    const violations: Record<string, number> = {};
    const started = Date.now();
    for (let seed = 1; seed <= runs; seed += 1) {
      const result = await runSimulation(scenario, seed);
      arbiter.push(result.arbiter);
      baseline.push(result.baseline);
      for (const invariant of new Set(violationsOf(result.check).map((v) => v.invariant))) violations[invariant] = (violations[invariant] ?? 0) + 1;
    }
    const seedsPerSecond = runs / Math.max(0.001, (Date.now() - started) / 1000);
    rows.push(row(scenario, 'arbiter', arbiter, violations, seedsPerSecond), row(scenario, 'route53-baseline', baseline, {}, seedsPerSecond));
    process.stdout.write(`  ${name}: ${runs} seeds, ${seedsPerSecond.toFixed(1)} seeds/s${Object.keys(violations).length > 0 ? `, violations ${JSON.stringify(violations)}` : ''}\n`);
  }
  const defaultProbeIntervalMs = simConfig(loadScenario('failover-hard-outage')).probe.intervalMs;
  process.stdout.write(`\n${table(rows)}\n\nTargets at the default config (${defaultProbeIntervalMs / 1000} s probe rounds):\n${targets(rows).map((t) => `  ${t}`).join('\n')}\n`);
  process.stdout.write(`\nKnown defects (open; sim/known-defects.ts):\n${defectLines().join('\n')}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'failover.json'), `${JSON.stringify({ rows, knownDefects, knownFuzzDefects }, null, 2)}\n`);
}
